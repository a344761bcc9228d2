"""A farmer's day in real Chromium at 360x640 against the sandboxes and real workers (issue 13):
sign in with the code read from the SMS sandbox, add one to a product's stock and see it on both
marketplaces, open a new order and see where to take it and the buyer's VietQR, receive a transfer
at the sandbox bank and see it on the money page."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from connector.catalogue.services import create_product
from connector.extensions import db
from connector.households.services import create_household
from connector.logistics.models import Pickup
from connector.marketplaces.services import publish_product
from connector.orders.models import Order
from tests.e2e import wait_until
from tests.factories import household_input, make_service_point, make_user, photo_bytes, product_input

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("committed")]
PHONE = "0966 777 013"


def farm_on_sale(app) -> dict:
    """A Hà Nội household with a payout account, a product on sale and a service point beside it."""
    with app.app_context():
        agent = make_user("agent", province_code="01", username="e2e-farmer-journey")
        household, _ = create_household(agent, household_input(head_name="Đỗ Thị Hạnh", phone=PHONE,
                                                               commune_code="00004"), confirm_duplicates=True)
        product = create_product(agent, household.id, product_input(status="active", name="Chè Thái Nguyên",
                                                                     stock=20, price_vnd=120000),
                                 [photo_bytes(600, 400, with_gps=False)])
        point = make_service_point(household.lat + 0.002, household.lon, code="E2E-FARMER", name="Bưu điện Hạnh Phúc")
        publish_product(agent, product)
        db.session.commit()
        result = {"household": household.id, "product": product.id, "point": point.name}
        db.session.remove()
        return result


def sandbox_stock(sandbox, marketplace: str, sku: str) -> int | None:
    return next((p["stock"] for p in sandbox.products(marketplace) if p["seller_sku"] == sku), None)


def order_of(app, household_id: int):
    with app.app_context():
        row = db.session.execute(select(Order.id, Order.code, Order.total_vnd, Order.payment_status)
                                 .where(Order.household_id == household_id)).first()
        ready = row is not None and db.session.scalar(select(Pickup.id).where(Pickup.order_id == row.id)) is not None
        db.session.remove()
        return row if ready else None


def test_a_farmers_day_on_a_phone(app, browser, sandbox, workers, connector_url):
    farm = farm_on_sale(app)
    sku = f"CN-{farm['product']}"
    workers.ensure(1)
    wait_until(lambda: sandbox_stock(sandbox, "postmart", sku) == 20 and sandbox_stock(sandbox, "voso", sku) == 20,
               timeout=60, explain=workers.problems)
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    page = context.new_page()
    try:
        # Sign in with the code the SMS sandbox received.
        page.goto(f"{connector_url}/farmer/sign-in")
        page.fill("#phone", PHONE)
        page.click("form button.primary")
        page.wait_for_url("**/farmer/sign-in/code")
        sms = wait_until(lambda: [m for m in requests.get(f"{sandbox.url}/_sandbox/sms/messages", timeout=5).json()
                                  if m["phone"].endswith("966777013")], timeout=30, explain=workers.problems)
        page.fill("#code", re.search(r"#(\d{6})$", sms[-1]["content"]).group(1))
        page.click("form button.primary")
        page.wait_for_url(f"{connector_url}/farmer/")
        assert "Xin chào, Đỗ Thị Hạnh" in page.inner_text("h1")

        # One more in stock: both marketplaces show it.
        page.click("nav.tabs >> text=Sản phẩm")
        page.click(f"#product-{farm['product']} button:has-text('Thêm một')")
        assert page.inner_text(f"#product-{farm['product']} [data-stock]") == "21"
        wait_until(lambda: sandbox_stock(sandbox, "postmart", sku) == 21 and sandbox_stock(sandbox, "voso", sku) == 21,
                   timeout=60, explain=workers.problems)

        # A buyer orders on PostMart and pays by transfer: the farmer sees where to take it, and the QR.
        requests.post(f"{sandbox.url}/_sandbox/postmart/orders", timeout=5, json={
            "seller_sku": sku, "quantity": 1, "payment": "transfer",
            "buyer": {"name": "Khách Hàng", "phone": "0987000111", "address": "Hà Nội"}}).raise_for_status()
        order = wait_until(lambda: order_of(app, farm["household"]), timeout=60, explain=workers.problems)
        page.goto(f"{connector_url}/farmer/orders/{order.id}")
        assert farm["point"] in page.inner_text("main")
        qr_width = page.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth")
        assert qr_width and qr_width > 100

        # The buyer transfers: the money page shows it.
        requests.post(f"{sandbox.url}/_sandbox/bank/transfers", timeout=5, json={
            "amount": order.total_vnd, "memo": f"{order.code} Thanh toan"}).raise_for_status()
        wait_until(lambda: order_of(app, farm["household"]).payment_status == "paid", timeout=30)
        page.click("nav.tabs >> text=Tiền")
        assert "120.000\u00a0₫" in page.inner_text("main")
        page.screenshot(path="test-artifacts/farmer-money.png", full_page=True)
    finally:
        context.close()
