"""End-to-end publishing: the sandbox and the connector on real ports, real worker processes.

Data here is committed (other processes must see it), in province 01 so that it does not meet the
province-44 tests, and removed at the end of each module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete, select
from werkzeug.serving import make_server

from connector.audit.models import AuditEvent
from connector.auth.models import ApiToken, User
from connector.catalogue.models import Product, ProductPhoto
from connector.config import marketplace_settings, notice_settings
from connector.extensions import db
from connector.farmers.models import FarmerChange, FarmerSession, SignInCode, SignInLink
from connector.households.models import Household
from connector.jobs.outbox import OutboxJob
from connector.logistics.models import Pickup, ServicePoint, Shipment
from connector.marketplaces.models import (
    EventCursor,
    Listing,
    MarketplaceEvent,
    RemoteImage,
)
from connector.notices.models import Notice, NoticeAttempt, PushSubscription
from connector.orders.models import Order, OrderItem, Receipt
from connector.payments.models import Payment
from connector.sandbox import create_sandbox_app
from connector.sandbox.serving import SandboxRequestHandler


def serve(app, request_handler=None) -> tuple[str, callable]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=request_handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(timeout=10)

    return f"http://127.0.0.1:{server.server_port}", stop


@pytest.fixture(scope="module")
def connector_url(app):
    url, stop = serve(app)
    yield url
    stop()


# Hồ Chí Minh City (79) sells through shops of its own on both marketplaces; other provinces through
# the national accounts.
SHOP_PROVINCE = "79"
SHOPS = {
    "postmart": {SHOP_PROVINCE: {"client_id": "hcm-postmart", "client_secret": "hcm-postmart-secret",
                                 "signing_secret": "hcm-postmart-signing", "webhook_secret": "hcm-postmart-webhook"}},
    "voso": {SHOP_PROVINCE: {"username": "hcm-voso", "password": "hcm-voso-password",
                             "signing_secret": "hcm-voso-signing", "webhook_secret": "hcm-voso-webhook"}},
}
SHOP_ENV = {"POSTMART_STOREFRONTS": json.dumps(SHOPS["postmart"]), "VOSO_STOREFRONTS": json.dumps(SHOPS["voso"])}


@pytest.fixture(scope="module")
def sandbox(app, connector_url):
    """The sandbox over HTTP, sending signed webhooks to the connector; the app pointed at it."""
    secrets = marketplace_settings({})
    shop_webhooks = {f"{name}@{SHOP_PROVINCE}": {"url": f"{connector_url}/api/v1/webhooks/{name}/{SHOP_PROVINCE}",
                                                  "secret": SHOPS[name][SHOP_PROVINCE]["webhook_secret"]}
                     for name in SHOPS}
    sandbox_app = create_sandbox_app({"faults": {"review_seconds": 0.2, "timeout_sleep_seconds": 1.5},
                                      "shops": SHOPS, "webhooks": {**shop_webhooks,
        "postmart": {"url": f"{connector_url}/api/v1/webhooks/postmart",
                     "secret": secrets["postmart"]["webhook_secret"]},
        "voso": {"url": f"{connector_url}/api/v1/webhooks/voso", "secret": secrets["voso"]["webhook_secret"]},
        "bank": {"url": f"{connector_url}/api/v1/webhooks/payments", "secret": app.config["PAYMENTS_WEBHOOK_SECRET"]},
        "carrier": {"url": f"{connector_url}/api/v1/webhooks/carrier",
                    "secret": app.config["CARRIER"]["webhook_secret"]},
        "sms": {"url": f"{connector_url}/api/v1/webhooks/sms",
                "secret": app.config["NOTICES"]["sms"]["webhook_secret"]},
    }})
    url, stop = serve(sandbox_app, SandboxRequestHandler)  # it keeps Zalo's access_token header
    saved = app.config["MARKETPLACES"]
    app.config["MARKETPLACES"] = marketplace_settings({"SANDBOX_URL": url, "MARKETPLACE_READ_TIMEOUT": "1",
                                                       **SHOP_ENV})
    saved_carrier = app.config["CARRIER"]
    app.config["CARRIER"] = {**saved_carrier, "base_url": f"{url}/carrier/api", "read_timeout": 1.0}
    saved_notices = app.config["NOTICES"]
    app.config["NOTICES"] = notice_settings({"SANDBOX_URL": url, "NOTICES_READ_TIMEOUT": "1"}, production=False)
    app.extensions.pop("connector.adapters", None)
    yield SandboxClient(url, sandbox_app)
    app.config["MARKETPLACES"], app.config["CARRIER"], app.config["NOTICES"] = saved, saved_carrier, saved_notices
    app.extensions.pop("connector.adapters", None)
    sandbox_app.extensions["sandbox"].stop.set()
    stop()


class SandboxClient:
    def __init__(self, url: str, flask_app):
        self.url = url
        self.state = flask_app.extensions["sandbox"]

    def configure(self, **faults):
        requests.post(f"{self.url}/_sandbox/config", json={"faults": faults}, timeout=5).raise_for_status()

    def products(self, marketplace: str) -> list[dict]:
        return requests.get(f"{self.url}/_sandbox/products/{marketplace}", timeout=5).json()

    def order(self, marketplace: str, seller_sku: str, quantity: int = 1):
        return requests.post(f"{self.url}/_sandbox/{marketplace}/orders", timeout=5, json={
            "seller_sku": seller_sku, "quantity": quantity,
            "buyer": {"name": "Khách Hàng", "phone": "0987000111", "address": "Hà Nội"}})


class Workers:
    """Real `python -m workers` processes, as in production."""

    def __init__(self, app_config: dict, sandbox_url: str):
        self.env = dict(os.environ, DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
                        REDIS_URL=app_config["REDIS_URL"], SECRET_KEY=app_config["SECRET_KEY"],
                        SANDBOX_URL=sandbox_url, MARKETPLACE_READ_TIMEOUT="1", PUBLISH_BACKOFF_SECONDS="0.3",
                        WORKER_PERIODIC_SECONDS="1", MEDIA_ROOT=app_config["MEDIA_ROOT"],
                        PUBLISH_MAX_ATTEMPTS="40", PUBLISH_BACKOFF_MAX_SECONDS="2", SYNC_LOCK_SECONDS="5",
                        OUTBOX_REDISPATCH_SECONDS="2", OUTBOX_REDRIVE_SECONDS="1", REVIEW_POLL_SECONDS="5",
                        NOTICES_READ_TIMEOUT="1",
                        CONNECTOR_INSTANCE_DIR=app_config["INSTANCE_DIR"], **SHOP_ENV)
        self.processes: list[subprocess.Popen] = []
        # Each worker's log goes to a file, so that a failing test can say what the workers saw.
        self.log_dir = Path(app_config["INSTANCE_DIR"]) / "worker-logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            with open(self.log_dir / f"worker-{time.time_ns()}.log", "ab") as log:
                self.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "workers"], env=self.env, stdout=log, stderr=subprocess.STDOUT))

    def problems(self, lines: int = 40) -> str:
        """The workers' latest warnings, errors and tracebacks (for a failure message)."""
        found = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            # Log lines at WARNING and above, and each traceback's last line (the exception itself).
            found += [f"{path.stem}: {line}" for line in text if " WARNING " in line or " ERROR " in line
                      or (line[:1].isalpha() and ("Error: " in line or "Exception: " in line))]
        return "\n".join(found[-lines:]) or "(no warnings in the worker logs)"

    def ensure(self, count: int) -> None:
        """At least `count` workers running (each test may run alone)."""
        self.start(max(0, count - len(self.processes)))

    def kill_one(self) -> None:
        self.processes[0].kill()  # SIGKILL: no clean-up, the job it was running is abandoned
        self.processes[0].wait()
        self.processes.pop(0)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []


