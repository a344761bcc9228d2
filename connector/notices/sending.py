"""Sending one notice by the cheapest channel that reaches the farmer: Web Push when the farmer's
phone subscribed, else Zalo ZNS, else SMS (a sign-in code: SMS only). A channel that cannot reach
the farmer (not on Zalo, subscription gone) or is down falls through to the next.

Read, call, record: the attempt row (with the request id the provider sees) is committed before the
call and the answer recorded after, so no transaction is open during the call, and a worker killed
in between leaves a "sending" attempt that the retry sends again under the same request id: the
provider treats it as the same message. When a call's outcome is unknown (a timeout after sending),
the next channel is NOT tried (the farmer may have it already): the job retries the same one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import case, select

from connector.db import utcnow
from connector.extensions import db
from connector.households.models import Household
from connector.notices.channels import sms_gateway, web_push, zalo_zns
from connector.notices.channels.base import Delivery, NotReachable, SubscriptionGone
from connector.notices.messages import Message, render
from connector.notices.models import AttemptStatus, Notice, NoticeAttempt, NoticeKind, NoticeStatus, PushSubscription
from connector.notices.services import live_subscriptions
from connector.remote import Refused, RemoteError, UnknownOutcome

log = logging.getLogger(__name__)
ORDER = ("push", "zalo", "sms")


class AllChannelsDown(RemoteError):
    """Every channel that could reach the farmer failed for now: the job is retried later."""


def routes(notice: Notice) -> list[str]:
    if notice.kind == NoticeKind.SIGN_IN_CODE:
        return ["sms"]
    wanted = []
    if live_subscriptions(notice.household_id):
        wanted.append("push")
    if notice.kind in current_app.config["NOTICES"]["zalo"]["templates"]:  # Zalo approved a template for it
        wanted.append("zalo")
    return [*wanted, "sms"]


def _attempt(notice: Notice, channel: str) -> NoticeAttempt:
    found = db.session.scalar(select(NoticeAttempt).where(NoticeAttempt.notice_id == notice.id,
                                                          NoticeAttempt.channel == channel))
    if found is None:
        found = NoticeAttempt(notice_id=notice.id, channel=channel, request_id=f"N{notice.id}-{channel}",
                              status=AttemptStatus.SENDING, tries=0, created_at=utcnow())
        db.session.add(found)
    return found


def _expired(notice: Notice) -> bool:
    expires = notice.params.get("expires_at")
    return bool(expires) and datetime.fromisoformat(expires) <= utcnow()


def send_notice(notice_id: int) -> str:
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.PENDING:
        return "done"
    if _expired(notice):  # a sign-in code nobody could use any more
        notice.status = NoticeStatus.FAILED
        db.session.commit()
        return "expired"
    any_down = False
    for channel in routes(notice):
        attempt = _attempt(notice, channel)
        if attempt.status == AttemptStatus.REFUSED:
            continue
        attempt.status, attempt.tries = AttemptStatus.SENDING, attempt.tries + 1
        household = db.session.get(Household, notice.household_id)
        message = render(notice.kind, notice.params)
        target = _target(channel, household)
        db.session.flush()
        attempt_id, request_id = attempt.id, attempt.request_id
        db.session.commit()  # the read ends here: nothing is held open during the call
        try:
            delivery = _call(channel, message, target, request_id, notice_id)
        except (NotReachable, SubscriptionGone, Refused) as refused:
            _record(attempt_id, AttemptStatus.REFUSED, error=refused.message)
            continue
        except UnknownOutcome as unknown:
            _record(attempt_id, AttemptStatus.SENDING, error=unknown.message)
            raise  # the same channel again, same request id
        except RemoteError as down:
            _record(attempt_id, AttemptStatus.RETRY, error=down.message)
            any_down = True
            continue
        _record(attempt_id, AttemptStatus.SENT, delivery=delivery)
        return "sent"
    notice = db.session.get(Notice, notice_id)
    if any_down:
        raise AllChannelsDown(f"notice {notice_id}: no channel answered; retrying later")
    notice.status = NoticeStatus.FAILED
    log.warning("notice %s (%s) reached no channel", notice_id, notice.kind)
    db.session.commit()
    return "failed"


def _target(channel: str, household: Household):
    if channel == "push":
        return [{"endpoint": s.endpoint, "keys": {"p256dh": s.p256dh, "auth": s.auth}, "id": s.id}
                for s in live_subscriptions(household.id)]
    return household.phone


def _call(channel: str, message: Message, target, request_id: str, notice_id: int) -> Delivery:
    if channel == "sms":
        return sms_gateway().send(target, message.sms, request_id)
    if channel == "zalo":
        return zalo_zns().send(target, message.zalo_template, message.zalo_params, request_id)
    delivered, gone = None, []
    for subscription in target:  # every phone the farmer allowed
        try:
            delivered = web_push().send(
                {"endpoint": subscription["endpoint"], "keys": subscription["keys"]},
                {"title": message.title, "body": message.text, "url": message.url}, topic=request_id, ttl=86400)
        except SubscriptionGone:
            gone.append(subscription["id"])
    _forget(gone)
    if delivered is None:
        raise SubscriptionGone("push: no live subscription")
    return delivered


def _forget(subscription_ids: list[int]) -> None:
    if subscription_ids:
        gone = select(PushSubscription).where(PushSubscription.id.in_(subscription_ids))
        for subscription in db.session.scalars(gone):
            subscription.gone_at = utcnow()
        db.session.commit()


def _record(attempt_id: int, status: str, delivery: Delivery | None = None, error: str | None = None) -> None:
    attempt = db.session.get(NoticeAttempt, attempt_id)
    # Evaluated by the database in the UPDATE: the gateway's delivery report may have reached the web
    # and been saved between the call's answer and this record; "delivered" is never taken back.
    attempt.status = case((NoticeAttempt.status == AttemptStatus.DELIVERED, NoticeAttempt.status), else_=status)
    attempt.error = (error or "")[:200] or None
    if delivery is not None:
        attempt.provider_id, attempt.cost_vnd, attempt.finished_at = delivery.provider_id, delivery.cost_vnd, utcnow()
        notice = attempt.notice
        notice.status, notice.channel, notice.sent_at = NoticeStatus.SENT, attempt.channel, utcnow()
        if notice.kind == NoticeKind.SIGN_IN_CODE:  # sent: the sealed code is no longer needed
            notice.params = {**notice.params, "code": None}
    db.session.commit()
