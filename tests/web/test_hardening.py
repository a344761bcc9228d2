"""Findings of issue 15 when the service was probed as an outsider would, each shown by a test that
failed before its fix: signing in with Redis down, personal data in error logs and one log line per
error with a request id, duplicate phones on edit or reinstatement, control characters."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest
from flask import Flask
from sqlalchemy import text

from connector import create_app
from connector.config import PROJECT_ROOT
from connector.extensions import db
from connector.households.models import Household
from tests.factories import make_household, make_product, make_user
from tests.helpers import csrf_token_from, free_port

# In a process of its own: a second app here would rebind the shared rate limiter's storage (to the
# dead Redis) under the session's test app.
SIGN_IN_WITHOUT_REDIS = """
import logging, re, sys
from flask_migrate import upgrade
from connector import create_app
from connector.config import PROJECT_ROOT
from connector.auth.services import create_user
from connector.extensions import db
logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "REDIS_URL": sys.argv[2],
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "SECRET_KEY": "k" * 40})
with app.app_context():
    upgrade()
    create_user(username="agent.down", password="correct-horse-battery", role="admin", province_code=None)
    db.session.commit()
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
form = client.post("/login", data={"csrf_token": token, "username": "agent.down",
                                   "password": "correct-horse-battery"})
api = client.post("/api/v1/auth/token", json={"username": "agent.down", "password": "correct-horse-battery"})
print("RESULT", form.status_code, form.headers.get("Location"), api.status_code)
"""


def test_staff_sign_in_while_redis_is_down(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    ran = subprocess.run([sys.executable, "-c", SIGN_IN_WITHOUT_REDIS, f"sqlite:///{tmp_path}/down.db", dead],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    result = next((line for line in ran.stdout.splitlines() if line.startswith("RESULT")), ran.stderr).split()
    assert result[1] == "302" and "/login" not in result[2], ran.stdout + ran.stderr
    assert result[3] == "201", ran.stdout + ran.stderr
    assert "in-memory" in ran.stdout.lower() + ran.stderr.lower()  # and the log says why limits are local


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
    with app.app_context():
        db.engine.dispose()  # this app's own pool: closed now, not whenever the garbage collector runs
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


def test_every_answer_carries_the_security_headers_and_personal_pages_are_not_stored(app, db_session):
    client = app.test_client()
    login_page = client.get("/login")
    policy = login_page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert login_page.headers["X-Frame-Options"] == "DENY"
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"
    assert login_page.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in login_page.headers  # only in production, behind HTTPS
    user = make_user("agent", province_code="44")
    db.session.commit()
    from tests.helpers import login

    login(client, user.username, "correct-horse-battery")
    assert "no-store" in client.get("/households").headers["Cache-Control"]
    with client.get("/static/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_no_page_carries_inline_script_or_style():
    """What the policy would block: every template's scripts and styles come from /static."""
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template
        assert "<style" not in html and not re.search(r"\son[a-z]+=\"", html), template


def _signed_in_twice(app):
    """A staff member's session, and a copy of its cookie in another client (a stolen cookie)."""
    user = make_user("agent", province_code="44")
    db.session.commit()
    first = app.test_client()
    from tests.helpers import login

    login(first, user.username, "correct-horse-battery")
    copy = app.test_client()
    cookie = first.get_cookie("session")
    copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost", path=cookie.path or "/")
    assert copy.get("/households").status_code == 200
    return user, first, copy


def test_signing_out_ends_a_copied_session_too(app, db_session):
    _user, first, copy = _signed_in_twice(app)
    token = csrf_token_from(first.get("/households").get_data(as_text=True))
    assert first.post("/logout", data={"csrf_token": token}).status_code == 302
    assert copy.get("/households").status_code == 302  # back to the sign-in page


@pytest.mark.parametrize("change", ["set_password", "deactivate"])
def test_a_new_password_or_deactivation_ends_every_session(app, db_session, change):
    from connector.auth import services

    user, first, copy = _signed_in_twice(app)
    if change == "set_password":
        services.set_password(user, "a-new-long-passphrase")
    else:
        services.deactivate(user)
    db.session.commit()
    assert first.get("/households").status_code == 302 and copy.get("/households").status_code == 302


def test_huge_ids_and_page_numbers_are_not_found_or_refused_never_a_500(app, db_session):
    user = make_user("agent", province_code="44")
    db.session.commit()
    client = app.test_client()
    from tests.helpers import login

    login(client, user.username, "correct-horse-battery")
    for path in ("/households/2147483648", "/households/99999999999999999999999", "/products/2147483648/edit",
                 "/orders/99999999999999999999"):
        assert client.get(path).status_code == 404, path
    assert client.get("/households", query_string={"page": str(10**30)}).status_code == 200
    token = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": "correct-horse-battery"}).get_json()
    api = client.get("/api/v1/households", query_string={"page": str(10**30)},
                     headers={"Authorization": f"Bearer {token['token']}"})
    assert api.status_code == 422


def test_a_multipart_part_without_a_name_is_refused_not_a_500(client, auth, agent):
    """Found by the API fuzzing (issue 15): a form part whose Content-Disposition names no field
    reached the control-character check as a None key and failed it with a 500."""
    product = make_product(make_household(agent), user=agent)
    body = b'--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--b--\r\n'
    answer = client.post(f"/api/v1/products/{product.id}/photos", data=body, headers=auth,
                         content_type="multipart/form-data; boundary=b")
    assert answer.status_code == 422 and "Hãy chọn một ảnh." in str(answer.get_json())
