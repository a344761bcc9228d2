"""VoSo (Viettel Post partner style): Token header, envelope {status, error, message, data}; errors can
arrive with HTTP 200 and "error": true; webhooks are {DATA, TOKEN}."""

from __future__ import annotations

import hmac

from connector.marketplaces.adapters.base import MarketplaceAdapter, RemoteListing
from connector.orders.models import PayBy
from connector.remote import AuthExpired, Refused, RetryableError

# How the buyer pays, as Viettel Post's partner API numbers it: 1 cash on delivery, 2 paid on VoSo
# (ViettelPay or card), 3 bank transfer to the seller. Absent: cash on delivery.
PAYMENT_TYPES = {1: PayBy.COD, 2: PayBy.MARKETPLACE, 3: PayBy.TRANSFER}


def _listing(data: dict) -> RemoteListing:
    return RemoteListing(id=data["PRODUCT_ID"], seller_sku=data["SELLER_SKU"], status=data["STATUS"],
                         reason=data.get("REASON") or "", version=data.get("VERSION", 0), price=data["PRICE"],
                         stock=data["QUANTITY"], image_ids=tuple(data.get("IMAGES") or ()))


class VoSoAdapter(MarketplaceAdapter):
    name = "voso"
    token_header = "Token"  # noqa: S105 - a header name

    @staticmethod
    def pay_by(order: dict) -> PayBy:
        kind = order.get("PAYMENT_TYPE", 1)
        return PAYMENT_TYPES.get(int(kind) if str(kind).isdigit() else 0, PayBy.COD)

    def _unwrap(self, response):
        try:
            body = response.json()
        except ValueError as error:
            raise RetryableError("voso: unreadable answer") from error
        if not body.get("error"):
            return body.get("data")
        status = body.get("status", 0)
        if status == 401:
            self._token = None
            raise AuthExpired(body.get("message", "401"))
        if status == 404:
            return None
        if status >= 500 or status == 429:
            raise RetryableError(body.get("message", str(status)))  # "error on 200": try again
        raise Refused(body.get("message", str(status)))

    def login(self) -> str:
        data = self._send("POST", "/api/user/Login", authenticated=False, json_body={
            "USERNAME": self.settings["username"], "PASSWORD": self.settings["password"]})
        return data["token"]

    def categories(self) -> list[dict]:
        return [{"id": str(c["CATEGORY_ID"]), "name": c["CATEGORY_NAME"], "parent_id": str(c["PARENT_ID"])}
                for c in self.call("GET", "/api/categories")]

    def upload_image(self, data: bytes) -> str:
        return self.call("POST", "/api/images", files={"image": ("photo.jpg", data, "image/jpeg")},
                         write=True)["IMAGE_ID"]

    def create(self, payload: dict) -> RemoteListing:
        body = {"SELLER_SKU": payload["seller_sku"], "PRODUCT_NAME": payload["name"], "PRICE": payload["price"],
                "QUANTITY": payload["stock"], "CATEGORY_ID": payload["category_id"],
                "IMAGES": payload["image_ids"], "DESCRIPTION": payload.get("description", "")}
        return _listing(self.call("POST", "/api/products", json_body=body, write=True))

    def find_by_sku(self, sku: str) -> RemoteListing | None:
        found = self.call("GET", "/api/products", params={"SELLER_SKU": sku}) or []
        return _listing(found[0]) if found else None

    def get(self, remote_id: str) -> RemoteListing | None:
        data = self.call("GET", f"/api/products/{remote_id}")
        return _listing(data) if data else None

    def update_price_stock(self, remote_id: str, price: int, stock: int) -> RemoteListing:
        return _listing(self.call("POST", f"/api/products/{remote_id}/update",
                                  json_body={"PRICE": price, "QUANTITY": stock}, write=True))

    def update_images(self, remote_id: str, image_ids: list[str]) -> RemoteListing:
        return _listing(self.call("POST", f"/api/products/{remote_id}/images", json_body={"IMAGES": image_ids},
                                  write=True))

    def set_listed(self, remote_id: str, listed: bool) -> RemoteListing:
        return _listing(self.call("POST", f"/api/products/{remote_id}/{'show' if listed else 'hide'}", write=True))

    def events_since(self, cursor: int) -> tuple[list[dict], int]:
        data = self.call("GET", "/api/events", params={"cursor": cursor, "limit": 200})
        return data["events"], data["next_cursor"]

    def _event_from_webhook(self, payload: dict) -> dict | None:
        # Viettel Post style: the shared token travels in the body as well.
        if not hmac.compare_digest(str(payload.get("TOKEN", "")), self.settings["webhook_secret"]):
            return None
        return payload.get("DATA")