@pytest.fixture(scope="module")
def workers(app_config, sandbox):
    pool = Workers(app_config, sandbox.url)
    yield pool
    pool.stop()


def run_job(app, work, *args):
    """A job's work run here as a worker would: in an app context of its own, committed at the end."""
    with app.app_context():
        try:
            result = work(*args)
            db.session.commit()
            return result
        finally:
            db.session.rollback()
            db.session.remove()


def wait_until(condition, timeout: float = 60.0, every: float = 0.2, explain=None):
    """Poll `condition` until true; on timeout, fail with what `explain()` says about the state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s" + (f": {explain()}" if explain else ""))


@pytest.fixture(scope="module")
def committed(app):
    """Commit-mode data for the module, deleted afterwards (children first)."""
    yield
    with app.app_context():
        users = select(User.id).where(User.username.like("e2e-%")).scalar_subquery()
        households = select(Household.id).where(Household.onboarded_by_id.in_(users)).scalar_subquery()
        products = select(Product.id).where(Product.household_id.in_(households)).scalar_subquery()
        orders = select(Order.id).where(Order.household_id.in_(households)).scalar_subquery()
        for statement in (
            delete(Receipt).where(Receipt.order_id.in_(orders)),
            delete(Payment).where(Payment.order_id.in_(orders) | Payment.order_id.is_(None)),
            delete(Pickup).where(Pickup.order_id.in_(orders)), delete(Shipment).where(Shipment.order_id.in_(orders)),
            delete(ServicePoint).where(ServicePoint.code.like("E2E-%")),
            delete(OrderItem).where(OrderItem.order_id.in_(orders)), delete(Order).where(Order.id.in_(orders)),
            delete(Order).where(Order.household_id.is_(None)),
            delete(MarketplaceEvent), delete(EventCursor), delete(OutboxJob),
            delete(RemoteImage).where(RemoteImage.photo_id.in_(
                select(ProductPhoto.id).where(ProductPhoto.product_id.in_(products)))),
            delete(Listing).where(Listing.product_id.in_(products)),
            delete(ProductPhoto).where(ProductPhoto.product_id.in_(products)),
            # A product's audits (stock taken by an order has no actor) before the product: once it is
            # gone they can no longer be found, and a later product with the same id would inherit them.
            delete(AuditEvent).where(AuditEvent.entity_type == "product", AuditEvent.entity_id.in_(products)),
            delete(FarmerChange).where(FarmerChange.product_id.in_(products)),
            delete(Product).where(Product.id.in_(products)),
            delete(AuditEvent).where(AuditEvent.actor_id.in_(users)),
            delete(NoticeAttempt).where(NoticeAttempt.notice_id.in_(
                select(Notice.id).where(Notice.household_id.in_(households)))),
            delete(Notice).where(Notice.household_id.in_(households)),
            delete(PushSubscription).where(PushSubscription.household_id.in_(households)),
            delete(SignInCode).where(SignInCode.household_id.in_(households)),
            delete(SignInLink).where(SignInLink.household_id.in_(households)),
            delete(FarmerSession).where(FarmerSession.household_id.in_(households)),
            delete(Household).where(Household.id.in_(households)),
            delete(ApiToken).where(ApiToken.user_id.in_(users)), delete(User).where(User.id.in_(users)),
        ):
            db.session.execute(statement)
        db.session.commit()
        db.session.remove()
