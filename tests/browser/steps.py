"""The agent's onboarding forms filled as an agent fills them, shared by the onboarding test and the
whole-system journey: a Hải Lăng household with consent, then an OCOP 4-star product with a photo."""

from __future__ import annotations


def onboard_household(page, head_name: str, phone: str, account: str) -> None:
    """From the new-household page: the four steps, then save."""
    page.get_by_label("Họ tên chủ hộ").fill(head_name)
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Sản phẩm, cây trồng, vật nuôi chính").fill("Mật ong rừng")
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_label("Xã/phường (từ 1/7/2025)").select_option(label="Xã Hải Lăng")
    page.get_by_label("Thôn, ấp, bản").fill("Thôn Câu Nhi")
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_label("Ngân hàng hoặc ví/Mobile Money").select_option("970405")
    page.get_by_label("Số tài khoản").fill(account)
    page.get_by_label("Chủ tài khoản").fill(head_name)
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_label("Hộ đồng ý với nội dung trên").check()
    page.get_by_role("button", name="Lưu hộ").click()


def add_ocop_product(page, photo_path: str) -> None:
    """From the household's page: "Mật ong rừng Hải Lăng", 250.000 ₫ a bottle, 40 in stock, OCOP 4 stars."""
    page.get_by_role("link", name="+ Thêm").click()
    page.get_by_label("Tên sản phẩm").fill("Mật ong rừng Hải Lăng")
    page.get_by_label("Danh mục").select_option("honey")
    page.get_by_label("Giá (đồng)").fill("250.000")
    page.get_by_label("mỗi", exact=True).select_option("chai")
    page.get_by_label("Tồn kho").fill("40")
    page.get_by_label("Khối lượng mỗi đơn vị (g)").fill("700")
    page.get_by_label("Chụp hoặc chọn ảnh").set_input_files(photo_path)
    page.get_by_text("Chứng nhận OCOP").click()
    page.get_by_label("Số sao OCOP").select_option("4")
    page.get_by_label("Số giấy chứng nhận").fill("245/QĐ-UBND")
    page.get_by_label("Tỉnh cấp chứng nhận").select_option(label="Quảng Trị")
    page.get_by_label("Ngày cấp").fill("2025-03-15")
    page.get_by_label("Có hiệu lực đến").fill("2028-03-15")
    page.get_by_label("Trạng thái").select_option("active")
    page.get_by_role("button", name="Lưu sản phẩm").click()
