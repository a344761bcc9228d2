"""Notices react to what happens elsewhere: each event writes one notice in its own transaction
(a repeat of the event finds the notice there already: see `create_notice`)."""

from __future__ import annotations

from sqlalchemy import select

from connector.extensions import db
from connector.logistics.models import Pickup, PickupStatus
from connector.notices.models import NoticeKind
from connector.notices.services import create_notice
from connector.orders.models import Fulfilment
from connector.signals import listing_rejected, order_paid, order_status_changed, pickup_planned

MARKETPLACE_NAMES = {"postmart": "PostMart", "voso": "VoSo"}


def _items(order) -> list[dict]:
    return [{"name": item.name or (item.product.name if item.product else item.seller_sku),
             "quantity": item.quantity} for item in order.items]


@pickup_planned.connect
def _new_order(pickup: Pickup, **_):
    """The farmer hears of a new order once it is known where and when the parcel goes."""
    order = pickup.order
    if order.household is None:
        return
    point = pickup.service_point if pickup.status == PickupStatus.ASSIGNED else None
    create_notice(order.household, NoticeKind.NEW_ORDER, f"new-order:{order.id}", {
        "code": order.code, "items": _items(order), "point": point.name if point else None,
        "day": pickup.pickup_date.isoformat() if point else None})


@order_status_changed.connect
def _parcel_received(order, before=None, after=None, **_):
    if after != Fulfilment.HANDED_IN or order.household is None:
        return
    pickup = db.session.scalar(select(Pickup).where(Pickup.order_id == order.id))
    point = pickup.service_point if pickup is not None else None
    create_notice(order.household, NoticeKind.PARCEL_RECEIVED, f"parcel-received:{order.id}",
                  {"code": order.code, "point": point.name if point else None})


@order_paid.connect
def _payment_received(order, channel=None, amount=0, **_):
    if order.household is None:
        return
    # paid_vnd grows with every receipt, so each receipt makes its own key.
    create_notice(order.household, NoticeKind.PAYMENT_RECEIVED, f"paid:{order.id}:{order.paid_vnd}",
                  {"code": order.code, "amount": amount, "channel": channel})


@listing_rejected.connect
def _listing_rejected(listing, reason="", version=0, **_):
    product = listing.product
    create_notice(product.household, NoticeKind.LISTING_REJECTED, f"rejected:{listing.id}:{version}", {
        "marketplace": MARKETPLACE_NAMES.get(listing.marketplace, listing.marketplace), "product": product.name,
        "reason": reason[:150]})
