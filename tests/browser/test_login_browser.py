import pytest

from connector.seed import DEMO_USERS
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
AGENT = next(user for user in DEMO_USERS if user[2] == "agent")


def test_demo_agent_signs_in_on_a_phone_and_sees_the_vietnamese_home_page(live_server, phone):
    username, password, _, _, full_name = AGENT
    phone.goto(f"{live_server}/")
    assert phone.url.startswith(f"{live_server}/login")
    assert phone.locator("h1").inner_text() == "Đăng nhập"

    phone.get_by_label("Tên đăng nhập").fill(username)
    phone.get_by_label("Mật khẩu").fill(password)
    phone.get_by_role("button", name="Đăng nhập").click()

    phone.wait_for_url(f"{live_server}/")
    assert phone.locator("h1").inner_text() == f"Xin chào, {full_name}"
    body = phone.locator("main").inner_text()
    assert "Nhân viên bưu điện" in body and "Tỉnh Quảng Trị" in body
    # Fits a 360 px screen: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "home-agent-360.png"), full_page=True)


def test_wrong_password_shows_the_vietnamese_message_in_the_browser(live_server, phone):
    phone.goto(f"{live_server}/login")
    phone.get_by_label("Tên đăng nhập").fill(AGENT[0])
    phone.get_by_label("Mật khẩu").fill("sai-mat-khau")
    phone.get_by_role("button", name="Đăng nhập").click()
    assert phone.get_by_role("alert").inner_text() == "Sai tên đăng nhập hoặc mật khẩu."
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "login-error-360.png"), full_page=True)
