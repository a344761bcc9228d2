"""Payments: money received against orders (the banks and wallets are in connector/banks)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.db import UTCDateTime, utcnow
from connector.extensions import db


class PaymentMethod(StrEnum):
    BANK_NOTICE = "bank_notice"  # a bank-statement notification (webhook)
    CASH = "cash"  # staff received cash
    TRANSFER_SEEN = "transfer_seen"  # staff saw the transfer (e.g. on the farmer's phone)


class Payment(db.Model):
    """Money received. With no order it waits in the unmatched queue for staff."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(String(200), default="")
    bank_reference: Mapped[str | None] = mapped_column(String(64), unique=True)  # the same notice twice: once
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")
