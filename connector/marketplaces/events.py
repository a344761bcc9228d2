"""Marketplace events (webhooks and pulls): stored once, applied in event order, orders taken in."""

from __future__ import annotations

import logging

from sqlalchemy import String, bindparam, func, select, update

from connector.catalogue.models import Product
from connector.db import UTCDateTime, insert_unless_present, utcnow
from connector.extensions import db
from connector.jobs import enqueue_after_commit
from connector.marketplaces.adapters import adapter_for
from connector.marketplaces.event_checks import event_problems
from connector.marketplaces.models import EventCursor, Listing, MarketplaceEvent
from connector.marketplaces.states import REMOTE_STATES
from connector.orders.models import Channel, Order
from connector.orders.money import record_receipt
from connector.orders.services import IncomingItem, IncomingOrder, apply_source_status, take_in
from connector.signals import listing_rejected

log = logging.getLogger(__name__)
SKU_PREFIX = "CN-"


class OrderNotYetKnown(Exception):
    """A status event arrived before its order: the job is retried (RQ Retry) until it is there."""


# A listing's review result or status touches one row: it is applied where it arrives (webhook or
# pull), which spares a job per listing. Orders do more (stock, the other marketplace, pickup) and go
# to a job, so the webhook still answers fast.
APPLIED_ON_ARRIVAL = {"product.reviewed", "product.status"}


def record_event(marketplace: str, event: dict) -> int | None:
    """Store an event once (by its id) and apply it, or queue its application. Returns the stored
    row's id; a duplicate returns None."""
    event_id = str(event.get("event_id", ""))
    if not event_id:
        return None
    event_type = str(event.get("type", ""))
    on_arrival = event_type in APPLIED_ON_ARRIVAL
    row_id = insert_unless_present(db.session, MarketplaceEvent, dict(
        marketplace=marketplace, event_id=event_id, event_type=event_type,
        sequence=int(event.get("sequence", 0)), payload=event, received_at=utcnow(),
        applied_at=utcnow() if on_arrival else None), unique=["marketplace", "event_id"])
    if row_id is None:
        return None
    if on_arrival:
        problem = _apply_listing_event(marketplace, event.get("data") or {})
        if problem:
            db.session.execute(update(MarketplaceEvent).where(MarketplaceEvent.id == row_id)
                               .values(problem=problem))
        return row_id
    from connector.marketplaces.jobs import apply_event_job

    enqueue_after_commit(apply_event_job, row_id)
    return row_id


def pull_events(marketplace: str, storefront: str = "") -> int:
    """Read one account's events after our cursor and store the ones we have not seen; returns how
    many were new. Each provincial shop has its own event list, so its own cursor. The pull job's
    work: read the cursor (short transaction), call (none open), record."""
    key = f"{marketplace}:{storefront}" if storefront else marketplace
    cursor = db.session.get(EventCursor, key)
    since = cursor.cursor if cursor else 0
    db.session.commit()
    events, next_cursor = adapter_for(marketplace, storefront).events_since(since)
    new = 0
    for event in events:
        problems = event_problems(event)
        if problems:  # the sender's bug: logged (no personal data: only what is wrong), never retried
            log.warning("%s event %s refused: %s", marketplace, str(event.get("event_id", "?"))[:64]
                        if isinstance(event, dict) else "?", sorted(problems))
            continue
        new += record_event(marketplace, event) is not None
    cursor = db.session.get(EventCursor, key) or EventCursor(marketplace=key, cursor=0)
    db.session.add(cursor)
    cursor.cursor = next_cursor
    return new


def apply_event(event_row_id: int) -> None:
    row = db.session.get(MarketplaceEvent, event_row_id)
    if row is None or row.applied_at:
        return
    data = row.payload.get("data") or {}
    if row.event_type in APPLIED_ON_ARRIVAL:
        row.problem = _apply_listing_event(row.marketplace, data)
    elif row.event_type == "order.created":
        _take_order(row, data)
    elif row.event_type == "order.status":
        _apply_order_status(row, data)
    elif row.event_type == "order.settled":
        _apply_settlement(row, data)
    else:
        row.problem = f"unknown event type {row.event_type}"[:200]
    row.applied_at = utcnow()


