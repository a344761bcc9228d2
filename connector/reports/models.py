"""Targets kept apart from results (a ratio can never mix them), and the trainings agents record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.auth.models import User
from connector.db import UTCDateTime, utcnow
from connector.extensions import db
from connector.households.models import Household


class CommuneTarget(db.Model):
    """For one commune and year: how many agricultural households it has (the denominator of "share
    onboarded") and how many the plan wants onboarded. Imported by admins; officers adjust theirs."""

    __tablename__ = "commune_targets"
    __table_args__ = (UniqueConstraint("commune_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    agricultural_households: Mapped[int] = mapped_column(Integer)
    onboarding_target: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Training(db.Model):
    """An agent trained a household (selling online, taking photos, packing...) on a day."""

    __tablename__ = "household_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    trained_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household: Mapped[Household] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class ReportExport(db.Model):
    """A file of plain rows (area x month x indicator) too large to make while the viewer waits: a
    background job writes it month by month, and its page shows the progress and then the link."""

    __tablename__ = "report_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2))  # None: every province
    commune_code: Mapped[str | None] = mapped_column(String(5))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)  # exclusive
    file_format: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, done, failed
    months_done: Mapped[int] = mapped_column(Integer, default=0)
    months: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
