"""In-memory marketplace state shared by both dialects, with review, orders and an event log."""

from __future__ import annotations

import itertools
import random
import secrets
import threading
import time
from dataclasses import dataclass, field

BANNED_WORDS = ("hàng giả", "hang gia", "fake")


@dataclass
class Faults:
    """Fault injection rates (0..1), settable at start or via POST /_sandbox/config."""

    error_5xx: float = 0.0
    rate_limit_429: float = 0.0
    timeout_after_write: float = 0.0
    error_on_200: float = 0.0  # VoSo dialect: {"error": true} with HTTP 200
    token_ttl_seconds: float = 3600.0
    webhook_duplicate: float = 0.0
    webhook_shuffle: bool = False
    review_seconds: float = 0.2
    timeout_sleep_seconds: float = 3.0
    seed: int | None = None
    # Farmer-notice channels (sandbox/sms.py, zalo.py, push.py): a gateway down answers 503.
    sms_down: bool = False
    sms_hang_seconds: float = 0.0  # the SMS gateway answers this late (a read timeout: unknown outcome)
    sms_code_result: str = ""  # the SMS gateway answers this CodeResult (e.g. "104", "99")
    zalo_down: bool = False
    push_down: bool = False


@dataclass
class RemoteProduct:
    id: str
    seller_sku: str
    name: str
    price: int
    stock: int
    category_id: str
    image_ids: list[str]
    description: str
    status: str = "REVIEWING"  # REVIEWING -> LIVE | REJECTED ; LIVE <-> DELISTED
    reason: str = ""
    created_at: float = field(default_factory=time.time)
    version: int = 1


@dataclass
class Event:
    id: str
    sequence: int
    type: str  # product.reviewed | product.status | order.created | order.status
    occurred_at: float
    data: dict


class Marketplace:
    """One marketplace's state. Every mutation holds the lock; events get a global sequence."""

    def __init__(self, name: str, categories: list[dict]):
        self.name = name
        self.lock = threading.RLock()
        self.categories = categories
        self.products: dict[str, RemoteProduct] = {}
        self.by_sku: dict[str, str] = {}
        self.images: dict[str, int] = {}
        self.orders: dict[str, dict] = {}
        self.events: list[Event] = []
        self.tokens: dict[str, float] = {}
        self._ids = itertools.count(1001)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def issue_token(self, ttl: float) -> tuple[str, float]:
        token = secrets.token_hex(16)
        expires = time.time() + ttl
        with self.lock:
            self.tokens[token] = expires
        return token, expires

    def token_valid(self, token: str | None) -> bool:
        return bool(token) and self.tokens.get(token, 0) > time.time()

    def emit(self, event_type: str, data: dict) -> Event:
        with self.lock:
            event = Event(id=secrets.token_hex(8), sequence=len(self.events) + 1, type=event_type,
                          occurred_at=time.time(), data=data)
            self.events.append(event)
            return event

    def create_product(self, payload: dict) -> RemoteProduct:
        with self.lock:
            product = RemoteProduct(
                id=self.new_id("P"), seller_sku=payload["seller_sku"], name=payload["name"],
                price=int(payload["price"]), stock=int(payload["stock"]), category_id=str(payload["category_id"]),
                image_ids=list(payload.get("image_ids") or []), description=payload.get("description", ""),
            )
            self.products[product.id] = product
            self.by_sku.setdefault(product.seller_sku, product.id)
            return product

    def review_due(self, review_seconds: float) -> None:
        """Decide the listings whose review time has come (called by the background thread)."""
        now = time.time()
        with self.lock:
            for product in self.products.values():
                if product.status == "REVIEWING" and now - product.created_at >= review_seconds:
                    reason = self._rejection(product)
                    product.status, product.reason = ("REJECTED", reason) if reason else ("LIVE", "")
                    product.version += 1
                    self.emit("product.reviewed", self.product_event_data(product))

    @staticmethod
    def _rejection(product: RemoteProduct) -> str:
        if not product.image_ids:
            return "NO_IMAGE"
        if product.price <= 0:
            return "INVALID_PRICE"
        if any(word in product.name.lower() for word in BANNED_WORDS):
            return "BANNED_WORD"
        return ""

    @staticmethod
    def product_event_data(product: RemoteProduct) -> dict:
        return {"product_id": product.id, "seller_sku": product.seller_sku, "status": product.status,
                "reason": product.reason, "version": product.version, "price": product.price,
                "stock": product.stock}

    # How the buyer pays, in each marketplace's own words (see the connector's adapters).
    PAYMENT_WORDS = {"postmart": ("payment_method", {"cod": "COD", "prepaid": "ONLINE", "transfer": "BANK_TRANSFER"}),
                     "voso": ("PAYMENT_TYPE", {"cod": 1, "prepaid": 2, "transfer": 3})}

    def place_order(self, product_id: str, quantity: int, buyer: dict, payment: str = "cod") -> dict:
        with self.lock:
            product = self.products.get(product_id)
            if product is None or product.status != "LIVE":
                raise LookupError("product not on sale")
            if product.stock < quantity:
                raise ValueError("not enough stock")
            product.stock -= quantity
            order = {"order_id": self.new_id("O"), "status": "CREATED", "created_at": time.time(),
                     "items": [{"product_id": product.id, "seller_sku": product.seller_sku, "quantity": quantity,
                                "unit_price": product.price}],
                     "total": product.price * quantity, "buyer": buyer}
            key, words = self.PAYMENT_WORDS[self.name]
            if payment not in words:
                raise ValueError("payment must be cod, prepaid or transfer")
            order[key] = words[payment]
            order["prepaid"] = payment == "prepaid"
            self.orders[order["order_id"]] = order
            self.emit("order.created", order)
            return order

    def set_order_status(self, order_id: str, status: str) -> dict:
        with self.lock:
            order = self.orders[order_id]
            order["status"] = status
            self.emit("order.status", {"order_id": order_id, "status": status})
            if status == "COMPLETED" and order.get("prepaid") and not order.get("settled"):
                # The marketplace pays the seller what the buyer paid it (commission left aside).
                order["settled"] = True
                self.emit("order.settled", {"order_id": order_id, "settlement_id": self.new_id("S"),
                                            "amount": order["total"]})
            return order


def roll(rate: float, rng: random.Random) -> bool:
    return rate > 0 and rng.random() < rate
