"""What a farmer's pages read: always for one household, so another household's id finds nothing."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from connector.catalogue.models import Product, ProductStatus
from connector.errors import NotFound
from connector.extensions import db
from connector.logistics.models import Pickup
from connector.logistics.services import vietnam_now
from connector.orders.models import Channel, Fulfilment, Order, OrderItem, PayBy, Receipt
from connector.orders.status import SETTLED, UNDELIVERED

OPEN = (Fulfilment.NEW, Fulfilment.CONFIRMED, Fulfilment.READY)  # still with the farmer
CONFIRM_WITHIN = timedelta(days=1)  # the marketplaces cancel an order nobody confirmed in a day
TODAY_SHOWN = 10  # orders per list on the Today page: a phone's worth on a slow connection


def my_products(household_id: int) -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.household_id == household_id,
                                                         Product.status != ProductStatus.ARCHIVED)
                                   .order_by(Product.name)))


def my_product(household_id: int, product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or product.household_id != household_id or product.status == ProductStatus.ARCHIVED:
        raise NotFound()
    return product


def my_orders(household_id: int, limit: int = 100) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.household_id == household_id)
                                   .order_by(Order.id.desc()).limit(limit)))


def my_order(household_id: int, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.household_id != household_id:
        raise NotFound()
    return order


def pickups_of(orders: list[Order]) -> dict[int, Pickup]:
    if not orders:
        return {}
    rows = db.session.scalars(select(Pickup).options(joinedload(Pickup.service_point))  # each page names it
                              .where(Pickup.order_id.in_([o.id for o in orders])))
    return {pickup.order_id: pickup for pickup in rows}


@dataclass
class Today:
    to_pack: list[tuple[Order, Pickup | None]] = field(default_factory=list)
    to_confirm: list[tuple[Order, datetime]] = field(default_factory=list)  # with the time it must be confirmed by
    received_this_week: int = 0
    week_start: datetime | None = None
    more_to_confirm: int = 0  # beyond the TODAY_SHOWN listed
    more_to_pack: int = 0


# The Today page's statements, built once (they run on every farmer's first page).
@functools.cache
def _open_orders():
    # Only what the page shows of an order (a busy farmer has dozens open); any other column read
    # would raise rather than quietly cost a query per order.
    shown = load_only(Order.id, Order.code, Order.total_vnd, Order.fulfilment, Order.created_at, Order.packed_at,
                      raiseload=True)
    return select(Order).options(shown).where(Order.household_id == bindparam("household_id"),
                                              Order.fulfilment.in_(OPEN), Order.exception.is_(None)).order_by(Order.id)


@functools.cache
def _items_of_orders():
    return select(OrderItem).where(OrderItem.order_id.in_(bindparam("ids", expanding=True))).order_by(OrderItem.id)


@functools.cache
def _received_since():
    return select(func.coalesce(func.sum(Receipt.amount_vnd), 0)).join(Order).where(
        Order.household_id == bindparam("household_id"), Receipt.received_at >= bindparam("since"))


def today(household_id: int) -> Today:
    """What to do now: parcels to pack and where to take them by when, orders to confirm before the
    marketplace cancels them, and the money received since Monday. Each list shows its TODAY_SHOWN
    most urgent orders; the rest are counted (the orders page lists them all)."""
    open_orders = list(db.session.scalars(_open_orders(), {"household_id": household_id}))
    result = Today()
    to_confirm = [order for order in open_orders if order.fulfilment == Fulfilment.NEW]  # oldest first
    to_pack = [order for order in open_orders if order.fulfilment != Fulfilment.NEW]
    pickups = pickups_of(to_pack)
    now = vietnam_now()
    to_pack.sort(key=lambda order: (pickups[order.id].pickup_date if order.id in pickups else now.date(), order.id))
    result.more_to_confirm = max(0, len(to_confirm) - TODAY_SHOWN)
    result.more_to_pack = max(0, len(to_pack) - TODAY_SHOWN)
    result.to_confirm = [(order, order.created_at + CONFIRM_WITHIN) for order in to_confirm[:TODAY_SHOWN]]
    result.to_pack = [(order, pickups.get(order.id)) for order in to_pack[:TODAY_SHOWN]]
    shown = {order.id: order for order, _ in result.to_confirm + result.to_pack}
    if shown:  # the items of the orders shown only, in one statement
        items: dict[int, list[OrderItem]] = {order_id: [] for order_id in shown}
        for item in db.session.scalars(_items_of_orders(), {"ids": list(shown)}):
            items[item.order_id].append(item)
        for order_id, order in shown.items():
            set_committed_value(order, "items", items[order_id])
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time.min, tzinfo=now.tzinfo)
    result.week_start = monday
    # int(): PostgreSQL sums a BIGINT column as NUMERIC.
    result.received_this_week = int(db.session.scalar(_received_since(), {"household_id": household_id,
                                                                          "since": monday}))
    return result


@dataclass
class Money:
    received: list[Receipt] = field(default_factory=list)
    received_by_channel: dict[str, int] = field(default_factory=dict)
    expected_by_channel: dict[str, int] = field(default_factory=dict)
    expected: list[tuple[Order, str, int]] = field(default_factory=list)  # order, channel, amount still to come


def money(household_id: int) -> Money:
    """Received (real receipts, by channel) and expected (what open orders still owe, by the way the
    buyer pays: the marketplace settles after delivery, the carrier remits COD, a transfer is owed)."""
    result = Money()
    result.received = list(db.session.scalars(  # with their orders, which the page names
        select(Receipt).join(Order).options(contains_eager(Receipt.order)).where(Order.household_id == household_id)
        .order_by(Receipt.received_at.desc()).limit(100)))
    for receipt in result.received:
        result.received_by_channel[receipt.channel] = result.received_by_channel.get(receipt.channel, 0) \
            + receipt.amount_vnd
    owing = db.session.scalars(select(Order).where(Order.household_id == household_id,
                                                   Order.fulfilment.not_in(UNDELIVERED),
                                                   Order.paid_vnd < Order.total_vnd).order_by(Order.id.desc()))
    for order in owing:
        channel = {PayBy.MARKETPLACE: Channel.MARKETPLACE, PayBy.COD: Channel.COD}.get(order.pay_by, Channel.TRANSFER)
        amount = order.total_vnd - order.paid_vnd
        result.expected.append((order, channel, amount))
        result.expected_by_channel[channel] = result.expected_by_channel.get(channel, 0) + amount
    return result


def is_settled(order: Order) -> bool:
    return order.fulfilment in SETTLED
