"""Notices over real HTTP to the sandbox channels (issue 12): a farmer signs in with the code read
from the SMS sandbox; each notice goes by Web Push, else Zalo, else SMS; it is sent once even when a
channel is down and a worker is killed mid-send; no phone number or message body in any log line."""

from __future__ import annotations

import itertools
import logging
import re

import pytest
import requests
from sqlalchemy import select

from connector.extensions import db
from connector.households.services import create_household
from connector.notices.channels.gsm7 import is_single_segment
from connector.notices.models import AttemptStatus, Notice, NoticeAttempt, NoticeKind, NoticeStatus
from connector.notices.sending import send_notice
from connector.notices.services import create_notice, subscribe
from tests.e2e import Workers, wait_until
from tests.factories import household_input, make_user
from tests.helpers import csrf_token_from

pytestmark = pytest.mark.usefixtures("committed")
_numbers = itertools.count(100)


def committed_household(app) -> tuple[int, str]:
    """A household of province 01 with a phone of its own; (id, phone in E.164)."""
    number = next(_numbers)
    with app.app_context():
        agent = make_user("agent", province_code="01", username=f"e2e-notices-{number}")
        household, _ = create_household(agent, household_input(commune_code="00004", phone=f"0966 91{number:04d}"),
                                        confirm_duplicates=True)
        db.session.commit()
        result = household.id, household.phone
        db.session.remove()
        return result


def notice_for(app, household_id: int, kind: str, key: str, params: dict) -> int:
    with app.app_context():
        from connector.households.models import Household

        notice_id = create_notice(db.session.get(Household, household_id), kind, key, params)
        db.session.commit()
        db.session.remove()
        return notice_id


def notice_state(app, notice_id: int) -> tuple[str, str | None, dict]:
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        attempts = {a.channel: (a.status, a.cost_vnd) for a in db.session.scalars(
            select(NoticeAttempt).where(NoticeAttempt.notice_id == notice_id))}
        result = notice.status, notice.channel, attempts
        db.session.remove()
        return result


def send_now(app, notice_id: int) -> str:
    """The job's work, in this process (the outbox has queued it for the workers too, none run here)."""
    with app.app_context():
        try:
            return send_notice(notice_id)
        finally:
            db.session.remove()


def sandbox_messages(sandbox, channel: str, phone: str) -> list[dict]:
    """The sandbox's messages to `phone` (filtered here: a phone in the query string would be in the
    test's own request log, which the log check reads)."""
    every = requests.get(f"{sandbox.url}/_sandbox/{channel}/messages", timeout=5).json()
    return [m for m in every if m["phone"][-9:] == phone[-9:]]


def test_a_farmer_signs_in_with_the_code_from_the_sms_sandbox_and_nothing_personal_is_logged(
        app, app_config, sandbox, connector_url, caplog):
    household_id, phone = committed_household(app)
    logging.getLogger().setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    pool = Workers(app_config, sandbox.url)
    pool.env["WORKER_LOG_LEVEL"] = "DEBUG"  # every line a worker can write
    pool.start(1)
    try:
        browser = requests.Session()
        page = browser.get(f"{connector_url}/farmer/sign-in", timeout=5).text
        sent = browser.post(f"{connector_url}/farmer/sign-in", timeout=5, allow_redirects=False,
                            data={"csrf_token": csrf_token_from(page), "phone": phone.replace("+84", "0")})
        assert sent.status_code == 302
        sms = wait_until(lambda: sandbox_messages(sandbox, "sms", phone), timeout=30, explain=pool.problems)[-1]
        text = sms["content"]
        code = re.search(r"#(\d{6})$", text).group(1)
        assert is_single_segment(text) and text.isascii()
        assert text.startswith("Ma dang nhap cua ban la ") and text.endswith(f"\n\n@127.0.0.1 #{code}")
        page = browser.get(f"{connector_url}/farmer/sign-in/code", timeout=5).text
        signed_in = browser.post(f"{connector_url}/farmer/sign-in/code", timeout=5,
                                 data={"csrf_token": csrf_token_from(page), "code": code})
        assert signed_in.url.endswith("/farmer/") and "Hàng cần gói" in signed_in.text
        # The gateway's delivery report reaches the connector, signed.
        with app.app_context():
            notice_id = db.session.scalar(select(Notice.id).where(Notice.household_id == household_id))
            db.session.remove()
        wait_until(lambda: notice_state(app, notice_id)[2].get("sms", ("",))[0] == AttemptStatus.DELIVERED,
                   timeout=20)
    finally:
        pool.stop()
    logs = caplog.text + "".join(path.read_text(errors="replace") for path in pool.log_dir.glob("worker-*.log"))
    assert "send_notice_job" in logs or "notices" in logs, "the worker logged at DEBUG"
    for secret in (phone, phone[1:], "0" + phone[3:], code, text.splitlines()[0], "Ma dang nhap"):
        assert secret not in logs


