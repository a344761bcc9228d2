"""The sandbox's HTTP side: two dialects over one state, signed requests, faults, signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from dataclasses import asdict, fields

import requests
from flask import Blueprint, Flask, abort, current_app, g, jsonify, request

from connector.sandbox.state import Event, Faults, Marketplace, roll

POSTMART_CATEGORIES = [
    {"gc_id": 10, "gc_name": "Nông sản", "gc_parent_id": 0, "type_id": 1, "commis_rate": 5, "gc_show": 1},
    {"gc_id": 11, "gc_name": "Gạo, ngũ cốc", "gc_parent_id": 10, "type_id": 1, "commis_rate": 5, "gc_show": 1},
    {"gc_id": 12, "gc_name": "Rau củ quả", "gc_parent_id": 10, "type_id": 1, "commis_rate": 5, "gc_show": 1},
    {"gc_id": 13, "gc_name": "Đặc sản vùng miền", "gc_parent_id": 10, "type_id": 1, "commis_rate": 6, "gc_show": 1},
    {"gc_id": 14, "gc_name": "Mật ong, thảo dược", "gc_parent_id": 10, "type_id": 1, "commis_rate": 6, "gc_show": 1},
    {"gc_id": 15, "gc_name": "Chè, cà phê", "gc_parent_id": 10, "type_id": 1, "commis_rate": 6, "gc_show": 1},
    {"gc_id": 16, "gc_name": "Thủy hải sản", "gc_parent_id": 10, "type_id": 1, "commis_rate": 6, "gc_show": 1},
    {"gc_id": 17, "gc_name": "Thủ công mỹ nghệ", "gc_parent_id": 0, "type_id": 2, "commis_rate": 8, "gc_show": 1},
]
VOSO_CATEGORIES = [
    {"CATEGORY_ID": 501, "CATEGORY_NAME": "Nông sản tươi", "PARENT_ID": 0},
    {"CATEGORY_ID": 502, "CATEGORY_NAME": "Gạo và ngũ cốc", "PARENT_ID": 501},
    {"CATEGORY_ID": 503, "CATEGORY_NAME": "Đặc sản, OCOP", "PARENT_ID": 0},
    {"CATEGORY_ID": 504, "CATEGORY_NAME": "Thực phẩm khô", "PARENT_ID": 503},
    {"CATEGORY_ID": 505, "CATEGORY_NAME": "Đồ uống", "PARENT_ID": 503},
    {"CATEGORY_ID": 506, "CATEGORY_NAME": "Thủ công", "PARENT_ID": 0},
]
STALE_SECONDS = 300


def signature(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    message = f"{method}\n{path}\n{timestamp}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def post_signed(session: requests.Session, target: dict, payload: dict) -> bool:
    """One webhook delivery (marketplace, bank or carrier), signed with the target's secret; True on a 2xx."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    path = requests.utils.urlparse(target["url"]).path
    headers = {"Content-Type": "application/json", "X-Timestamp": timestamp,
               "X-Signature": signature(target["secret"], "POST", path, timestamp, body)}
    try:
        return session.post(target["url"], data=body, headers=headers, timeout=(2, 5)).ok
    except requests.RequestException:
        return False


class Sandbox:
    def __init__(self, config: dict):
        self.config = config
        self.faults = Faults(**config.get("faults", {}))
        self.rng = random.Random(self.faults.seed)
        categories = {"postmart": POSTMART_CATEGORIES, "voso": VOSO_CATEGORIES}
        self.markets = {name: Marketplace(name, categories[name]) for name in categories}
        # Provincial storefronts: a shop of its own on the same marketplace, with its own account,
        # products, events and webhook target. Keyed "<marketplace>@<shop>", e.g. "postmart@44".
        self.shops: dict[str, dict] = {}  # key -> credentials
        for name, shops in (config.get("shops") or {}).items():
            for shop, credentials in shops.items():
                key = f"{name}@{shop}"
                self.markets[key] = Marketplace(name, categories[name])
                self.markets[key]._ids = self.markets[name]._ids  # ids unique across the marketplace
                self.shops[key] = credentials
        # marketplace (or "<marketplace>@<shop>", or "bank") -> {"url", "secret"}
        self.webhooks = dict(config.get("webhooks", {}))
        from connector.sandbox.bank import Bank

        self.bank = Bank()
        from connector.sandbox.carrier import Carrier

        self.carrier = Carrier()
        from connector.sandbox.push import PushService
        from connector.sandbox.sms import SmsCentre
        from connector.sandbox.zalo import ZaloOA

        self.sms = SmsCentre(config.get("sms"))
        self.zalo = ZaloOA(config.get("zalo"))
        self.push = PushService()
        self.cursor: dict[str, int] = dict.fromkeys(self.markets, 0)  # events before it are delivered
        self.done: dict[str, set[str]] = {key: set() for key in self.markets}
        self.retry_at: dict[tuple[str, str], tuple[float, int]] = {}
        self.stop = threading.Event()

    def reset(self) -> None:
        self.__init__({**self.config, "webhooks": self.webhooks})

    # -- webhooks out -----------------------------------------------------------------------------
    def deliver_forever(self) -> None:
        session = requests.Session()
        while not self.stop.wait(0.05):
            for name, market in self.markets.items():
                market.review_due(self.faults.review_seconds)
                self._deliver(name, market, session)
            self.bank.deliver(self.webhooks.get("bank"), session, self.faults.webhook_duplicate, self.rng)
            self.carrier.deliver(self.webhooks.get("carrier"), session)
            self.sms.deliver(self.webhooks.get("sms"), session)

    def _deliver(self, name: str, market: Marketplace, session: requests.Session) -> None:
        """Send every event not yet answered 2xx; failures wait with exponential backoff."""
        target = self.webhooks.get(name)
        if not target:
            return
        with market.lock:
            pending = [e for e in market.events[self.cursor[name]:] if e.id not in self.done[name]]
        if self.faults.webhook_shuffle and len(pending) > 1:
            self.rng.shuffle(pending)
        for event in pending:
            due, attempt = self.retry_at.get((name, event.id), (0.0, 0))
            if due > time.time():
                continue
            times = 2 if roll(self.faults.webhook_duplicate, self.rng) else 1
            if all(self._post(session, name, target, event) for _ in range(times)):
                self.done[name].add(event.id)
                self.retry_at.pop((name, event.id), None)
            else:
                self.retry_at[(name, event.id)] = (time.time() + min(30.0, 0.5 * 2 ** attempt), attempt + 1)
        with market.lock:
            while self.cursor[name] < len(market.events) and market.events[self.cursor[name]].id in self.done[name]:
                self.done[name].discard(market.events[self.cursor[name]].id)
                self.cursor[name] += 1

    def _post(self, session: requests.Session, name: str, target: dict, event: Event) -> bool:
        payload = {"event_id": event.id, "type": event.type, "sequence": event.sequence,
                   "occurred_at": event.occurred_at, "data": event.data}
        if name.split("@")[0] == "voso":  # Viettel Post style: {DATA, TOKEN}
            payload = {"DATA": payload, "TOKEN": target["secret"]}
        return post_signed(session, target, payload)


