"""Payments for orders: the VietQR a buyer scans, the bank's notices that confirm it, staff's
cash, and the queue of money nobody could match.

An order is matched by its code in the transfer memo. Money adds up: equal to the total -> paid,
less -> partially paid, more -> overpaid (flagged for staff). A notice is stored once per bank
reference, so the same notice twice changes nothing.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from connector.audit.services import record
from connector.auth.roles import has_permission
from connector.banks.registry import enabled_bins
from connector.db import utcnow
from connector.errors import PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.households.models import Household
from connector.i18n import format_vnd
from connector.orders.models import ORDER_CODE_PATTERN, Channel, Order
from connector.orders.money import outstanding, record_receipt
from connector.orders.services import find_by_code
from connector.payments import messages
from connector.payments.models import Payment, PaymentMethod
from connector.payments.vietqr import MAX_NAME, InvalidVietQR, VietQR, encode, memo
from connector.text import strip_marks

# Overlapping matches: a bank may glue the code to its own prefix or to the words after it.
_CODE_CANDIDATES = re.compile(f"(?=({ORDER_CODE_PATTERN}))")
_NAME_DROP = re.compile(r"[^A-Z0-9 ]+")


def payee_name(holder: str | None) -> str:
    """The account holder's name as banks print it: capitals without diacritics."""
    return _NAME_DROP.sub("", strip_marks(holder or "").upper()).strip()[:MAX_NAME].rstrip()


def _payee(household: Household | None) -> Household:
    if household is None or not (household.payout_bin and household.payout_account):
        raise ValidationFailed(errors={"payee": [_("The farmer has no bank or wallet account for payments yet.")]})
    return household


def _encode(qr: VietQR) -> str:
    try:
        return encode(qr, enabled_bins(), current_app.config["VIETQR_MAX_AMOUNT"])
    except InvalidVietQR as invalid:
        raise ValidationFailed(errors=messages.as_errors(invalid.problems)) from invalid


def order_qr(order: Order) -> tuple[VietQR, str]:
    """The dynamic VietQR for what is still owed on `order`, its code in the memo."""
    if outstanding(order) == 0:
        raise ValidationFailed(errors={"order": [_("This order is already paid.")]})
    household = _payee(order.household)
    qr = VietQR(bin=household.payout_bin, account=household.payout_account, amount=outstanding(order),
                purpose=memo("Thanh toan", order.code), name=payee_name(household.payout_holder) or None)
    return qr, _encode(qr)


def household_qr(household: Household) -> tuple[VietQR, str]:
    """The household's static VietQR (no amount: the buyer types it), for a stall or a poster."""
    household = _payee(household)
    qr = VietQR(bin=household.payout_bin, account=household.payout_account,
                name=payee_name(household.payout_holder) or None)
    return qr, _encode(qr)


# -- money in --------------------------------------------------------------------------------------
_CHANNELS = {PaymentMethod.BANK_NOTICE: Channel.TRANSFER, PaymentMethod.TRANSFER_SEEN: Channel.TRANSFER,
             PaymentMethod.CASH: Channel.CASH}


def _apply(order: Order, payment: Payment) -> None:
    """The order's receipt for this payment (orders keeps the money; once per payment)."""
    record_receipt(order, _CHANNELS[payment.method], payment.amount_vnd, f"payment:{payment.id}", payment.received_at)


def _order_for_memo(memo_text: str) -> Order | None:
    candidates = set(_CODE_CANDIDATES.findall(strip_marks(memo_text).upper()))
    if not candidates:
        return None
    found = db.session.scalars(select(Order).where(Order.code.in_(candidates)).with_for_update()).all()
    return found[0] if len(found) == 1 else None  # two codes in one memo: staff decide


def receive_notice(notice: dict) -> tuple[Payment, bool]:
    """Store one bank notice and apply it. Returns (payment, duplicate)."""
    existing = db.session.scalar(select(Payment).where(Payment.bank_reference == notice["bank_reference"]))
    if existing is not None:
        return existing, True
    order = _order_for_memo(notice.get("memo", ""))
    if order is not None and notice.get("account"):
        payee = order.household
        if payee is None or (payee.payout_account, payee.payout_bin) != (notice["account"],
                                                                         notice.get("bin") or payee.payout_bin):
            order = None  # the money went to another account than the order's farmer: staff look
    payment = Payment(order_id=order.id if order else None, amount_vnd=notice["amount"],
                      method=PaymentMethod.BANK_NOTICE, memo=notice.get("memo", "")[:200],
                      bank_reference=notice["bank_reference"], received_at=notice["occurred_at"])
    try:
        with db.session.begin_nested():  # a concurrent copy of the same notice wins the race: ours is a duplicate
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        return db.session.scalar(select(Payment).where(Payment.bank_reference == notice["bank_reference"])), True
    if order is not None:
        _apply(order, payment)
    db.session.flush()
    return payment, False


def record_staff_payment(user, order: Order, amount: int, method: str) -> Payment:
    """Staff received cash, or saw the transfer: the order is paid (or partly), with an audit record."""
    if not has_permission(user, "payments.record"):
        raise PermissionDenied()
    if method not in (PaymentMethod.CASH, PaymentMethod.TRANSFER_SEEN):
        raise ValidationFailed(errors={"method": [_("Choose cash or a transfer you saw.")]})
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(errors={"amount": [_("The amount must be more than 0 đồng.")]})
    if amount > outstanding(order):
        raise ValidationFailed(errors={"amount": [_("More than what is owed (%(owed)s).",
                                                     owed=format_vnd(outstanding(order)))]})
    payment = Payment(order_id=order.id, amount_vnd=amount, method=method, received_at=utcnow(),
                      recorded_by_id=user.id, memo="")
    db.session.add(payment)
    db.session.flush()
    _apply(order, payment)
    record(user, "payment", "order", order.id, {"paid_vnd": [order.paid_vnd - amount, order.paid_vnd],
                                                "method": [None, method]})
    return payment


def assign_payment(user, payment: Payment, order_code: str) -> Payment:
    """Staff match an unmatched payment to an order by its code."""
    if not has_permission(user, "payments.manage"):
        raise PermissionDenied()
    if payment.order_id is not None:
        raise ValidationFailed(errors={"payment": [_("This payment is already matched.")]})
    order = find_by_code(order_code or "")
    if order is None:
        raise ValidationFailed(errors={"order_code": [_("No order has this code.")]})
    db.session.scalar(select(Order).where(Order.id == order.id).with_for_update())
    payment.order_id = order.id
    db.session.flush()
    _apply(order, payment)
    record(user, "assign_payment", "order", order.id, {"payment": [None, payment.id]})
    return payment


def unmatched_payments(limit: int = 200) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.order_id.is_(None))
                                   .order_by(Payment.id.desc()).limit(limit)))
