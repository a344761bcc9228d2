"""A farmer's phone subscribes to Web Push (issue 12): only with a farmer session, only a push
service's address, and a subscription ends with the session."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import select

from connector.extensions import db
from connector.farmers.views import _push_endpoint_allowed
from connector.notices.models import PushSubscription
from tests.factories import make_household
from tests.farmers.helpers import post_form, sign_in
from tests.helpers import csrf_token_from


def b64(size: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).decode().rstrip("=")


def subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc123"):
    return {"endpoint": endpoint, "keys": {"p256dh": b64(65), "auth": b64(16)}}


def subscribe(client, body):
    token = csrf_token_from(client.get("/farmer/help").get_data(as_text=True))
    return client.post("/farmer/push-subscription", json=body, headers={"X-CSRFToken": token})


@pytest.fixture
def household(db_session):
    return make_household()


def test_a_signed_in_farmer_subscribes_and_signing_out_ends_it(client, app, household):
    sign_in(client, app, household)
    assert subscribe(client, subscription()).status_code == 201
    assert subscribe(client, subscription()).status_code == 201  # the browser renews: still one
    rows = db.session.scalars(select(PushSubscription).where(PushSubscription.household_id == household.id)).all()
    assert len(rows) == 1 and rows[0].gone_at is None
    post_form(client, "/farmer/sign-out", page="/farmer/help")
    db.session.refresh(rows[0])
    assert rows[0].gone_at is not None


@pytest.mark.parametrize("body", [
    {}, {"endpoint": "https://fcm.googleapis.com/x"}, {"endpoint": 5, "keys": {}},
    {"endpoint": "javascript:alert(1)", "keys": {"p256dh": "a" * 87, "auth": "b" * 22}},
    {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": "<script>" * 12, "auth": "b" * 22}},
    {"endpoint": "https://fcm.googleapis.com/" + "x" * 600, "keys": {"p256dh": "a" * 87, "auth": "b" * 22}},
])
def test_bad_subscriptions_are_refused_in_vietnamese(client, app, household, body):
    sign_in(client, app, household)
    response = subscribe(client, body)
    assert response.status_code == 422 and "thông báo" in response.json["message"]
    assert db.session.scalar(select(PushSubscription.id)) is None


def test_no_farmer_session_no_subscription(client, household):
    response = client.post("/farmer/push-subscription", json=subscription())
    assert response.status_code in (302, 400)  # no session: sign-in page; no CSRF token: refused
    assert db.session.scalar(select(PushSubscription.id)) is None


def test_production_accepts_only_the_browsers_push_services(app):
    with app.test_request_context():
        saved = app.config["ENV_NAME"]
        app.config["ENV_NAME"] = "production"
        try:
            assert _push_endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc")
            assert _push_endpoint_allowed("https://web.push.apple.com/QO")
            for endpoint in ("http://fcm.googleapis.com/x", "https://127.0.0.1/push", "https://evil.example/push",
                             "https://googleapis.com.evil.example/x"):
                assert not _push_endpoint_allowed(endpoint), endpoint
        finally:
            app.config["ENV_NAME"] = saved
