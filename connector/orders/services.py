"""Orders in: one intake for every source; scoping; the fulfilment status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from connector.auth.roles import province_scope
from connector.catalogue.models import Product, ProductStatus
from connector.catalogue.services import take_stock
from connector.errors import NotFound
from connector.extensions import db
from connector.households.models import Household
from connector.orders import money
from connector.orders.models import Order, OrderItem, PayBy
from connector.orders.status import next_status
from connector.signals import order_received, order_status_changed
from connector.text import fold


@dataclass(frozen=True)
class IncomingItem:
    seller_sku: str
    product_id: int | None  # None: the source named a product we do not know
    quantity: int
    unit_price_vnd: int


@dataclass(frozen=True)
class IncomingOrder:
    source: str  # "postmart", "voso" (later "counter", "phone")
    remote_order_id: str
    status: str  # the source's own status code
    total_vnd: int
    pay_by: PayBy
    items: tuple[IncomingItem, ...]
    buyer_name: str = ""
    buyer_phone: str = ""
    buyer_address: str = ""
    sequence: int = 0


def take_in(incoming: IncomingOrder) -> Order | None:
    """Take an order in from any source, once (by source and its order number): stock is taken
    through the catalogue, problems are kept on the order for staff, and order_received tells the
    other features. Returns None when the order was already taken in."""
    if db.session.scalar(select(Order.id).where(Order.marketplace == incoming.source,
                                                Order.remote_order_id == incoming.remote_order_id)):
        return None
    order = Order(marketplace=incoming.source, remote_order_id=incoming.remote_order_id, status=incoming.status,
                  last_event_sequence=incoming.sequence, total_vnd=incoming.total_vnd, pay_by=incoming.pay_by,
                  buyer_name=incoming.buyer_name[:120], buyer_phone=incoming.buyer_phone[:20],
                  buyer_address=incoming.buyer_address, paid_vnd=0, cod_vnd=0, refunded_vnd=0, refund_due_vnd=0)
    problems = []
    for item in incoming.items:
        product = db.session.get(Product, item.product_id) if item.product_id else None
        order.items.append(OrderItem(product_id=product.id if product else None, seller_sku=item.seller_sku,
                                     name=product.name if product else "", quantity=item.quantity,
                                     unit_price_vnd=item.unit_price_vnd))
        if product is None:
            problems.append(f"UNKNOWN_PRODUCT {item.seller_sku}")
            continue
        if product.status == ProductStatus.ARCHIVED:
            problems.append(f"ARCHIVED_PRODUCT {item.seller_sku}")
        order.household_id = product.household_id
        order.province_code = product.household.province_code
        if take_stock(product, item.quantity, reference=f"{incoming.source}:{incoming.remote_order_id}"):
            problems.append(f"OVERSOLD {item.seller_sku}")
    order.exception = "; ".join(problems)[:200] or None
    db.session.add(order)
    db.session.flush()
    advance(order, "marketplace", incoming.status)  # a source may send an order already confirmed
    if order.household_id and not order.exception:
        order_received.send(order)
    return order


def advance(order: Order, source: str, said: str) -> bool:
    """Move the fulfilment status after an event of `source` (see orders/status.py)."""
    target = next_status(order.fulfilment or "new", source, said)
    if target is None:
        return False
    before, order.fulfilment = order.fulfilment, target
    money.settle(order)  # a cancelled or returned order's money becomes a refund to make
    db.session.flush()
    order_status_changed.send(order, before=before, after=target)
    return True


def apply_source_status(order: Order, said: str, sequence: int) -> bool:
    """The source's own status for the order, in the source's event order."""
    if sequence <= order.last_event_sequence:
        return False
    order.status, order.last_event_sequence = said, sequence
    advance(order, "marketplace", said)
    return True


def orders_in_scope(user, statement):
    """Limit an Order query to `user`'s area. Orders whose product is unknown have no area yet: only
    admins see them."""
    if province_scope(user) is None:
        return statement
    return statement.where(Order.province_code == user.province_code)


def get_order(user, order_id: int) -> Order:
    order = db.session.scalar(orders_in_scope(user, select(Order).where(Order.id == order_id)))
    if order is None:
        raise NotFound()
    return order


def find_by_code(code: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.code == code.strip().upper()))


def search_orders(user, q: str = "", fulfilment: str = "", payment: str = "", household_id: int | None = None,
                  limit: int = 100) -> list[Order]:
    """Orders in `user`'s area, newest first: by order code, the source's number or the household's
    name (without diacritics), and by status."""
    statement = orders_in_scope(user, select(Order))
    q = q.strip()
    if q:
        folded = f"%{fold(q)}%"
        statement = statement.outerjoin(Household, Household.id == Order.household_id).where(or_(
            Order.code == q.upper(), Order.remote_order_id == q, Household.name_key.like(folded)))
    if fulfilment:
        statement = statement.where(Order.fulfilment == fulfilment)
    if payment:
        statement = statement.where(Order.payment_status == payment)
    if household_id is not None:
        statement = statement.where(Order.household_id == household_id)
    # With their households, which the list names: one query, not one per order.
    return list(db.session.scalars(statement.options(joinedload(Order.household)).order_by(Order.id.desc())
                                   .limit(limit)))
