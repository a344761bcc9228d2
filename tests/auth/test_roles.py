import pytest

from tests.factories import PASSWORD, make_user
from tests.helpers import login


@pytest.mark.parametrize(
    ("role", "label", "area", "capability"),
    [
        ("admin", "Quản trị viên", "Tất cả các tỉnh", "Quản lý tài khoản và vai trò nhân viên"),
        ("officer", "Cán bộ tỉnh", "Tỉnh Quảng Trị", "Xem các hộ, sản phẩm và đơn hàng của tỉnh"),
        ("agent", "Nhân viên bưu điện", "Tỉnh Quảng Trị", "Đăng sản phẩm lên PostMart và VoSo"),
    ],
)
def test_home_page_says_role_area_and_what_each_role_can_do(client, role, label, area, capability):
    user = make_user(role)
    html = login(client, user.username, PASSWORD, follow_redirects=True).get_data(as_text=True)
    assert label in html and area in html and capability in html


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_home_page_promises_only_what_is_there(client, role):
    """What the home page promises has a link: the progress and its reports now exist; nothing is
    sent "to the Ministry" from here."""
    user = make_user(role)
    html = login(client, user.username, PASSWORD, follow_redirects=True).get_data(as_text=True)
    assert "Bộ" not in html
    assert 'href="/households"' in html and 'href="/orders"' in html and 'href="/publishing/problems"' in html
    assert "tiến độ" in html.lower() and 'href="/reports"' in html


def test_only_admins_see_the_staff_list(app, client):
    admin = make_user("admin")
    officer = make_user("officer", province_code="01")
    login(client, officer.username, PASSWORD)
    assert client.get("/staff").status_code == 403
    admin_client = app.test_client()
    login(admin_client, admin.username, PASSWORD)
    page = admin_client.get("/staff")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert officer.username in html and "Thành phố Hà Nội" in html
