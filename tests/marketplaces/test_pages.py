"""Publishing pages (test client): the panel, problems, orders, and their area checks."""

from sqlalchemy import select

from connector.catalogue.services import create_product
from connector.logistics.models import Shipment
from connector.marketplaces.models import Listing
from connector.marketplaces.states import ListingState
from connector.orders.models import Order
from tests.factories import PASSWORD, make_household, make_listing, make_user, photo_bytes, product_input
from tests.helpers import csrf_token_from, login


def on_sale_product(agent):
    household = make_household(agent)
    return create_product(agent, household.id, product_input(status="active"), [photo_bytes(300, 200)])


def test_publish_button_queues_both_marketplaces(client, agent, db_session):
    product = on_sale_product(agent)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert "Đăng lên sàn" in page and "PostMart" in page and "Chưa đăng" in page
    response = client.post(f"/products/{product.id}/publish", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert "Đã gửi lên sàn. Trạng thái sẽ tự cập nhật." in response.get_data(as_text=True)
    states = set(db_session.scalars(select(Listing.state).where(Listing.product_id == product.id)))
    assert states == {ListingState.QUEUED}


def test_a_draft_product_cannot_be_published(client, agent, db_session):
    household = make_household(agent)
    product = create_product(agent, household.id, product_input())
    login(client, agent.username, PASSWORD)
    page = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    response = client.post(f"/products/{product.id}/publish", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert "Chỉ đăng được sản phẩm đang bán và có ảnh." in response.get_data(as_text=True)
    assert db_session.scalar(select(Listing.id).where(Listing.product_id == product.id)) is None


def test_failed_listing_shows_its_reason_in_vietnamese_and_can_be_retried(client, agent, db_session):
    product = on_sale_product(agent)
    listing = Listing(product_id=product.id, marketplace="voso", state=ListingState.REJECTED, reason="BANNED_WORD",
                      attempts=3)
    db_session.add(listing)
    db_session.flush()
    login(client, agent.username, PASSWORD)
    problems = client.get("/publishing/problems").get_data(as_text=True)
    assert "Tên sản phẩm có từ sàn không cho phép." in problems
    client.post(f"/listings/{listing.id}/retry", data={"csrf_token": csrf_token_from(problems)})
    db_session.refresh(listing)
    assert listing.attempts == 0 and listing.sync_pending


def test_orders_are_listed_for_the_area_only(client, agent, db_session):
    product = on_sale_product(agent)
    db_session.add(Order(marketplace="postmart", remote_order_id="O-9", status="CREATED", total_vnd=35000,
                         household_id=product.household_id, province_code="44", buyer_name="Khách A"))
    db_session.add(Order(marketplace="voso", remote_order_id="O-10", status="CREATED", total_vnd=1,
                         province_code="01"))
    db_session.flush()
    shipped = Order(marketplace="voso", remote_order_id="O-11", status="CONFIRMED", total_vnd=50000,
                    household_id=product.household_id, province_code="44", fulfilment="in_transit")
    db_session.add(shipped)
    db_session.flush()
    db_session.add(Shipment(order_id=shipped.id, status="in_transit", mode="dropoff", cod_amount=0))
    db_session.flush()
    login(client, agent.username, PASSWORD)
    html = client.get("/orders").get_data(as_text=True)
    assert "PostMart O-9" in html and "35.000\u00a0₫" in html and "O-10" not in html
    # Statuses in Vietnamese, and tracking moves the order along in the list.
    assert "Mới · Chưa thanh toán" in html and "Đang vận chuyển · Chưa thanh toán" in html and "CREATED" not in html
    order_id = db_session.scalar(select(Order.id).where(Order.remote_order_id == "O-10"))
    assert client.get(f"/orders/{order_id}").status_code == 404


def test_other_areas_cannot_publish(client, agent, db_session):
    product = on_sale_product(agent)
    outsider = make_user("agent", province_code="01")
    login(client, outsider.username, PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/products/{product.id}/publish", data={"csrf_token": token}).status_code == 404


def test_voso_is_spelled_as_the_marketplace_spells_it(client, agent, db_session):
    product = on_sale_product(agent)
    make_listing(product, marketplace="voso")
    db_session.add(Order(marketplace="voso", remote_order_id="V-1", status="CREATED", total_vnd=35000,
                         household_id=product.household_id, province_code="44"))
    db_session.flush()
    login(client, agent.username, PASSWORD)
    for html in (client.get(f"/products/{product.id}/edit").get_data(as_text=True),
                 client.get("/orders").get_data(as_text=True)):
        assert "VoSo" in html and "Voso" not in html


def test_the_buttons_next_field_never_leads_to_another_site(client, agent, db_session):
    """Issue 15, finding 9: publish, retry and take down redirected to any "next" given."""
    product = on_sale_product(agent)
    listing = make_listing(product, "postmart", state="failed")
    login(client, agent.username, PASSWORD)
    token = csrf_token_from(client.get(f"/products/{product.id}/edit").get_data(as_text=True))
    for url in (f"/products/{product.id}/publish", f"/listings/{listing.id}/retry", f"/listings/{listing.id}/delist"):
        for elsewhere in ("https://evil.example/x", "//evil.example", "/\\evil.example"):
            answer = client.post(url, data={"csrf_token": token, "next": elsewhere})
            assert answer.status_code == 302 and "evil.example" not in answer.headers["Location"], (url, elsewhere)
    answer = client.post(f"/listings/{listing.id}/retry", data={"csrf_token": token, "next": "/products"})
    assert answer.headers["Location"].endswith("/products")
