from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.admin_units.models import Commune
from connector.auth.models import User
from connector.db import TimestampMixin, UTCDateTime
from connector.extensions import db


class HouseholdStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"


class Household(TimestampMixin, db.Model):
    """A farming household, as registered by a postal agent. No national ID is stored."""

    __tablename__ = "households"
    __table_args__ = (
        # One phone, one active household: enforced by the database as well as by the service.
        Index(
            "uq_households_active_phone", "phone", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
        Index("ix_households_province_status", "province_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    head_name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)  # folded, for search and duplicates
    phone: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    village: Mapped[str] = mapped_column(String(120), default="")
    address_line: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=True)
    vpostcode: Mapped[str | None] = mapped_column(String(12))
    main_products: Mapped[str] = mapped_column(String(300), default="")
    payout_bin: Mapped[str | None] = mapped_column(String(6))
    payout_account: Mapped[str | None] = mapped_column(String(19))
    payout_holder: Mapped[str | None] = mapped_column(String(100))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # reports count by it
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    onboarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    service_point_code: Mapped[str | None] = mapped_column(String(20))  # set once service points exist
    status: Mapped[str] = mapped_column(String(12), default=HouseholdStatus.DRAFT)
    status_reason: Mapped[str | None] = mapped_column(String(200))  # why it is suspended

    commune: Mapped[Commune] = relationship()
    onboarded_by: Mapped[User | None] = relationship(foreign_keys=[onboarded_by_id])
    consent_recorded_by: Mapped[User | None] = relationship(foreign_keys=[consent_recorded_by_id])

    @property
    def payout_account_masked(self) -> str | None:
        from connector.audit.services import mask

        return mask(self.payout_account)
