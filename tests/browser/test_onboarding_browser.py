"""Issue 3's "done when": on a 360x640 phone an agent onboards a household with consent and one OCOP
product with a photo, then finds it by searching without diacritics."""

import pytest

from connector.seed import DEMO_USERS
from tests.browser.conftest import ARTIFACTS
from tests.factories import photo_bytes
from tests.helpers import wait_for_js

pytestmark = pytest.mark.browser
AGENT = next(user for user in DEMO_USERS if user[2] == "agent")


def sign_in(phone, live_server):
    phone.goto(f"{live_server}/login")
    phone.get_by_label("Tên đăng nhập").fill(AGENT[0])
    phone.get_by_label("Mật khẩu").fill(AGENT[1])
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(f"{live_server}/")


def test_agent_onboards_a_household_and_an_ocop_product_on_a_phone(live_server, phone, tmp_path):
    sign_in(phone, live_server)
    phone.get_by_role("link", name="+ Đăng ký hộ mới").click()

    # Step 1: the person. "Next" refuses to move on while a required field is empty.
    phone.get_by_role("button", name="Tiếp").click()
    assert phone.get_by_label("Họ tên chủ hộ").is_visible()
    phone.get_by_label("Họ tên chủ hộ").fill("Hoàng Văn Đức")
    phone.get_by_label("Số điện thoại").fill("0935 246 810")
    phone.get_by_label("Sản phẩm, cây trồng, vật nuôi chính").fill("Mật ong rừng")
    phone.get_by_role("button", name="Tiếp").click()
    # Step 2: address.
    phone.get_by_label("Xã/phường (từ 1/7/2025)").select_option(label="Xã Hải Lăng")
    phone.get_by_label("Thôn, ấp, bản").fill("Thôn Câu Nhi")
    phone.get_by_role("button", name="Tiếp").click()
    # Step 3: payout.
    phone.get_by_label("Ngân hàng hoặc ví/Mobile Money").select_option("970405")
    phone.get_by_label("Số tài khoản").fill("3906205888777")
    phone.get_by_label("Chủ tài khoản").fill("Hoàng Văn Đức")
    phone.get_by_role("button", name="Tiếp").click()
    # Step 4: consent, then save.
    phone.get_by_label("Hộ đồng ý với nội dung trên").check()
    phone.get_by_role("button", name="Lưu hộ").click()

    assert phone.get_by_text("Đã lưu hộ Hoàng Văn Đức.").is_visible()
    assert phone.locator(".badge.active").first.inner_text() == "Đang hoạt động"

    phone.get_by_role("link", name="+ Thêm").click()
    photo = tmp_path / "mat-ong.jpg"
    photo.write_bytes(photo_bytes(2000, 1500))
    phone.get_by_label("Tên sản phẩm").fill("Mật ong rừng Hải Lăng")
    phone.get_by_label("Danh mục").select_option("honey")
    phone.get_by_label("Giá (đồng)").fill("250.000")
    phone.get_by_label("mỗi", exact=True).select_option("chai")
    phone.get_by_label("Tồn kho").fill("40")
    phone.get_by_label("Khối lượng mỗi đơn vị (g)").fill("700")
    phone.get_by_label("Chụp hoặc chọn ảnh").set_input_files(str(photo))
    phone.get_by_text("Chứng nhận OCOP").click()
    phone.get_by_label("Số sao OCOP").select_option("4")
    phone.get_by_label("Số giấy chứng nhận").fill("245/QĐ-UBND")
    phone.get_by_label("Tỉnh cấp chứng nhận").select_option(label="Quảng Trị")
    phone.get_by_label("Ngày cấp").fill("2025-03-15")
    phone.get_by_label("Có hiệu lực đến").fill("2028-03-15")
    phone.get_by_label("Trạng thái").select_option("active")
    phone.get_by_role("button", name="Lưu sản phẩm").click()

    product = phone.locator(".products li").first
    assert "Mật ong rừng Hải Lăng" in product.inner_text()
    assert "250.000\u00a0₫ / chai" in product.inner_text()
    assert "OCOP ★★★★" in product.inner_text() and "Sẵn sàng bán" in product.inner_text()
    # Not published yet: nothing says it is on sale (issue 11, finding 2).
    assert "PostMart: Chưa đăng" in product.inner_text() and "Đang bán" not in product.inner_text()
    # The photo shows (waiting for it to arrive: a busy machine serves it after the page).
    wait_for_js(phone, "img => img.complete && img.naturalWidth > 0", product.locator("img").element_handle(), 10)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "household-detail-360.png"), full_page=True)

    # Found again by typing without diacritics.
    phone.goto(f"{live_server}/households")
    phone.get_by_placeholder("Tìm theo tên hoặc số điện thoại").fill("hoang van duc")
    phone.get_by_role("button", name="Tìm").click()
    results = phone.locator("ul.items li")
    assert results.count() == 1 and "Hoàng Văn Đức" in results.first.inner_text()
    phone.screenshot(path=str(ARTIFACTS / "household-search-360.png"), full_page=True)
