from datetime import UTC, datetime, timedelta

from tests.factories import PASSWORD, bearer, make_token, make_user

TOKEN_URL = "/api/v1/auth/token"
PROVINCES_URL = "/api/v1/admin-units/provinces"


def test_token_for_username_and_password_opens_the_api(client):
    make_user("officer", username="cb.api")
    response = client.post(TOKEN_URL, json={"username": "cb.api", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)
    assert client.get(PROVINCES_URL, headers=bearer(body["token"])).status_code == 200


def test_wrong_password_gets_401_with_the_standard_error_body(client):
    make_user("officer", username="cb.sai")
    response = client.post(TOKEN_URL, json={"username": "cb.sai", "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert response.get_json() == {
        "code": 401, "status": "Unauthorized", "message": "Sai tên đăng nhập hoặc mật khẩu.", "errors": {},
    }


def test_missing_fields_get_422_naming_each_field_in_vietnamese(client):
    response = client.post(TOKEN_URL, json={"username": "x"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "Một số thông tin chưa hợp lệ."
    assert body["errors"]["json"]["password"] == ["Trường này là bắt buộc."]


def test_a_body_that_is_not_json_is_refused_cleanly(client):
    response = client.post(TOKEN_URL, data="username=x", content_type="text/plain")
    assert response.status_code == 422
    assert response.get_json()["code"] == 422


def test_expired_token_gets_401(client):
    token = make_token(make_user("agent"), expires_in=timedelta(seconds=-1))
    response = client.get(PROVINCES_URL, headers=bearer(token))
    assert response.status_code == 401
    assert "hết hạn" in response.get_json()["message"]


def test_revoked_token_gets_401(client):
    token = make_token(make_user("agent"))
    assert client.delete(TOKEN_URL, headers=bearer(token)).status_code == 204
    assert client.get(PROVINCES_URL, headers=bearer(token)).status_code == 401


def test_revoke_all_tokens_from_the_cli(client, runner):
    user = make_user("agent", username="nv.matmay")
    tokens = [make_token(user), make_token(user)]
    result = runner.invoke(args=["users", "revoke-tokens", "--username", "nv.matmay"])
    assert result.exit_code == 0 and "revoked 2" in result.output
    assert all(client.get(PROVINCES_URL, headers=bearer(t)).status_code == 401 for t in tokens)


def test_no_token_or_a_made_up_token_gets_401(client):
    anonymous = client.get(PROVINCES_URL)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert client.get(PROVINCES_URL, headers=bearer("made-up")).status_code == 401


def test_disabled_staff_tokens_stop_working(client, db_session):
    user = make_user("agent")
    token = make_token(user)
    user.active = False
    db_session.flush()
    assert client.get(PROVINCES_URL, headers=bearer(token)).status_code == 401


def test_token_endpoint_is_rate_limited_for_failures(client):
    make_user("agent", username="nv.doan")
    statuses = [
        client.post(TOKEN_URL, json={"username": "nv.doan", "password": f"guess-{n}"}).status_code
        for n in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    assert client.post(TOKEN_URL, json={"username": "nv.doan", "password": "x"}).get_json()["code"] == 429


def test_cookie_session_reads_but_cannot_write_through_the_api(client):
    from tests.helpers import login

    make_user("agent", username="nv.cookie")
    login(client, "nv.cookie", PASSWORD)
    assert client.get(PROVINCES_URL).status_code == 200
    # Writes need a bearer token: a forged cross-site request riding the cookie gets nowhere.
    response = client.post("/api/v1/admin-units/convert",
                           json={"province": "Quảng Trị", "commune": "Hải Thượng"})
    assert response.status_code == 401
