"""The SMS gateway's delivery reports: signed, checked, and bad input changes nothing."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from connector.extensions import db
from connector.notices.models import AttemptStatus, NoticeAttempt, NoticeKind
from connector.notices.services import create_notice
from connector.signing import sign
from tests.factories import make_household


def post_report(client, app, body, secret=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time()))
    signature = sign(secret or app.config["NOTICES"]["sms"]["webhook_secret"], "POST", "/api/v1/webhooks/sms",
                     timestamp, raw)
    return client.post("/api/v1/webhooks/sms", data=raw, content_type="application/json",
                       headers={"X-Timestamp": timestamp, "X-Signature": signature})


def sent_attempt(db_session) -> NoticeAttempt:
    notice_id = create_notice(make_household(), NoticeKind.PAYMENT_RECEIVED, "report-test", {"code": "DH1",
                                                                                              "amount": 1})
    attempt = NoticeAttempt(notice_id=notice_id, channel="sms", request_id=f"N{notice_id}-sms",
                            status=AttemptStatus.SENT, provider_id="SMS1")
    db.session.add(attempt)
    db.session.commit()
    return attempt


def test_a_signed_report_marks_the_sms_delivered(client, app, db_session):
    attempt = sent_attempt(db_session)
    response = post_report(client, app, {"SMSID": "SMS1", "RequestId": attempt.request_id, "SendStatus": 5})
    assert response.status_code == 200 and response.json["known"] is True
    assert db.session.scalar(select(NoticeAttempt.status).where(NoticeAttempt.id == attempt.id)) == "delivered"


def test_a_forged_or_malformed_report_changes_nothing(client, app, db_session):
    attempt = sent_attempt(db_session)
    forged = post_report(client, app, {"SMSID": "SMS1", "RequestId": attempt.request_id, "SendStatus": 5},
                         secret="guessed")
    assert forged.status_code == 401 and "Chữ ký" in forged.json["message"]
    for body in (b"not json", {"SMSID": "SMS1"}, {"SMSID": "x" * 81, "RequestId": "r", "SendStatus": 5},
                 {"SMSID": "S", "RequestId": attempt.request_id, "SendStatus": "5"}):
        response = post_report(client, app, body)
        assert response.status_code in (400, 422), body
    assert db.session.scalar(select(NoticeAttempt.status).where(NoticeAttempt.id == attempt.id)) == "sent"


def test_a_report_of_an_unknown_message_is_acknowledged(client, app, db_session):
    response = post_report(client, app, {"SMSID": "SMS9", "RequestId": "N999999-sms", "SendStatus": 5})
    assert response.status_code == 200 and response.json["known"] is False


def test_a_report_that_overtakes_the_senders_own_record_is_kept(client, app, db_session):
    """Seen in the SMS end-to-end test once the worker yielded the CPU to the web (issue 15): the
    gateway's report reached the web and was saved while the worker was still about to record the
    answer to its call; the worker's "sent" then overwrote "delivered", and the farmer's SMS showed
    as never delivered."""
    from connector.notices.channels.base import Delivery
    from connector.notices.sending import _record

    attempt = sent_attempt(db_session)
    attempt.status = AttemptStatus.SENDING  # the worker has called the gateway, not yet recorded it
    db.session.commit()
    assert post_report(client, app, {"SMSID": "SMS1", "RequestId": attempt.request_id, "SendStatus": 5}).json["known"]
    _record(attempt.id, AttemptStatus.SENT, delivery=Delivery(channel="sms", provider_id="SMS1", cost_vnd=800))
    db.session.expire_all()
    saved = db.session.get(NoticeAttempt, attempt.id)
    assert (saved.status, saved.provider_id, saved.cost_vnd) == ("delivered", "SMS1", 800)
