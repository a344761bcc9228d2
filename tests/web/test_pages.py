import re

from connector import create_app
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token_from, login


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html


def test_page_weight_stays_under_50_kb_and_loads_nothing_from_elsewhere(client):
    html = client.get("/login").get_data(as_text=True)
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', html)
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', html)
    total = len(html.encode())
    for path in stylesheets + scripts:
        with client.get(path) as asset:
            total += len(asset.data)
    assert stylesheets, "the layout links its stylesheet"
    assert total < 50 * 1024
    assert not re.search(r'(src|href)="(https?:)?//', html), "no CDN, no external fonts"
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


def test_language_switch_shows_english_and_back(client):
    html = client.get("/login").get_data(as_text=True)
    switched = client.post(
        "/language", data={"csrf_token": csrf_token_from(html), "language": "en", "next": "/login"},
        follow_redirects=True,
    )
    assert '<html lang="en">' in switched.get_data(as_text=True)
    assert "Username" in switched.get_data(as_text=True)
    html = switched.get_data(as_text=True)
    back = client.post("/language", data={"csrf_token": csrf_token_from(html), "language": "vi"},
                       follow_redirects=True)
    assert "Tên đăng nhập" in back.get_data(as_text=True)


def test_language_switch_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert "mã bảo mật" in response.get_data(as_text=True)
    assert "Tên đăng nhập" in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/language",
        data={"csrf_token": csrf_token_from(html), "language": "fr", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_not_found_page_is_vietnamese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Trang hoặc mục bạn tìm không tồn tại." in response.get_data(as_text=True)


def test_forbidden_page_is_vietnamese(client):
    make_user("agent", username="nv.camlo")
    login(client, "nv.camlo", PASSWORD)
    response = client.get("/staff")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(as_text=True)


def test_server_error_page_is_vietnamese_and_hides_the_cause(app_config):
    app = create_app(app_config)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Hệ thống gặp sự cố. Vui lòng thử lại sau." in body
    assert "secret internals" not in body
