"""Sign-in codes, printed sign-in links and farmer sessions.

Secrets (codes, link tokens, session tokens) are stored only as keyed hashes; a phone appears here
only as a keyed hash too, so the table of codes does not collect the numbers of strangers who typed
theirs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.auth.models import User
from connector.db import UTCDateTime, utcnow
from connector.extensions import db
from connector.households.models import Household


class SignInCode(db.Model):
    """A 6-digit code sent by SMS. Made for every request, also for a phone that belongs to no
    household (then nobody receives it), so that the answers never tell the two apart."""

    __tablename__ = "farmer_sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(64), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a resend made a new code


class SignInLink(db.Model):
    """The single-use sign-in QR printed on the handover sheet."""

    __tablename__ = "farmer_sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a newer sheet was printed

    created_by: Mapped[User | None] = relationship()


class SessionEnd:
    SIGNED_OUT = "signed_out"  # the farmer pressed "Đăng xuất"
    BY_FARMER = "by_farmer"  # the farmer ended it from another phone
    BY_STAFF = "by_staff"  # an agent ended it (a lost phone)
    HOUSEHOLD_CLOSED = "household_closed"


class FarmerSession(db.Model):
    """A farmer signed in on one phone, for FARMER_SESSION_DAYS; the farmer and the agent see and end it."""

    __tablename__ = "farmer_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    via: Mapped[str] = mapped_column(String(8))  # "code" or "qr"
    device: Mapped[str] = mapped_column(String(60), default="")  # "Chrome · Android", from the User-Agent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_how: Mapped[str | None] = mapped_column(String(20))

    household: Mapped[Household] = relationship()


class FarmerChange(db.Model):
    """A stock or price change a farmer's phone sent, by its idempotency key: a change queued
    offline and sent again (a retry, a second tab) is applied once."""

    __tablename__ = "farmer_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    kind: Mapped[str] = mapped_column(String(10))  # stock | price | pause | resume
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
