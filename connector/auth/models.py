from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.admin_units.models import Province
from connector.db import TimestampMixin, UTCDateTime
from connector.extensions import db


class User(UserMixin, TimestampMixin, db.Model):
    """A staff member: admin (everything), officer (reads one province), agent (onboards).

    Agents are scoped to a province until service points exist, then to their service point's
    communes.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The postal service point an agent works at (code; set by `service-points assign-agent`).
    service_point_code: Mapped[str | None] = mapped_column(String(20))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id the page session keeps: signing out, a new password or deactivation raise it,
    # and every session made before (a cookie copied elsewhere included) ends at its next request.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    province: Mapped[Province | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated staff
        return self.active

    def get_id(self) -> str:  # Flask-Login's "alternative token": the id and the session version
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:  # never the password hash
        return f"<User {self.id} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; it expires and can be revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