_THIS_LISTING = (Listing.marketplace == bindparam("of_marketplace")) & (Listing.product_id == bindparam("of_product"))
# One conditional UPDATE, built once (webhooks arrive at publishing rates): only a newer version
# applies (an older event arriving late changes nothing), and two events of one listing applied at
# once cannot both pass the check. An unknown status keeps the state; a known remote id is kept.
_APPLY_LISTING_EVENT = update(Listing).where(_THIS_LISTING, Listing.remote_version < bindparam("new_version")).values(
    remote_version=bindparam("new_version"), remote_id=func.coalesce(Listing.remote_id, bindparam("new_remote_id")),
    state=func.coalesce(bindparam("new_state", type_=String), Listing.state), reason=bindparam("new_reason"),
    updated_at=bindparam("now", type_=UTCDateTime))
_LISTING_ID = select(Listing.id).where(_THIS_LISTING)


def _apply_listing_event(marketplace: str, data: dict) -> str | None:
    """A review result or status change; returns the problem when the listing is unknown."""
    sku = str(data.get("seller_sku", ""))
    product_id = int(sku.removeprefix(SKU_PREFIX)) if sku.startswith(SKU_PREFIX) and sku[3:].isdigit() else None
    if product_id is None:
        return "listing unknown to the connector"
    which = {"of_marketplace": marketplace, "of_product": product_id}
    applied = db.session.execute(_APPLY_LISTING_EVENT, {
        **which, "new_version": int(data.get("version", 0)), "new_remote_id": data.get("product_id"),
        "new_state": REMOTE_STATES.get(data.get("status")), "new_reason": data.get("reason") or None,
        "now": utcnow(),
    }, execution_options={"synchronize_session": False}).rowcount
    if not applied and db.session.scalar(_LISTING_ID, which) is None:
        return "listing unknown to the connector"
    if applied and data.get("status") == "REJECTED":
        listing = db.session.scalar(select(Listing).where(Listing.marketplace == marketplace,
                                                          Listing.product_id == product_id))
        listing_rejected.send(listing, reason=data.get("reason") or "", version=int(data.get("version", 0)))
    return None


def _take_order(row: MarketplaceEvent, data: dict) -> None:
    """The marketplace's order, in its dialect, handed to the one order intake."""
    buyer = data.get("buyer") or {}
    items = []
    for item in data.get("items", []):
        sku = str(item.get("seller_sku", ""))
        product = _product_for_sku(sku)
        items.append(IncomingItem(seller_sku=sku, product_id=product.id if product else None,
                                  quantity=int(item.get("quantity", 1)), unit_price_vnd=int(item.get("unit_price", 0))))
    take_in(IncomingOrder(
        source=row.marketplace, remote_order_id=str(data.get("order_id", "")),
        status=str(data.get("status", "CREATED")), sequence=row.sequence, total_vnd=int(data.get("total", 0)),
        pay_by=adapter_for(row.marketplace).pay_by(data), items=tuple(items),
        buyer_name=str(buyer.get("name", "")), buyer_phone=str(buyer.get("phone", "")),
        buyer_address=str(buyer.get("address", ""))))


def _order_of(row: MarketplaceEvent, data: dict) -> Order:
    order = db.session.scalar(select(Order).where(Order.marketplace == row.marketplace,
                                                  Order.remote_order_id == str(data.get("order_id", ""))))
    if order is None:
        raise OrderNotYetKnown(data.get("order_id"))
    return order


def _apply_order_status(row: MarketplaceEvent, data: dict) -> None:
    order = _order_of(row, data)
    apply_source_status(order, str(data.get("status", order.status)), row.sequence)


def _apply_settlement(row: MarketplaceEvent, data: dict) -> None:
    """The marketplace paid the seller for a prepaid order: a receipt, once per settlement."""
    order = _order_of(row, data)
    amount = int(data.get("amount", 0))
    if amount > 0:
        record_receipt(order, Channel.MARKETPLACE, amount, f"{row.marketplace}:{data.get('settlement_id')}")


def _product_for_sku(sku: str) -> Product | None:
    if not sku.startswith(SKU_PREFIX) or not sku[len(SKU_PREFIX):].isdigit():
        return None
    return db.session.get(Product, int(sku[len(SKU_PREFIX):]))
