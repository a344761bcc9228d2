"""PostMart ("Nông sản Bưu điện Open API" style): envelope {code, message, result}, Bearer token."""

from __future__ import annotations

from connector.marketplaces.adapters.base import MarketplaceAdapter, RemoteListing
from connector.orders.models import PayBy
from connector.remote import AuthExpired, Refused, RetryableError

API = "/apis/v1/merchant"
# How the buyer pays, in PostMart's words. An order without it is cash on delivery, the default there.
PAYMENT_METHODS = {"COD": PayBy.COD, "ONLINE": PayBy.MARKETPLACE, "BANK_TRANSFER": PayBy.TRANSFER}


def _listing(data: dict) -> RemoteListing:
    return RemoteListing(id=data["id"], seller_sku=data["seller_sku"], status=data["status"],
                         reason=data.get("reason") or "", version=data.get("version", 0), price=data["price"],
                         stock=data["stock"], image_ids=tuple(data.get("image_ids") or ()))


class PostMartAdapter(MarketplaceAdapter):
    name = "postmart"
    token_header = "Authorization"  # noqa: S105 - a header name

    def _token_value(self, token: str) -> str:
        return f"Bearer {token}"

    def _unwrap(self, response):
        try:
            body = response.json()
        except ValueError as error:
            raise RetryableError("postmart: unreadable answer") from error
        code = body.get("code", response.status_code)
        if code == 200:
            return body.get("result")
        if code == 401:
            raise AuthExpired(body.get("message", "401"))
        if code == 404:
            return None
        if code >= 500:
            raise RetryableError(body.get("message", str(code)))
        raise Refused(body.get("message", str(code)))

    @staticmethod
    def pay_by(order: dict) -> PayBy:
        return PAYMENT_METHODS.get(str(order.get("payment_method", "COD")).upper(), PayBy.COD)

    def login(self) -> str:
        result = self._send("POST", f"{API}/auth/token", authenticated=False, json_body={
            "client_id": self.settings["client_id"], "client_secret": self.settings["client_secret"]})
        return result["access_token"]

    def categories(self) -> list[dict]:
        return [{"id": str(c["gc_id"]), "name": c["gc_name"], "parent_id": str(c["gc_parent_id"])}
                for c in self.call("GET", f"{API}/categories/all")]

    def upload_image(self, data: bytes) -> str:
        return self.call("POST", f"{API}/images", files={"image": ("photo.jpg", data, "image/jpeg")},
                         write=True)["image_id"]

    def create(self, payload: dict) -> RemoteListing:
        return _listing(self.call("POST", f"{API}/products", json_body=payload, write=True))

    def find_by_sku(self, sku: str) -> RemoteListing | None:
        found = self.call("GET", f"{API}/products", params={"seller_sku": sku}) or []
        return _listing(found[0]) if found else None

    def get(self, remote_id: str) -> RemoteListing | None:
        data = self.call("GET", f"{API}/products/{remote_id}")
        return _listing(data) if data else None

    def update_price_stock(self, remote_id: str, price: int, stock: int) -> RemoteListing:
        return _listing(self.call("PUT", f"{API}/products/{remote_id}/price-stock",
                                  json_body={"price": price, "stock": stock}, write=True))

    def update_images(self, remote_id: str, image_ids: list[str]) -> RemoteListing:
        return _listing(self.call("PUT", f"{API}/products/{remote_id}/images", json_body={"image_ids": image_ids},
                                  write=True))

    def set_listed(self, remote_id: str, listed: bool) -> RemoteListing:
        action = "relist" if listed else "delist"
        return _listing(self.call("POST", f"{API}/products/{remote_id}/{action}", write=True))

    def events_since(self, cursor: int) -> tuple[list[dict], int]:
        result = self.call("GET", f"{API}/events", params={"cursor": cursor, "limit": 200})
        return result["events"], result["next_cursor"]
