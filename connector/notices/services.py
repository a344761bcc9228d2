"""Writing notices (once per event) and the push subscriptions they may travel by."""

from __future__ import annotations

from sqlalchemy import select, update

from connector.db import insert_unless_present, utcnow
from connector.extensions import db
from connector.households.models import Household
from connector.jobs import enqueue_after_commit
from connector.notices.models import Notice, NoticeStatus, PushSubscription


def create_notice(household: Household, kind: str, dedupe_key: str, params: dict) -> int | None:
    """Write the notice in the current transaction and have it sent once that commits. The same
    `dedupe_key` twice (a webhook delivered twice, two workers) writes and sends it once: the new
    notice's id, or None for a repeat."""
    notice_id = insert_unless_present(db.session, Notice, dict(
        household_id=household.id, kind=kind, dedupe_key=dedupe_key[:80], params=params,
        status=NoticeStatus.PENDING, created_at=utcnow()), unique=["dedupe_key"])
    if notice_id is not None:
        from connector.notices.jobs import send_notice_job

        enqueue_after_commit(send_notice_job, notice_id)
    return notice_id


def live_subscriptions(household_id: int) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).where(
        PushSubscription.household_id == household_id, PushSubscription.gone_at.is_(None))
        .order_by(PushSubscription.id)))


def subscribe(household_id: int, farmer_session_id: int | None, endpoint: str, p256dh: str, auth: str) -> None:
    """Remember the farmer's phone for Web Push (again: a browser renews its subscription)."""
    found = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if found is None:
        db.session.add(PushSubscription(household_id=household_id, farmer_session_id=farmer_session_id,
                                        endpoint=endpoint, p256dh=p256dh, auth=auth))
    else:
        found.household_id, found.farmer_session_id = household_id, farmer_session_id
        found.p256dh, found.auth, found.gone_at = p256dh, auth, None
    db.session.flush()


def forget_push_subscriptions(farmer_session_id: int) -> None:
    """A session ended: its phone gets no more pushes."""
    db.session.execute(update(PushSubscription).where(PushSubscription.farmer_session_id == farmer_session_id,
                                                      PushSubscription.gone_at.is_(None)).values(gone_at=utcnow()))
