"""Provincial staff see what notices to farmers cost, per channel, in their province only."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from connector.db import utcnow
from connector.extensions import db
from connector.notices.models import AttemptStatus, NoticeAttempt, NoticeKind
from connector.notices.services import create_notice
from tests.factories import make_household, make_user
from tests.helpers import login


def sent(household, key: str, channel: str, cost: int) -> None:
    notice_id = create_notice(household, NoticeKind.PAYMENT_RECEIVED, key, {"code": "DH1", "amount": 1})
    db.session.add(NoticeAttempt(notice_id=notice_id, channel=channel, request_id=f"N{notice_id}-{channel}",
                                 status=AttemptStatus.SENT, cost_vnd=cost, finished_at=utcnow()))


def signed_in(app, role: str, province: str | None):
    user = make_user(role, province_code=province)
    user.password_hash = generate_password_hash("pass-word-9")
    db.session.commit()
    client = app.test_client()
    login(client, user.username, "pass-word-9")
    return client


def test_an_officer_sees_the_cost_of_their_provinces_notices_only(app, db_session):
    here = make_household()  # Quảng Trị (44)
    there = make_household(make_user("agent", province_code="01"), commune_code="00004")
    sent(here, "a", "sms", 750)
    sent(here, "b", "sms", 750)
    sent(here, "c", "zalo", 300)
    sent(there, "d", "sms", 750)
    db.session.commit()
    page = signed_in(app, "officer", "44").get("/notices").get_data(as_text=True)
    assert "Chi phí" in page
    assert "1.800\u00a0₫" in page  # 2 SMS and 1 Zalo message of province 44; not province 01's SMS
    assert signed_in(app, "admin", None).get("/notices").get_data(as_text=True).count("2.550\u00a0₫") == 1


def test_an_agent_cannot_see_the_costs(app, db_session):
    assert signed_in(app, "agent", "44").get("/notices").status_code == 403
