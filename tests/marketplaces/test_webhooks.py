"""Webhooks in: signatures, duplicates, order of events, orders for unknown products."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from connector.config import marketplace_settings
from connector.marketplaces.events import apply_event
from connector.marketplaces.models import MarketplaceEvent
from connector.orders.models import Order
from connector.signing import sign
from tests.factories import make_household, photo_bytes, product_input

SECRETS = marketplace_settings({})


def signed_post(client, marketplace: str, event: dict, secret: str | None = None, timestamp: int | None = None):
    payload = event if marketplace == "postmart" else {"DATA": event, "TOKEN": SECRETS["voso"]["webhook_secret"]}
    body = json.dumps(payload).encode()
    path = f"/api/v1/webhooks/{marketplace}"
    stamp = str(timestamp or int(time.time()))
    signature = sign(secret or SECRETS[marketplace]["webhook_secret"], "POST", path, stamp, body)
    return client.post(path, data=body, content_type="application/json",
                       headers={"X-Timestamp": stamp, "X-Signature": signature})


def order_event(event_id: str, order_id: str, sku: str, sequence: int, quantity: int = 1) -> dict:
    return {"event_id": event_id, "type": "order.created", "sequence": sequence, "occurred_at": time.time(),
            "data": {"order_id": order_id, "status": "CREATED", "total": 35000 * quantity,
                     "items": [{"seller_sku": sku, "quantity": quantity, "unit_price": 35000}],
                     "buyer": {"name": "Khách", "phone": "0987000111", "address": "Huế"}}}


def status_event(event_id: str, order_id: str, status: str, sequence: int) -> dict:
    return {"event_id": event_id, "type": "order.status", "sequence": sequence, "occurred_at": time.time(),
            "data": {"order_id": order_id, "status": status}}


def apply_all(db_session) -> None:
    for row in db_session.scalars(select(MarketplaceEvent).where(MarketplaceEvent.applied_at.is_(None))
                                  .order_by(MarketplaceEvent.id)).all():
        apply_event(row.id)
    db_session.flush()


@pytest.fixture
def product(agent, db_session):
    from connector.catalogue.services import create_product

    household = make_household(agent)
    return create_product(agent, household.id, product_input(status="active", stock=10), [photo_bytes(300, 200)])


@pytest.mark.parametrize("marketplace", ["postmart", "voso"])
def test_bad_signature_gets_401_and_nothing_is_stored(client, db_session, marketplace):
    before = db_session.scalar(select(func.count(MarketplaceEvent.id)))
    wrong = signed_post(client, marketplace, order_event("e1", "O1", "CN-1", 1), secret="not-the-secret")
    stale = signed_post(client, marketplace, order_event("e1", "O1", "CN-1", 1), timestamp=int(time.time()) - 3600)
    for response in (wrong, stale):
        assert response.status_code == 401
        assert response.get_json()["message"] == "Chữ ký không hợp lệ."
    assert db_session.scalar(select(func.count(MarketplaceEvent.id))) == before


def test_the_same_event_twice_makes_one_order_and_stock_drops_once(client, db_session, product):
    event = order_event("evt-100", "O-100", f"CN-{product.id}", 5, quantity=3)
    assert signed_post(client, "postmart", event).get_json() == {"received": True, "duplicate": False}
    assert signed_post(client, "postmart", event).get_json() == {"received": True, "duplicate": True}
    apply_all(db_session)
    orders = db_session.scalars(select(Order).where(Order.remote_order_id == "O-100")).all()
    assert len(orders) == 1 and orders[0].total_vnd == 105000 and orders[0].household_id == product.household_id
    db_session.refresh(product)
    assert product.stock == 7


def test_events_out_of_order_end_in_the_right_status(client, db_session, product):
    sku = f"CN-{product.id}"
    # Delivered: created, then DELIVERED (seq 12), then the older SHIPPING (seq 11) arrives late.
    for event in (order_event("a1", "O-200", sku, 10), status_event("a3", "O-200", "DELIVERED", 12),
                  status_event("a2", "O-200", "SHIPPING", 11)):
        assert signed_post(client, "voso", event).status_code == 200
    apply_all(db_session)
    assert db_session.scalar(select(Order.status).where(Order.remote_order_id == "O-200")) == "DELIVERED"


def test_an_order_for_an_unknown_product_is_kept_as_an_exception(client, db_session):
    signed_post(client, "postmart", order_event("u1", "O-300", "CN-999999", 3))
    signed_post(client, "postmart", order_event("u2", "O-301", "SOMETHING-ELSE", 4))
    apply_all(db_session)
    orders = {o.remote_order_id: o for o in db_session.scalars(select(Order).where(
        Order.remote_order_id.in_(["O-300", "O-301"])))}
    assert set(orders) == {"O-300", "O-301"}
    assert orders["O-300"].exception.startswith("UNKNOWN_PRODUCT")


def test_a_burst_of_1000_order_webhooks_makes_1000_orders(client, db_session, product):
    sku = f"CN-{product.id}"
    for number in range(1000):
        response = signed_post(client, "postmart", order_event(f"burst-{number}", f"B-{number}", sku, 1000 + number))
        assert response.status_code == 200
    apply_all(db_session)
    assert db_session.scalar(select(func.count(Order.id)).where(Order.remote_order_id.like("B-%"))) == 1000
    db_session.refresh(product)
    assert product.stock == 10 - 1000  # oversold: shown to staff as an exception on the orders
    assert db_session.scalar(select(func.count(Order.id)).where(Order.exception.like("%OVERSOLD%"))) == 990


def test_a_provincial_shop_webhook_needs_the_shops_own_secret(client, app, db_session, product):
    shop = {"client_id": "hue-pm", "client_secret": "x", "signing_secret": "y", "webhook_secret": "hue-webhook"}
    saved = app.config["MARKETPLACES"]
    app.config["MARKETPLACES"] = {**saved, "postmart": {**saved["postmart"], "storefronts": {"46": shop}}}
    app.extensions.pop("connector.adapters", None)
    try:
        def post(path: str, secret: str, event_id: str):
            body = json.dumps(order_event(event_id, f"O-{event_id}", f"CN-{product.id}", 1)).encode()
            stamp = str(int(time.time()))
            return client.post(path, data=body, content_type="application/json", headers={
                "X-Timestamp": stamp, "X-Signature": sign(secret, "POST", path, stamp, body)})

        national_secret = SECRETS["postmart"]["webhook_secret"]
        assert post("/api/v1/webhooks/postmart/46", national_secret, "s1").status_code == 401
        assert post("/api/v1/webhooks/postmart/47", "hue-webhook", "s2").status_code == 404  # no such shop
        assert post("/api/v1/webhooks/postmart/46", "hue-webhook", "s3").status_code == 200
    finally:
        app.config["MARKETPLACES"] = saved
        app.extensions.pop("connector.adapters", None)
    stored = db_session.scalars(select(MarketplaceEvent.event_id)).all()
    assert "s3" in stored and "s1" not in stored and "s2" not in stored


def test_review_results_apply_on_arrival_and_a_late_older_one_changes_nothing(client, db_session, product):
    from connector.marketplaces.models import Listing

    listing = Listing(product_id=product.id, marketplace="postmart", state="pending_review", remote_version=1,
                      attempts=0, sync_pending=False, remote_id="P-77")
    db_session.add(listing)
    db_session.flush()

    def reviewed(event_id: str, status: str, version: int, reason: str | None = None) -> dict:
        return {"event_id": event_id, "type": "product.reviewed", "sequence": version, "occurred_at": time.time(),
                "data": {"product_id": "P-77", "seller_sku": f"CN-{product.id}", "status": status,
                         "version": version, "reason": reason}}

    # No job runs here: the listing shows the result as soon as the webhook is answered.
    assert signed_post(client, "postmart", reviewed("r-3", "LIVE", 3)).status_code == 200
    db_session.refresh(listing)
    assert listing.state == "live"
    signed_post(client, "postmart", reviewed("r-2", "REJECTED", 2, "BANNED_WORD"))
    db_session.refresh(listing)
    assert (listing.state, listing.reason, listing.remote_version) == ("live", None, 3)


def _signed_raw(client, path: str, body: bytes, secret: str):
    stamp = str(int(time.time()))
    return client.post(path, data=body, content_type="application/json",
                       headers={"X-Timestamp": stamp, "X-Signature": sign(secret, "POST", path, stamp, body)})


def test_a_signed_body_that_is_not_json_is_a_400_not_a_bad_signature(client, db_session, app):
    """Issue 15, finding 9: it was answered 401 "Chữ ký không hợp lệ" though the signature was right."""
    for body in (b"not json at all", b"[1, 2, 3]"):
        answer = _signed_raw(client, "/api/v1/webhooks/postmart", body, SECRETS["postmart"]["webhook_secret"])
        assert answer.status_code == 400 and "JSON" in answer.get_json()["message"]
        carrier = _signed_raw(client, "/api/v1/webhooks/carrier", body, app.config["CARRIER"]["webhook_secret"])
        assert carrier.status_code == 400
    assert db_session.scalar(select(func.count(MarketplaceEvent.id))) == 0


@pytest.mark.parametrize("marketplace", ["postmart", "voso"])
@pytest.mark.parametrize("spoil", [
    lambda e: e["data"].pop("items"),
    lambda e: e["data"]["items"][0].update(quantity="two"),
    lambda e: e["data"].update(order_id="X" * 65),
    lambda e: e.update(sequence="first"),
    lambda e: e["data"]["buyer"].update(phone="0" * 40),
    lambda e: e.update(event_id="E" * 65),
])
def test_a_signed_but_malformed_order_event_is_refused_and_nothing_is_stored(client, db_session, marketplace, spoil):
    """Issue 15, finding 9: such an event was stored and its job retried for ever."""
    event = order_event("ev-bad", "O-BAD", "CN-1", 1)
    spoil(event)
    answer = signed_post(client, marketplace, event)
    assert answer.status_code == 422
    assert db_session.scalar(select(func.count(MarketplaceEvent.id))) == 0