def sandbox() -> Sandbox:
    return current_app.extensions["sandbox"]


def accounts(name: str) -> list[tuple[str, dict]]:
    """(market key, credentials) of the marketplace's national account and its provincial shops."""
    national = current_app.config["SANDBOX_CREDENTIALS"][name]
    return [(name, national)] + [(key, cred) for key, cred in sandbox().shops.items() if key.split("@")[0] == name]


def choose_account(name: str, matches) -> dict:
    """The credentials of the account a request speaks for (`matches(credentials, market)`; the
    national account when none does), its market remembered in g for the handlers."""
    choices = accounts(name)
    key, credentials = next(((k, c) for k, c in choices if matches(c, sandbox().markets[k])), choices[0])
    g.market, g.credentials = sandbox().markets[key], credentials
    return credentials


# -- request checks shared by both dialects ------------------------------------------------------
def check_signature(secret: str) -> bool:
    timestamp = request.headers.get("X-Timestamp", "")
    given = request.headers.get("X-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > STALE_SECONDS:
        return False
    expected = signature(secret, request.method, request.path, timestamp, request.get_data())
    return hmac.compare_digest(expected, given)


def inject_faults(write: bool):
    """None to go on, or a (status, headers, kind) describing the injected fault."""
    box, faults = sandbox(), sandbox().faults
    if roll(faults.error_5xx, box.rng):
        return 503, {}, "5xx"
    if roll(faults.rate_limit_429, box.rng):
        return 429, {"Retry-After": "1"}, "429"
    if g.dialect == "voso" and roll(faults.error_on_200, box.rng):
        return 200, {}, "error_on_200"
    if write and roll(faults.timeout_after_write, box.rng):
        g.sleep_after = faults.timeout_sleep_seconds
    return None


def create_sandbox_app(config: dict | None = None) -> Flask:
    from connector.sandbox import bank, buyer, carrier, guide, push, sms, zalo
    from connector.sandbox.dialects import postmart, voso

    app = Flask(__name__)
    app.json.ensure_ascii = False
    config = config or {}
    app.extensions["sandbox"] = box = Sandbox(config)
    app.config["SANDBOX_CREDENTIALS"] = config.get("credentials", {
        "postmart": {"client_id": "demo-postmart", "client_secret": "demo-postmart-secret",
                     "signing_secret": "demo-postmart-signing"},
        "voso": {"username": "demo-voso", "password": "demo-voso-password", "signing_secret": "demo-voso-signing"},
    })
    app.register_blueprint(postmart.bp)
    app.register_blueprint(voso.bp)
    app.register_blueprint(buyer.bp)
    app.register_blueprint(bank.bp)
    app.register_blueprint(carrier.bp)
    app.register_blueprint(carrier.admin)
    for channel in (sms, zalo, push):  # farmer notices
        app.register_blueprint(channel.bp)
        app.register_blueprint(channel.admin)
    app.register_blueprint(admin)
    app.register_blueprint(guide.bp)

    @app.after_request
    def slow_down_after_write(response):
        # "Timeout after the write was applied": the change is made, the answer comes too late.
        if g.get("sleep_after"):
            time.sleep(g.sleep_after)
        return response

    if config.get("deliver_webhooks", True):
        threading.Thread(target=box.deliver_forever, daemon=True, name="sandbox-webhooks").start()
    return app


admin = Blueprint("sandbox_admin", __name__, url_prefix="/_sandbox")


@admin.post("/config")
def configure():
    """Tests and demos set faults and webhook targets here."""
    body = request.get_json(force=True)
    box = sandbox()
    known = {f.name for f in fields(Faults)}
    for key, value in (body.get("faults") or {}).items():
        if key not in known:
            abort(400)
        setattr(box.faults, key, value)
    if "seed" in (body.get("faults") or {}):
        box.rng = random.Random(body["faults"]["seed"])
    box.webhooks.update(body.get("webhooks") or {})
    return jsonify(faults=asdict(box.faults), webhooks=list(box.webhooks))


@admin.post("/reset")
def reset():
    sandbox().reset()
    return jsonify(ok=True)


@admin.get("/products/<marketplace>")
def products(marketplace: str):
    market = sandbox().markets.get(marketplace) or abort(404)
    with market.lock:
        return jsonify([{**asdict(p)} for p in market.products.values()])


@admin.get("/health")
def health():
    return jsonify(ok=True)
