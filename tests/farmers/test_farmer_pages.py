"""The farmer's own pages (issue 13): what they show, the changes they make once, bad input in
Vietnamese changing nothing, and only the farmer's own household's data."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from connector.audit.models import AuditEvent
from connector.catalogue.services import create_product
from connector.extensions import db
from connector.farmers.models import FarmerChange
from connector.jobs.outbox import OutboxJob
from connector.logistics.services import assign_pickup
from connector.orders import money
from connector.orders.models import Channel
from tests.factories import (
    make_household,
    make_listing,
    make_order,
    make_service_point,
    make_user,
    photo_bytes,
    product_input,
)
from tests.farmers.helpers import sign_in
from tests.helpers import csrf_token_from


def on_sale(household, **overrides):
    """A product on sale (a photo is needed for that)."""
    return create_product(make_user("agent", province_code=household.province_code), household.id,
                          product_input(**{"status": "active", "stock": 10, "price_vnd": 150000, **overrides}),
                          [photo_bytes(600, 400, with_gps=False)])


@pytest.fixture
def farm(client, app, db_session):
    household = make_household()
    product = on_sale(household)
    sign_in(client, app, household)
    return household, product


def text(response) -> str:
    return response.get_data(as_text=True)


def change(client, url: str, change_id: str | None = None, **fields):
    token = csrf_token_from(text(client.get("/farmer/products")))
    return client.post(url, data={"csrf_token": token, "change_id": change_id or str(uuid.uuid4()), **fields})


def stock_of(product) -> int:
    db.session.refresh(product)
    return product.stock


def test_the_products_page_shows_price_stock_and_big_buttons(client, farm):
    _household, product = farm
    page = text(client.get("/farmer/products"))
    assert "150.000\u00a0₫" in page and 'data-stock>10<' in page
    assert page.count("data-offline-queue") == 3  # −, + and the typed figure
    assert "Tạm dừng bán" in page


def test_plus_and_minus_change_the_stock_once_per_change_and_reach_the_marketplaces(client, farm):
    _household, product = farm
    make_listing(product, "postmart", state="live")
    make_listing(product, "voso", state="live")
    db.session.commit()
    before = db.session.scalar(select(func.count(OutboxJob.id)))
    key = str(uuid.uuid4())
    assert change(client, f"/farmer/products/{product.id}/stock", key, delta="1").status_code == 303
    assert stock_of(product) == 11
    replay = change(client, f"/farmer/products/{product.id}/stock", key, delta="1")  # sent again offline
    assert replay.status_code == 303 and stock_of(product) == 11
    assert change(client, f"/farmer/products/{product.id}/stock", delta="-1").status_code == 303
    assert change(client, f"/farmer/products/{product.id}/stock", stock="1.250").status_code == 303
    assert stock_of(product) == 1250
    assert db.session.scalar(select(func.count(OutboxJob.id))) > before  # the sync pipeline was asked
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == product.id,
                                                        AuditEvent.action == "farmer_update")).all()
    assert len(audit) == 3 and all(event.actor_id is None for event in audit)


def test_a_replayed_change_from_the_offline_queue_is_answered_as_already_applied(client, farm):
    _household, product = farm
    key = str(uuid.uuid4())
    token = csrf_token_from(text(client.get("/farmer/products")))
    headers = {"X-Requested-With": "fetch"}
    first = client.post(f"/farmer/products/{product.id}/stock", headers=headers,
                        data={"csrf_token": token, "change_id": key, "stock": "7"})
    second = client.post(f"/farmer/products/{product.id}/stock", headers=headers,
                         data={"csrf_token": token, "change_id": key, "stock": "7"})
    assert first.json["applied"] is True and second.json["applied"] is False
    assert second.status_code == 200 and stock_of(product) == 7
    assert db.session.scalar(select(func.count(FarmerChange.id))) == 1


@pytest.mark.parametrize("fields, message", [
    ({"stock": "-3"}, "không thể nhỏ hơn 0"),
    ({"stock": "2.5"}, "số nguyên"),
    ({"stock": "mười"}, "số nguyên"),
    ({"stock": ""}, "số nguyên"),
    ({"delta": "-11"}, "không thể nhỏ hơn 0"),
    ({"stock": "99999999"}, "quá lớn"),
])
def test_bad_stock_is_refused_in_vietnamese_and_changes_nothing(client, farm, fields, message):
    _household, product = farm
    response = change(client, f"/farmer/products/{product.id}/stock", **fields)
    assert response.status_code == 303
    assert message in text(client.get(response.headers["Location"]))
    assert stock_of(product) == 10
    assert db.session.scalar(select(func.count(FarmerChange.id))) == 0


def test_a_change_without_its_key_is_refused(client, farm):
    _household, product = farm
    token = csrf_token_from(text(client.get("/farmer/products")))
    response = client.post(f"/farmer/products/{product.id}/stock", headers={"X-Requested-With": "fetch"},
                           data={"csrf_token": token, "change_id": "not-a-uuid", "stock": "3"})
    assert response.status_code == 422 and "Trang này đã cũ" in response.json["message"]
    assert stock_of(product) == 10


def test_a_new_price_is_shown_formatted_and_in_words_before_it_is_saved(client, farm):
    _household, product = farm
    token = csrf_token_from(text(client.get(f"/farmer/products/{product.id}/price")))
    preview = text(client.post(f"/farmer/products/{product.id}/price", data={"csrf_token": token,
                                                                            "price": "1250000"}))
    assert "1.250.000\u00a0₫" in preview and "một triệu hai trăm năm mươi nghìn đồng" in preview
    db.session.refresh(product)
    assert product.price_vnd == 150000  # not saved yet
    key = re.search(r'name="change_id" value="([^"]+)"', preview).group(1)
    saved = client.post(f"/farmer/products/{product.id}/price", data={
        "csrf_token": token, "change_id": key, "price": "1250000", "confirm": "1"})
    assert saved.status_code == 303
    db.session.refresh(product)
    assert product.price_vnd == 1250000


@pytest.mark.parametrize("price, message", [
    ("0", "lớn hơn 0"), ("150000,5", "số đồng chẵn"), ("150.5", "số đồng chẵn"), ("abc", "số đồng chẵn"),
    ("", "số đồng chẵn"), ("-5", "số đồng chẵn"),
])
def test_a_bad_price_is_refused_in_vietnamese_and_changes_nothing(client, farm, price, message):
    _household, product = farm
    token = csrf_token_from(text(client.get(f"/farmer/products/{product.id}/price")))
    for extra in ({}, {"confirm": "1", "change_id": str(uuid.uuid4())}):
        response = client.post(f"/farmer/products/{product.id}/price", data={"csrf_token": token, "price": price,
                                                                             **extra})
        assert response.status_code == 422 and message in text(response)
    db.session.refresh(product)
    assert product.price_vnd == 150000


def test_pausing_takes_the_product_off_sale_and_back(client, farm):
    _household, product = farm
    assert change(client, f"/farmer/products/{product.id}/pause").status_code == 303
    db.session.refresh(product)
    assert product.status == "paused"
    assert change(client, f"/farmer/products/{product.id}/resume").status_code == 303
    db.session.refresh(product)
    assert product.status == "active"


def test_today_and_the_order_page_say_what_to_pack_where_and_by_when(client, farm):
    household, product = farm
    point = make_service_point(household.lat + 0.001, household.lon, phone="+842333861234")
    waiting = make_order(household, product=product, pay_by="transfer")
    ready = make_order(household, product=product)
    pickup = assign_pickup(ready)
    db.session.commit()
    today = text(client.get("/farmer/"))
    assert waiting.code in today and "Hãy xác nhận trước" in today
    assert ready.code in today and point.name in today
    page = text(client.get(f"/farmer/orders/{waiting.id}"))
    assert f"/farmer/orders/{waiting.id}/qr.png" in page  # the buyer's VietQR for a transfer order
    assert client.get(f"/farmer/orders/{waiting.id}/qr.png").mimetype == "image/png"
    token = csrf_token_from(page)
    client.post(f"/farmer/orders/{waiting.id}/confirm", data={"csrf_token": token})
    db.session.refresh(waiting)
    assert waiting.fulfilment == "confirmed"
    ready_page = text(client.get(f"/farmer/orders/{ready.id}"))
    assert point.name in ready_page and "google.com/maps" in ready_page and "Phiếu gửi hàng" in ready_page
    assert 'href="tel:+842333861234"' in ready_page and "0233 3861 234" in ready_page
    assert pickup.pickup_date.strftime("%d/%m/%Y") in ready_page
    client.post(f"/farmer/orders/{ready.id}/packed", data={"csrf_token": csrf_token_from(ready_page)})
    db.session.refresh(ready)
    assert ready.packed_at is not None
    assert client.get(f"/farmer/orders/{ready.id}/slip").status_code == 200


def test_the_money_page_shows_received_and_expected_by_channel(client, farm):
    household, product = farm
    paid = make_order(household, product=product, pay_by="transfer")
    make_order(household, product=product, pay_by="marketplace")
    money.record_receipt(paid, Channel.TRANSFER, 150000, "FT-MONEY")
    db.session.commit()
    page = text(client.get("/farmer/money"))
    assert "150.000\u00a0₫" in page and "Chuyển khoản" in page
    assert "Sàn" in page or "sàn" in page
    assert household.payout_account not in page and household.payout_account[-3:] in page


def test_a_farmers_pages_ask_the_database_as_often_for_many_orders_as_for_one(client, farm):
    """Issue 15's load benchmark: a farmer with ten open orders paid nearly three times what a farmer
    with none paid for the Today page, because each order's items and each pickup's post office were
    read one at a time while the page was written (and each receipt's order on the money page)."""
    from tests.helpers import selects_for

    household, product = farm
    make_service_point(household.lat + 0.001, household.lon)
    pages = ("/farmer/", "/farmer/orders", "/farmer/money")

    def add_orders():
        waiting = make_order(household, product=product, pay_by="transfer")
        money.record_receipt(waiting, Channel.TRANSFER, 150000, f"FT-{waiting.id}")
        assign_pickup(make_order(household, product=product))
        db.session.commit()

    add_orders()
    with_one = {path: selects_for(client, path) for path in pages}
    for _ in range(3):
        add_orders()
    today = text(client.get("/farmer/"))
    assert today.count("BĐVHX thử") == 4 and today.count("Hãy xác nhận trước") == 4  # each order still shown
    assert {path: selects_for(client, path) for path in pages} == with_one


FARMER_GETS = ["/farmer/products/{product}/price", "/farmer/orders/{order}", "/farmer/orders/{order}/slip",
               "/farmer/media/products/{product}/photo.jpg"]
FARMER_POSTS = ["/farmer/products/{product}/stock", "/farmer/products/{product}/price",
                "/farmer/products/{product}/pause", "/farmer/products/{product}/resume",
                "/farmer/orders/{order}/confirm", "/farmer/orders/{order}/packed"]


def test_another_households_products_and_orders_are_not_found(client, farm):
    _household, product = farm
    other = make_household()
    their_product = on_sale(other, stock=5)
    their_order = make_order(other, product=their_product)
    db.session.commit()
    ids = {"product": their_product.id, "order": their_order.id}
    for path in FARMER_GETS:
        assert client.get(path.format(**ids)).status_code == 404, path
    token = csrf_token_from(text(client.get("/farmer/products")))
    for path in FARMER_POSTS:
        response = client.post(path.format(**ids), data={"csrf_token": token, "change_id": str(uuid.uuid4()),
                                                         "stock": "1", "price": "1000", "confirm": "1"})
        assert response.status_code == 404, path
    db.session.refresh(their_product)
    assert (their_product.stock, their_product.price_vnd, their_product.status) == (4, 150000, "active")


def test_no_session_or_a_staff_session_opens_no_farmer_page(app, farm):
    _household, product = farm
    anonymous = app.test_client()
    for path in ["/farmer/", "/farmer/products", "/farmer/orders", "/farmer/money", "/farmer/help",
                 f"/farmer/products/{product.id}/price"]:
        response = anonymous.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/farmer/sign-in"), path


def asset_size(client, path: str) -> int:
    response = client.get(path)
    try:
        return len(response.get_data())
    finally:
        response.close()  # a static file is sent from an open file


def test_each_farmer_page_weighs_at_most_30_kb_with_its_css_and_scripts(client, farm):
    """Before compression: the page, its stylesheet and its scripts (no web font, no framework)."""
    household, product = farm
    order = make_order(household, product=product, pay_by="transfer")
    db.session.commit()
    for path in ["/farmer/", "/farmer/products", f"/farmer/products/{product.id}/price", "/farmer/orders",
                 f"/farmer/orders/{order.id}", "/farmer/money", "/farmer/help"]:
        html = client.get(path).get_data()
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        size = len(html) + sum(asset_size(client, asset.decode()) for asset in assets)
        assert size <= 30 * 1024, f"{path}: {size} bytes"
        assert b"@font-face" not in html


def test_a_staff_session_opens_no_farmer_page_and_changes_nothing(app, farm):
    from werkzeug.security import generate_password_hash

    from tests.helpers import login

    _household, product = farm
    agent = make_user("agent", province_code="44")
    agent.password_hash = generate_password_hash("agent-pass-2")
    db.session.commit()
    staff = app.test_client()
    login(staff, agent.username, "agent-pass-2")
    token = csrf_token_from(text(staff.get("/")))
    for path in ["/farmer/", "/farmer/products", "/farmer/money", "/farmer/help"]:
        assert staff.get(path).headers["Location"].endswith("/farmer/sign-in"), path
    response = staff.post(f"/farmer/products/{product.id}/stock", data={
        "csrf_token": token, "change_id": str(uuid.uuid4()), "stock": "0"})
    assert response.status_code == 302 and stock_of(product) == 10


def test_today_reads_the_session_with_its_household_in_one_query(client, farm):
    """The load benchmark's finding (issue 15): the farmer's session and its household were two
    round trips on every farmer page. The page still greets the signed-in household."""
    from tests.helpers import statements_run

    household, _product = farm
    with statements_run(db.engine) as statements:
        page = client.get("/farmer/")
    assert page.status_code == 200 and household.head_name in text(page)
    sessions = [s for s in statements if re.search(r"FROM farmer_sessions\b", s)]
    assert len(sessions) == 1 and "JOIN households" in sessions[0], sessions
    assert not [s for s in statements if re.search(r"FROM households\s+WHERE households.id", s)], statements


def test_today_shows_the_most_urgent_orders_and_says_how_many_more(client, farm):
    """A farmer with many open orders (the load benchmark's farmers had dozens after a busy minute)
    gets a phone page of the first few to confirm and to pack, most urgent first, not every order:
    the rest are counted and one tap away on the orders page."""
    household, product = farm
    product.stock = 1000
    orders = [make_order(household, product=product) for _ in range(14)]
    db.session.commit()
    today = text(client.get("/farmer/"))
    shown = [order for order in orders if order.code in today]
    assert shown == orders[:10]  # the oldest first: the marketplace cancels those first
    assert "Còn 4 đơn nữa" in today and 'href="/farmer/orders"' in today
