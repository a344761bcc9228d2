"""Notices to farmers and every try to deliver one.

A notice is written in the same transaction as the event it tells of, once (its `dedupe_key` is
unique), and sent by a job through the outbox. Each channel tried gets one attempt row whose
`request_id` is sent to the provider, so a retry after a crash is recognised by the provider as the
same message (SMS RequestId, Zalo tracking_id, Web Push Topic) and the farmer gets it once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.db import UTCDateTime, utcnow
from connector.extensions import db
from connector.households.models import Household


class NoticeKind(StrEnum):
    SIGN_IN_CODE = "sign_in_code"
    NEW_ORDER = "new_order"
    PARCEL_RECEIVED = "parcel_received"
    PAYMENT_RECEIVED = "payment_received"
    LISTING_REJECTED = "listing_rejected"
    CERTIFICATE_EXPIRING = "certificate_expiring"


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # every channel refused it: staff see it


class AttemptStatus(StrEnum):
    SENDING = "sending"  # written before the call: a crash leaves this, and the retry sends the same request id
    SENT = "sent"
    DELIVERED = "delivered"  # the SMS gateway's delivery report
    RETRY = "retry"  # the channel was down: tried again on the next run
    REFUSED = "refused"  # the channel cannot reach this farmer (not on Zalo, push unsubscribed...)


class Notice(db.Model):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    # What the message says, as values (amounts, codes, names); the text is made in the farmer's
    # language at send time. A sign-in code is sealed (connector/signing.py), never stored plain.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=NoticeStatus.PENDING, index=True)
    channel: Mapped[str | None] = mapped_column(String(8))  # the one that carried it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    household: Mapped[Household] = relationship()
    attempts: Mapped[list[NoticeAttempt]] = relationship(back_populates="notice", order_by="NoticeAttempt.id")


class NoticeAttempt(db.Model):
    __tablename__ = "notice_attempts"
    __table_args__ = (UniqueConstraint("notice_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    request_id: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=AttemptStatus.SENDING)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(80), index=True)
    cost_vnd: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))  # never the message or the phone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    notice: Mapped[Notice] = relationship(back_populates="attempts")


class PushSubscription(db.Model):
    """A farmer's phone that allowed notifications on the installed page (Web Push)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    farmer_session_id: Mapped[int | None] = mapped_column(ForeignKey("farmer_sessions.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(500), unique=True)
    p256dh: Mapped[str] = mapped_column(String(120))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the push service said 404/410
