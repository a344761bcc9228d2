"""Every đồng of an order, traceable: what is due, what was received by which channel (receipts),
what the carrier still collects on delivery, what the marketplace still settles, what to refund.

Only this module writes an order's money columns. The rules:
- a prepaid marketplace order is never sent cash on delivery;
- the cash-on-delivery amount is what is still unpaid, and follows payments until the parcel is
  handed in (logistics updates the carrier); a payment after hand-in becomes a refund to make;
- money for an order that was cancelled or returned is a refund to make;
- the same outside reference (bank notice, remittance, settlement) is counted once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from connector.audit.services import record
from connector.auth.roles import has_permission
from connector.db import insert_unless_present, utcnow
from connector.errors import PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.orders.models import Channel, Order, PayBy, PaymentStatus, Receipt
from connector.orders.status import UNDELIVERED
from connector.signals import order_paid


def outstanding(order: Order) -> int:
    """What the buyer still owes (nothing for a cancelled or returned order)."""
    if order.fulfilment in UNDELIVERED:
        return 0
    return max(0, order.total_vnd - order.paid_vnd)


def cod_to_collect(order: Order) -> int:
    """What the carrier should collect on delivery now: never for a prepaid marketplace order."""
    if order.pay_by == PayBy.MARKETPLACE:
        return 0
    return outstanding(order)


def expected_settlement(order: Order) -> int:
    """What the marketplace still owes the seller for a prepaid order."""
    if order.pay_by != PayBy.MARKETPLACE:
        return 0
    return outstanding(order)


def _refund_due(order: Order) -> int:
    kept = order.paid_vnd - order.refunded_vnd
    if order.fulfilment in UNDELIVERED:
        return max(0, kept)
    # What was received plus what the carrier will still collect, beyond the total.
    return max(0, kept + order.cod_vnd - order.total_vnd)


def settle(order: Order) -> None:
    """Recompute the derived money columns after any change of money or status."""
    if order.paid_vnd == 0:
        order.payment_status = PaymentStatus.UNPAID
    elif order.paid_vnd < order.total_vnd:
        order.payment_status = PaymentStatus.PARTIALLY_PAID
    elif order.paid_vnd == order.total_vnd:
        order.payment_status = PaymentStatus.PAID
    else:
        order.payment_status = PaymentStatus.OVERPAID
    order.refund_due_vnd = _refund_due(order)


def record_receipt(order: Order, channel: str, amount: int, reference: str,
                   received_at: datetime | None = None) -> int | None:
    """Money received for `order`, once per (channel, reference): the receipt's id, or None for a repeat."""
    if channel not in set(Channel):
        raise ValueError(f"unknown channel {channel!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(errors={"amount": [_("The amount must be more than 0 đồng.")]})
    # Lock the order and read its money afresh: two receipts at once (a bank notice and the carrier's
    # remittance) both count.
    db.session.refresh(order, ["paid_vnd", "cod_vnd", "refunded_vnd", "fulfilment", "paid_at"], with_for_update=True)
    received_at = received_at or utcnow()
    receipt_id = insert_unless_present(db.session, Receipt, dict(
        order_id=order.id, channel=channel, amount_vnd=amount, reference=reference[:80], received_at=received_at,
        created_at=utcnow()), unique=["channel", "reference"])
    if receipt_id is None:
        return None  # this reference was counted before
    db.session.expire(order, ["receipts"])
    order.paid_vnd += amount
    if order.paid_vnd >= order.total_vnd and order.paid_at is None:
        order.paid_at = received_at
    settle(order)
    db.session.flush()
    order_paid.send(order, channel=channel, amount=amount)
    return receipt_id


def set_cod(order: Order, amount: int) -> None:
    """The carrier will collect `amount` on delivery (logistics, at booking and on each update)."""
    order.cod_vnd = max(0, amount)
    settle(order)
    db.session.flush()


def cod_remitted(order: Order, amount: int, reference: str, received_at: datetime | None = None) -> int | None:
    """The carrier remitted the cash it collected: a receipt, and nothing more to collect."""
    receipt = record_receipt(order, Channel.COD, amount, reference, received_at)
    if receipt is not None:
        set_cod(order, 0)
    return receipt


def record_refund(user, order: Order, amount: int) -> None:
    """Staff gave money back to the buyer (an overpayment, or a cancelled or returned order)."""
    if not has_permission(user, "payments.record"):
        raise PermissionDenied()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(errors={"amount": [_("The amount must be more than 0 đồng.")]})
    if amount > order.refund_due_vnd:
        raise ValidationFailed(errors={"amount": [_("More than the refund due.")]})
    order.refunded_vnd += amount
    settle(order)
    db.session.flush()
    record(user, "refund", "order", order.id, {"refunded_vnd": [order.refunded_vnd - amount, order.refunded_vnd]})


def received_by_channel(order: Order) -> dict[str, int]:
    totals: dict[str, int] = {}
    for receipt in order.receipts:
        totals[receipt.channel] = totals.get(receipt.channel, 0) + receipt.amount_vnd
    return totals


def refunds_due(statement=None, limit: int = 200) -> list[Order]:
    """Orders with money to give back, for the staff's list (scoped by the caller's statement)."""
    statement = statement if statement is not None else select(Order)
    return list(db.session.scalars(statement.where(Order.refund_due_vnd > 0).order_by(Order.id.desc()).limit(limit)))
