"""Findings of issue 15 when the service was probed as an outsider would, each shown by a test that
failed before its fix: signing in with Redis down, personal data in error logs and one log line per
error with a request id, duplicate phones on edit or reinstatement, control characters."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from sqlalchemy import text

from connector import create_app
from connector.extensions import db
from connector.households.models import Household
from tests.factories import make_household, make_user
from tests.helpers import csrf_token_from, free_port, login


@pytest.fixture
def app_without_redis(app_config):
    """The app with its Redis (limits, queues) at a port where nothing listens."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app({**app_config, "REDIS_URL": dead, "RATELIMIT_STORAGE_URI": dead})
    return app


def test_staff_sign_in_while_redis_is_down(app_without_redis, db_session, caplog):
    user = make_user("agent", province_code="44")
    db.session.commit()
    client = app_without_redis.test_client()
    with caplog.at_level(logging.WARNING):
        answer = login(client, user.username, "correct-horse-battery")
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"]
    token = client.post("/api/v1/auth/token", json={"username": user.username, "password": "correct-horse-battery"})
    assert token.status_code == 201, token.get_json()
    assert "falling back to in-memory storage" in caplog.text.lower() or "in-memory" in caplog.text.lower()


def _failing_app(app_config) -> Flask:
    """A fresh app with one route that fails in the database with a phone number as a parameter."""
    app = create_app(app_config)

    @app.route("/_probe/fail")
    def fail():
        phone = "+849" + "12345678"  # (a traceback shows the failing line: the number is not on it)
        db.session.execute(text("SELECT * FROM no_such_table WHERE phone = :phone"), {"phone": phone})
        return "unreachable"

    return app


def test_a_database_error_is_logged_once_without_its_parameters_and_the_page_gives_its_id(app_config, caplog):
    app = _failing_app(app_config)
    with caplog.at_level(logging.INFO):
        answer = app.test_client().get("/_probe/fail")
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    request_id = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id) and request_id in page and "Mã lỗi" in page
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and request_id in errors[0].getMessage()
    assert "912345678" not in caplog.text


def test_a_duplicate_phone_on_edit_or_reinstatement_is_a_clear_message(app, db_session):
    agent = make_user("agent", province_code="44")
    first = make_household(agent, head_name="Hộ Thứ Nhất")
    second = make_household(agent, head_name="Hộ Thứ Hai", phone="0912 777 001")
    db.session.commit()
    from connector.errors import ValidationFailed
    from connector.households.services import reinstate_household, suspend_household, update_household

    with pytest.raises(ValidationFailed) as refused:
        update_household(agent, second, {"phone": "0" + first.phone.removeprefix("+84")})
    assert "đã thuộc về một hộ khác" in refused.value.text()
    db.session.rollback()
    officer = make_user("officer", province_code="44")
    suspend_household(officer, second, "Kiểm tra")
    db.session.commit()
    second.phone = first.phone
    db.session.commit()
    with pytest.raises(ValidationFailed):
        reinstate_household(officer, second)
    db.session.rollback()
    assert db.session.get(Household, second.id).status == "suspended"


@pytest.mark.parametrize("bad", ["a\x00b", "Hộ\x07", "x\x1by"])
def test_control_characters_are_refused_in_vietnamese_before_anything_runs(app, db_session, bad):
    client = app.test_client()
    page = client.get("/login")
    answer = client.post("/login", data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                         "username": bad, "password": "whatever-1"})
    assert answer.status_code == 400 and "ký tự điều khiển" in answer.get_data(as_text=True)
    api = client.post("/api/v1/auth/token", json={"username": bad, "password": "x"})
    assert api.status_code == 400 and "ký tự điều khiển" in api.get_json()["message"]
    assert client.get("/login", query_string={"next": bad}).status_code == 400


def test_line_breaks_and_tabs_still_pass(app, db_session):
    client = app.test_client()
    page = client.get("/login")
    answer = client.post("/login", data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                         "username": "ai\tđó\r\n", "password": "whatever-1"})
    assert answer.status_code != 400
