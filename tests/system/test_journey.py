"""The full journey in real Chromium against the whole system as `make run` runs it (issue 15): gunicorn,
an RQ worker, Redis and the sandbox as processes of their own, over a fresh database.

An agent signs in, onboards a household with consent and an OCOP product with a photo, publishes it;
the sandbox approves it on PostMart and VoSo; a buyer orders; the order is matched to the household's
service point and the carrier booked with cash on delivery; the farmer signs in with the SMS code and
sees the order, where to take it and the VietQR; the bank's notice pays the order and the carrier is
told to collect nothing; the carrier delivers; the officer's dashboard counts all of it.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import add_ocop_product, onboard_household
from tests.e2e import wait_until
from tests.factories import photo_bytes
from tests.system.stack import Stack, started_stack

pytestmark = pytest.mark.browser
AGENT = ("buudien.hailang", "demo-buudien-2025")
OFFICER = ("canbo.quangtri", "demo-canbo-2025")
FARMER_PHONE = "0935 246 811"
# The dashboard's rows this journey moves, in Vietnamese as the officer reads them.
COUNTED = {
    "onboarded": "Hộ đã lên sàn (có đồng ý)",
    "live_both": "Hộ đang bán trên cả hai sàn",
    "products": "Sản phẩm",
    "ocop_4": "Sản phẩm OCOP 4 sao",
    "orders": "Đơn hàng",
    "order_value": "Tổng giá trị đơn hàng",
    "received_transfer": "Tiền chuyển khoản trực tiếp",
    "received_cod": "Tiền thu hộ (COD) đã nhận",
    "delivered": "Gói hàng đã giao",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A system of its own: the drills' households, still being counted, would move the dashboard's
    figures under the journey's feet."""
    with started_stack(tmp_path_factory.mktemp("journey")) as running:
        yield running


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text) or 0)


def sign_in(page, stack: Stack, username: str, password: str) -> None:
    page.goto(f"{stack.url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{stack.url}/")


def dashboard(page, stack: Stack) -> dict[str, int]:
    """The officer's indicators for this month, as the page shows them."""
    page.goto(f"{stack.url}/reports")
    rows = page.locator("table.figures tbody tr")
    shown = {row.locator("th").inner_text(): row.locator("td").inner_text() for row in rows.all()}
    return {key: digits(shown[label]) for key, label in COUNTED.items()}


