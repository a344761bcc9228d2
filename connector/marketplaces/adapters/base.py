"""The marketplace adapter interface, on the shared signed client (connector.remote): signing,
timeouts, token renewal and the failure vocabulary (retryable, auth expired, refused, unknown
outcome: look the listing up by seller SKU before creating it again)."""

from __future__ import annotations

from dataclasses import dataclass

from connector.remote import SignedClient


@dataclass
class RemoteListing:
    id: str
    seller_sku: str
    status: str  # REVIEWING | LIVE | REJECTED | DELISTED
    reason: str
    version: int
    price: int
    stock: int
    image_ids: tuple[str, ...] = ()  # the photos the buyer sees, in order


class MarketplaceAdapter(SignedClient):
    def categories(self) -> list[dict]:
        raise NotImplementedError

    def upload_image(self, data: bytes) -> str:
        raise NotImplementedError

    def create(self, payload: dict) -> RemoteListing:
        """payload: seller_sku, name, description, price, stock, category_id, image_ids."""
        raise NotImplementedError

    def find_by_sku(self, sku: str) -> RemoteListing | None:
        raise NotImplementedError

    def get(self, remote_id: str) -> RemoteListing:
        raise NotImplementedError

    def update_price_stock(self, remote_id: str, price: int, stock: int) -> RemoteListing:
        raise NotImplementedError

    def update_images(self, remote_id: str, image_ids: list[str]) -> RemoteListing:
        """Show these uploaded images, in this order, instead of the listing's current ones."""
        raise NotImplementedError

    def set_listed(self, remote_id: str, listed: bool) -> RemoteListing:
        raise NotImplementedError

    def events_since(self, cursor: int) -> tuple[list[dict], int]:
        raise NotImplementedError

    def parse_webhook(self, path: str, headers, body: bytes) -> dict | None:
        """The event in a signed webhook, or None when the signature (or token) is wrong."""
        payload = super().parse_webhook(path, headers, body)
        return None if payload is None else self._event_from_webhook(payload)

    def _event_from_webhook(self, payload: dict) -> dict | None:
        return payload
