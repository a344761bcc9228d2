"""The banks and wallets that can receive VietQR transfers (reference data, like the admin units)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from connector.db import TimestampMixin
from connector.extensions import db


class AcquirerKind(StrEnum):
    BANK = "bank"
    MOBILE_MONEY = "mobile_money"
    E_WALLET = "e_wallet"


class Acquirer(TimestampMixin, db.Model):
    """A bank or wallet that can receive VietQR transfers, by its acquirer BIN. Loaded from
    banks/data/acquirers.csv at install; admins disable and add."""

    __tablename__ = "acquirers"

    bin: Mapped[str] = mapped_column(String(6), primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))  # where the code was read
    listed_on: Mapped[date] = mapped_column(Date)  # when it was read there
    note: Mapped[str] = mapped_column(String(300), default="")  # e.g. "public lists disagree: confirm"
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