def test_the_whole_journey_from_onboarding_to_the_officers_dashboard(stack, browser, tmp_path):
    phone = dict(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, locale="vi-VN")
    officer = browser.new_context(**phone).new_page()
    agent = browser.new_context(**phone).new_page()
    farmer = browser.new_context(**phone).new_page()
    try:
        # The figures as the officer finds them once the worker has counted what `seed demo` made (the
        # demo farmer's household, onboarded with consent): the journey's own come on top.
        sign_in(officer, stack, *OFFICER)
        before = wait_until(lambda: (figures := dashboard(officer, stack))["onboarded"] >= 1 and figures,
                            timeout=60, every=1, explain=stack.problems)

        # The agent onboards, with consent, and publishes; the sandbox's review approves both listings.
        photo = tmp_path / "mat-ong.jpg"
        photo.write_bytes(photo_bytes(1600, 1200))
        sign_in(agent, stack, *AGENT)
        agent.get_by_role("link", name="+ Đăng ký hộ mới").click()
        onboard_household(agent, "Lê Thị Hành Trình", FARMER_PHONE, "3906205888999")
        assert agent.get_by_text("Đã lưu hộ Lê Thị Hành Trình.").is_visible()
        add_ocop_product(agent, str(photo))
        product = agent.locator(".products li").first
        assert "OCOP ★★★★" in product.inner_text() and "250.000\u00a0₫ / chai" in product.inner_text()
        product.get_by_role("link").first.click()
        agent.get_by_role("button", name="Đăng lên sàn").click()
        for marketplace in ("postmart", "voso"):  # the panel updates itself while the review runs
            badge = agent.locator(f'#listings-panel [data-marketplace="{marketplace}"]')
            wait_until(lambda b=badge: b.inner_text() == "Đang bán", timeout=90, explain=stack.problems)
        sku = "CN-" + re.search(r"/products/(\d+)", agent.url).group(1)
        on_sale = {p["seller_sku"]: p for p in stack.sandbox_get("/_sandbox/products/postmart")}
        assert on_sale[sku]["stock"] == 40 and on_sale[sku]["price"] == 250000

        # A buyer orders two bottles on PostMart, to pay by transfer.
        stack.sandbox_post("/_sandbox/postmart/orders", {
            "seller_sku": sku, "quantity": 2, "payment": "transfer",
            "buyer": {"name": "Khách Hàng", "phone": "0987000111", "address": "Hà Nội"}})

        # The farmer signs in with the code the SMS gateway received.
        farmer.goto(f"{stack.url}/farmer/sign-in")
        farmer.fill("#phone", FARMER_PHONE)
        farmer.click("form button.primary")
        farmer.wait_for_url("**/farmer/sign-in/code")
        sms = wait_until(lambda: [m for m in stack.sandbox_get("/_sandbox/sms/messages")
                                  if m["phone"].endswith("935246811")], timeout=30, explain=stack.problems)
        farmer.fill("#code", re.search(r"#(\d{6})$", sms[-1]["content"]).group(1))
        farmer.click("form button.primary")
        farmer.wait_for_url(f"{stack.url}/farmer/")

        # The order, matched to Hải Lăng's post office, with the buyer's VietQR.
        def order_with_its_point():
            farmer.goto(f"{stack.url}/farmer/orders")
            links = farmer.locator("main a.card")
            if not links.count():
                return False
            links.first.click()
            return "Nơi mang hàng đến" in farmer.inner_text("main") and farmer.locator("main p strong").count()

        wait_until(order_with_its_point, timeout=60, every=1, explain=stack.problems)
        code = re.search(r"Đơn (\S+)", farmer.inner_text("h1")).group(1)
        text = farmer.inner_text("main")
        assert "Bưu điện" in farmer.locator("main p strong").first.inner_text()
        assert "Tổng: 500.000\u00a0₫" in text
        owed = digits(re.search(r"Còn phải trả: ([\d.]+)", text).group(1))
        assert owed >= 500000
        assert farmer.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth") > 100
        farmer.screenshot(path=str(ARTIFACTS / "journey-farmer-order-360.png"), full_page=True)

        # The carrier has the parcel booked, cash on delivery for what is owed.
        def at_the_carrier():
            return next((s for s in stack.sandbox_get("/_sandbox/carrier/shipments") if s["reference"] == code), None)

        assert wait_until(at_the_carrier, timeout=60, explain=stack.problems)["cod_amount"] == owed

        # The buyer pays by scanning the QR: the bank's notice reaches the connector, the order is paid
        # and the carrier is told to collect nothing.
        stack.sandbox_post("/_sandbox/bank/transfers", {"amount": owed, "memo": f"{code} Thanh toan"})
        wait_until(lambda: at_the_carrier()["cod_amount"] == 0, timeout=60, explain=stack.problems)
        farmer.reload()
        assert "Còn phải trả" not in farmer.inner_text("main") and not farmer.locator("img.qr").count()

        # The carrier delivers; the agent's order page says so, paid, with no cash to collect.
        shipment = at_the_carrier()
        for status in ("RECEIVED_AT_POST_OFFICE", "IN_TRANSIT", "DELIVERED"):
            stack.sandbox_post(f"/_sandbox/carrier/shipments/{shipment['shipment_id']}/advance", {"status": status})

        def agents_order_page():
            agent.goto(f"{stack.url}/orders?q={code}")
            agent.get_by_role("link", name=code).first.click()
            return "Đã giao" in agent.inner_text("#order-facts") and agent.inner_text("#order-facts")

        facts = wait_until(agents_order_page, timeout=60, every=1, explain=stack.problems)
        assert "Đã thanh toán" in facts and "Tiền thu hộ khi giao" not in facts
        assert at_the_carrier()["cod_amount"] == 0  # the courier collected nothing

        # The officer's dashboard counts it all (the figures are refreshed by the worker).
        expected = {**before, "onboarded": before["onboarded"] + 1, "live_both": before["live_both"] + 1,
                    "products": before["products"] + 1, "ocop_4": before["ocop_4"] + 1,
                    "orders": before["orders"] + 1, "order_value": before["order_value"] + owed,
                    "received_transfer": before["received_transfer"] + owed, "delivered": before["delivered"] + 1}
        wait_until(lambda: dashboard(officer, stack) == expected, timeout=90, every=2,
                   explain=lambda: f"{dashboard(officer, stack)} != {expected}\n{stack.problems()}")
        officer.screenshot(path=str(ARTIFACTS / "journey-officer-dashboard-360.png"), full_page=True)
    finally:
        for page in (officer, agent, farmer):
            page.context.close()
    assert "Traceback" not in stack.log("web"), stack.log("web")[-3000:]
