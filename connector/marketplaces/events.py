"""Marketplace events (webhooks and pulls): stored once, applied in event order, orders taken in."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from connector.catalogue.models import Product, ProductStatus
from connector.db import utcnow
from connector.extensions import db
from connector.jobs import enqueue_after_commit
from connector.marketplaces.adapters import adapter_for
from connector.marketplaces.models import EventCursor, Listing, MarketplaceEvent, Order, OrderItem
from connector.marketplaces.services import REMOTE_STATES, sync_product_listings
from connector.signals import order_received

log = logging.getLogger(__name__)
SKU_PREFIX = "CN-"


class OrderNotYetKnown(Exception):
    """A status event arrived before its order: the job is retried (RQ Retry) until it is there."""


# A listing's review result or status touches one row: it is applied where it arrives (webhook or
# pull), which spares a job per listing. Orders do more (stock, the other marketplace, pickup) and go
# to a job, so the webhook still answers fast.
APPLIED_ON_ARRIVAL = {"product.reviewed", "product.status"}


def record_event(marketplace: str, event: dict) -> MarketplaceEvent | None:
    """Store an event once (by its id) and apply it, or queue its application; a duplicate returns None."""
    event_id = str(event.get("event_id", ""))
    if not event_id or db.session.scalar(select(MarketplaceEvent.id).where(
            MarketplaceEvent.marketplace == marketplace, MarketplaceEvent.event_id == event_id)):
        return None
    row = MarketplaceEvent(marketplace=marketplace, event_id=event_id, event_type=str(event.get("type", "")),
                           sequence=int(event.get("sequence", 0)), payload=event)
    try:
        with db.session.begin_nested():  # the same event arriving twice at once: one row wins
            db.session.add(row)
    except IntegrityError:
        return None
    if row.event_type in APPLIED_ON_ARRIVAL:
        apply_event(row.id)
        return row
    from connector.marketplaces.jobs import apply_event_job

    enqueue_after_commit(apply_event_job, row.id)
    return row


def pull_events(marketplace: str, storefront: str = "") -> int:
    """Read one account's events after our cursor and store the ones we have not seen; returns how
    many were new. Each provincial shop has its own event list, so its own cursor."""
    key = f"{marketplace}:{storefront}" if storefront else marketplace
    cursor = db.session.get(EventCursor, key) or EventCursor(marketplace=key, cursor=0)
    db.session.add(cursor)
    events, next_cursor = adapter_for(marketplace, storefront).events_since(cursor.cursor)
    new = sum(1 for event in events if record_event(marketplace, event) is not None)
    cursor.cursor = next_cursor
    return new


def apply_event(event_row_id: int) -> None:
    row = db.session.get(MarketplaceEvent, event_row_id)
    if row is None or row.applied_at:
        return
    data = row.payload.get("data") or {}
    if row.event_type in ("product.reviewed", "product.status"):
        _apply_listing_event(row, data)
    elif row.event_type == "order.created":
        _take_order(row, data)
    elif row.event_type == "order.status":
        _apply_order_status(row, data)
    else:
        row.problem = f"unknown event type {row.event_type}"[:200]
    row.applied_at = utcnow()


def _apply_listing_event(row: MarketplaceEvent, data: dict) -> None:
    sku = str(data.get("seller_sku", ""))
    product_id = int(sku.removeprefix(SKU_PREFIX)) if sku.startswith(SKU_PREFIX) and sku[3:].isdigit() else None
    # Locked: two events of one listing applied at once must not both pass the version check.
    listing = db.session.scalar(select(Listing).where(
        Listing.marketplace == row.marketplace, Listing.product_id == product_id).with_for_update()) \
        if product_id else None
    if listing is None:
        row.problem = "listing unknown to the connector"
        return
    version = int(data.get("version", 0))
    if version <= listing.remote_version:
        return  # an older event arriving late: the newer state is already applied
    listing.remote_version = version
    listing.remote_id = listing.remote_id or data.get("product_id")
    listing.state = REMOTE_STATES.get(data.get("status"), listing.state)
    listing.reason = data.get("reason") or None


def _take_order(row: MarketplaceEvent, data: dict) -> None:
    remote_order_id = str(data.get("order_id", ""))
    if db.session.scalar(select(Order.id).where(Order.marketplace == row.marketplace,
                                                Order.remote_order_id == remote_order_id)):
        return
    buyer = data.get("buyer") or {}
    order = Order(marketplace=row.marketplace, remote_order_id=remote_order_id,
                  status=str(data.get("status", "CREATED")), last_event_sequence=row.sequence,
                  total_vnd=int(data.get("total", 0)), buyer_name=str(buyer.get("name", ""))[:120],
                  buyer_phone=str(buyer.get("phone", ""))[:20], buyer_address=str(buyer.get("address", "")))
    problems = []
    for item in data.get("items", []):
        sku = str(item.get("seller_sku", ""))
        product = _product_for_sku(sku)
        quantity = int(item.get("quantity", 1))
        order.items.append(OrderItem(product_id=product.id if product else None, seller_sku=sku,
                                     name=product.name if product else "", quantity=quantity,
                                     unit_price_vnd=int(item.get("unit_price", 0))))
        if product is None:
            problems.append(f"UNKNOWN_PRODUCT {sku}")
            continue
        if product.status == ProductStatus.ARCHIVED:
            problems.append(f"ARCHIVED_PRODUCT {sku}")
        order.household_id = product.household_id
        order.province_code = product.household.province_code
        # One atomic decrement: two orders at once never both read the same stock.
        db.session.execute(update(Product).where(Product.id == product.id)
                           .values(stock=Product.stock - quantity))
        db.session.flush()
        db.session.refresh(product)
        if product.stock < 0:
            problems.append(f"OVERSOLD {sku}")
        sync_product_listings(product)  # the other marketplace learns the new stock
    order.exception = "; ".join(problems)[:200] or None
    db.session.add(order)
    db.session.flush()
    if order.household_id and not order.exception:
        order_received.send(order)


def _apply_order_status(row: MarketplaceEvent, data: dict) -> None:
    order = db.session.scalar(select(Order).where(Order.marketplace == row.marketplace,
                                                  Order.remote_order_id == str(data.get("order_id", ""))))
    if order is None:
        raise OrderNotYetKnown(data.get("order_id"))
    if row.sequence > order.last_event_sequence:
        order.status, order.last_event_sequence = str(data.get("status", order.status)), row.sequence


def _product_for_sku(sku: str) -> Product | None:
    if not sku.startswith(SKU_PREFIX) or not sku[len(SKU_PREFIX):].isdigit():
        return None
    return db.session.get(Product, int(sku[len(SKU_PREFIX):]))
