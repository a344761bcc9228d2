"""Payments: the registry of banks and wallets, and money received against orders."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.db import TimestampMixin, UTCDateTime, utcnow
from connector.extensions import db


class AcquirerKind(StrEnum):
    BANK = "bank"
    MOBILE_MONEY = "mobile_money"
    E_WALLET = "e_wallet"


class Acquirer(TimestampMixin, db.Model):
    """A bank or wallet that can receive VietQR transfers, by its acquirer BIN. Loaded from
    payments/data/acquirers.csv at install; admins disable and add."""

    __tablename__ = "acquirers"

    bin: Mapped[str] = mapped_column(String(6), primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))  # where the code was read
    listed_on: Mapped[date] = mapped_column(Date)  # when it was read there
    note: Mapped[str] = mapped_column(String(300), default="")  # e.g. "public lists disagree: confirm"
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


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