def test_a_notice_goes_by_push_then_zalo_then_sms(app, sandbox):
    household_id, phone = committed_household(app)
    subscription = requests.post(f"{sandbox.url}/_sandbox/push/subscriptions", timeout=5, json={
        "application_server_key": app.config["NOTICES"]["push"]["vapid_public_key"]}).json()
    with app.app_context():
        subscribe(household_id, None, subscription["endpoint"], **subscription["keys"])
        db.session.commit()
        db.session.remove()
    params = {"code": "DH1", "amount": 150_000, "channel": "transfer"}

    first = notice_for(app, household_id, NoticeKind.PAYMENT_RECEIVED, f"e2e-push-{household_id}", params)
    assert send_now(app, first) == "sent"
    assert notice_state(app, first)[:2] == (NoticeStatus.SENT, "push")
    pushed = requests.get(f"{sandbox.url}/_sandbox/push/messages", timeout=5,
                          params={"subscription": subscription["endpoint"].rsplit("/", 1)[1]}).json()
    assert pushed[-1]["payload"]["body"] == "Đã nhận 150.000\u00a0₫ cho đơn DH1."
    assert pushed[-1]["payload"]["title"] == "Đã nhận tiền"

    # The farmer's browser dropped the subscription: Zalo carries it, in Vietnamese, from its template.
    requests.delete(f"{sandbox.url}/_sandbox/push/subscriptions/{subscription['endpoint'].rsplit('/', 1)[1]}",
                    timeout=5).raise_for_status()
    second = notice_for(app, household_id, NoticeKind.PAYMENT_RECEIVED, f"e2e-zalo-{household_id}", params)
    assert send_now(app, second) == "sent"
    status, channel, attempts = notice_state(app, second)
    assert (status, channel) == (NoticeStatus.SENT, "zalo") and attempts["push"][0] == AttemptStatus.REFUSED
    zalo = sandbox_messages(sandbox, "zalo", phone)[-1]
    assert zalo["template_id"] == "demo-payment-received"
    assert zalo["template_data"] == {"order_code": "DH1", "amount": "150.000\u00a0₫"}

    # Not a Zalo user: SMS, without diacritics, with its cost recorded.
    requests.post(f"{sandbox.url}/_sandbox/zalo/non-users", json={"phones": [phone]}, timeout=5).raise_for_status()
    third = notice_for(app, household_id, NoticeKind.PAYMENT_RECEIVED, f"e2e-sms-{household_id}", params)
    assert send_now(app, third) == "sent"
    status, channel, attempts = notice_state(app, third)
    assert (status, channel) == (NoticeStatus.SENT, "sms")
    # push: gone. The gateway's delivery report may already have come back (a connector from an
    # earlier test still listens at the sandbox's callback address), so "delivered" is as right as "sent".
    assert set(attempts) == {"zalo", "sms"} and attempts["zalo"] == (AttemptStatus.REFUSED, 0)
    assert attempts["sms"] in {(AttemptStatus.SENT, 750), (AttemptStatus.DELIVERED, 750)}
    assert sandbox_messages(sandbox, "sms", phone)[-1]["content"] == "Da nhan 150.000 d cho don DH1."


def test_a_notice_is_sent_once_with_zalo_down_and_a_worker_killed_mid_send(app, sandbox, workers):
    household_id, phone = committed_household(app)
    sandbox.configure(zalo_down=True, sms_hang_seconds=3.0)  # the gateway answers after the worker gave up
    try:
        workers.ensure(1)
        notice_id = notice_for(app, household_id, NoticeKind.PARCEL_RECEIVED, f"e2e-kill-{household_id}",
                               {"code": "DH2", "point": "Bưu điện Hải Lăng"})
        # The worker has written its SMS attempt and is waiting on the gateway: kill it there.
        wait_until(lambda: notice_state(app, notice_id)[2].get("sms", ("",))[0] == AttemptStatus.SENDING,
                   timeout=30, every=0.05, explain=workers.problems)
        workers.kill_one()
        sandbox.configure(sms_hang_seconds=0.0)
        workers.start(1)
        wait_until(lambda: notice_state(app, notice_id)[0] == NoticeStatus.SENT, timeout=200, every=0.5,
                   explain=lambda: f"{notice_state(app, notice_id)}\n{workers.problems()}")
    finally:
        sandbox.configure(zalo_down=False, sms_hang_seconds=0.0)
    status, channel, attempts = notice_state(app, notice_id)
    assert channel == "sms" and attempts["zalo"][0] == AttemptStatus.RETRY
    messages = sandbox_messages(sandbox, "sms", phone)
    assert len(messages) == 1, "the retry carried the same request id: one SMS"
    assert messages[0]["content"] == "Buu dien Hai Lang da nhan goi hang cua don DH2."
    assert sandbox_messages(sandbox, "zalo", phone) == []
