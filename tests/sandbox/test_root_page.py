"""The sandbox's root page (http://127.0.0.1:5001 in `make run`) says, in Vietnamese, what it is
and how to place a test order; the order body it documents is the one the buyer side accepts."""

from __future__ import annotations

import html
import json
import re

import pytest

from connector.sandbox import create_sandbox_app
from connector.sandbox.state import RemoteProduct  # the sandbox's own model, not the connector's


@pytest.fixture()
def sandbox_client():
    app = create_sandbox_app({"deliver_webhooks": False})
    return app.test_client()


def test_the_root_page_is_a_vietnamese_guide_to_placing_a_test_order(sandbox_client):
    response = sandbox_client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Sàn thử nghiệm" in page and "Đặt một đơn hàng thử" in page
    assert "POST /_sandbox/postmart/orders" in page and "/_sandbox/voso/orders" in page
    for field in ("seller_sku", "quantity", "buyer", "payment"):
        assert f'"{field}"' in page
    assert "curl" in page
    assert "Not Found" not in page


def test_the_documented_order_body_places_an_order(sandbox_client):
    """Following the page: list a product as the connector would, then post the body shown."""
    market = sandbox_client.application.extensions["sandbox"].markets["postmart"]
    product_id = market.new_id("P")
    market.products[product_id] = RemoteProduct(id=product_id, seller_sku="CN-123", name="Gạo ST25 Hải Lăng",
                                                price=150000, stock=5, category_id="11", image_ids=[],
                                                description="", status="LIVE")
    market.by_sku["CN-123"] = product_id
    page = html.unescape(sandbox_client.get("/").get_data(as_text=True))
    assert "CN-123" in page and "Gạo ST25 Hải Lăng" in page  # what is on sale, to copy its code
    command = re.search(r"curl [^\n]*?(/_sandbox/postmart/orders)[^\n]*?-d '(\{.*?\})'", page, re.S)
    response = sandbox_client.post(command.group(1), json=json.loads(command.group(2)))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["items"][0]["seller_sku"] == "CN-123"
    assert market.products[product_id].stock == 4
