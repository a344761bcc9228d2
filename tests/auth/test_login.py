from sqlalchemy import select

from connector.auth.models import User
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token_from, login

WRONG = "Sai tên đăng nhập hoặc mật khẩu."


def test_agent_signs_in_and_sees_who_they_are(client):
    make_user("agent", username="nv.hailang", full_name="Lê Thị Hoa")
    response = login(client, "nv.hailang", PASSWORD, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xin chào, Lê Thị Hoa" in html
    assert "Nhân viên bưu điện" in html
    assert "Tỉnh Quảng Trị" in html
    assert "Đăng ký hộ sản xuất nông nghiệp và sản phẩm" in html


def test_home_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/")


def test_wrong_password_and_unknown_user_get_the_same_vietnamese_answer(client):
    make_user("agent", username="nv.trieuphong")
    wrong_password = login(client, "nv.trieuphong", "not-the-password")
    unknown_user = login(client, "nobody.here", "not-the-password")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert WRONG in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_login_without_csrf_token_is_refused_and_changes_nothing(client, db_session):
    user = make_user("agent", username="nv.giolinh")
    response = client.post("/login", data={"username": "nv.giolinh", "password": PASSWORD})
    assert response.status_code == 400
    assert "mã bảo mật" in response.get_data(as_text=True)
    db_session.refresh(user)
    assert user.last_login_at is None
    assert client.get("/").status_code == 302


def test_empty_fields_are_named_in_vietnamese(client):
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_token_from(html), "username": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng nhập tên đăng nhập." in body and "Vui lòng nhập mật khẩu." in body


def test_more_than_five_failed_logins_a_minute_get_429(client):
    make_user("agent", username="nv.vinhlinh")
    statuses = [login(client, "nv.vinhlinh", f"wrong-{attempt}").status_code for attempt in range(6)]
    assert statuses == [401] * 5 + [429]
    blocked = login(client, "nv.vinhlinh", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


def test_successful_logins_do_not_count_towards_the_limit(client):
    make_user("agent", username="nv.dongha")
    for _ in range(7):
        assert login(client, "nv.dongha", PASSWORD).status_code == 302
        html = client.get("/").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_token_from(html)})


def test_disabled_staff_cannot_sign_in(client, db_session):
    user = make_user("officer", username="cb.nghiviec")
    user.active = False
    db_session.flush()
    assert login(client, "cb.nghiviec", PASSWORD).status_code == 401


def test_login_never_redirects_to_another_site(client):
    make_user("agent", username="nv.camlo")
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"csrf_token": csrf_token_from(html), "username": "nv.camlo", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_logout_needs_the_form_token_and_ends_the_session(client):
    make_user("agent", username="nv.huonghoa")
    login(client, "nv.huonghoa", PASSWORD)
    assert client.post("/logout").status_code == 400  # a cross-site form cannot sign staff out
    html = client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_from(html)}, follow_redirects=True)
    assert "Bạn đã đăng xuất." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_lax(client):
    make_user("agent", username="nv.dakrong")
    response = login(client, "nv.dakrong", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_is_stored_hashed(db_session):
    make_user("agent", username="nv.bamai")
    stored = db_session.scalar(select(User.password_hash).where(User.username == "nv.bamai"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_failed_sign_ins_are_limited_per_account_whatever_the_address(app, db_session):
    """Issue 15, finding 9: sign-in was throttled per address only."""
    make_user("agent", username="nv.camlo")
    statuses = []
    for attempt in range(11):  # a different address each time, as from many machines
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{attempt + 1}"
        statuses.append(login(client, "nv.camlo", f"wrong-{attempt}").status_code)
    assert statuses == [401] * 10 + [429]
    api = app.test_client()
    api.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    assert api.post("/api/v1/auth/token", json={"username": "nv.camlo", "password": "x"}).status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.100"
    make_user("agent", username="nv.giolinh")
    assert login(other, "nv.giolinh", PASSWORD).status_code == 302  # another account is not held up
