"""The staff's order pages: finding an order by its code or household, and a household's orders."""

from datetime import date

from connector.logistics.models import Pickup
from tests.factories import PASSWORD, make_household, make_order, make_service_point
from tests.helpers import login


def pickup_on(order, day: date):
    from connector.extensions import db

    point = make_service_point(16.7, 107.2)
    db.session.add(Pickup(order_id=order.id, service_point_id=point.id, pickup_date=day, distance_km=1.2))
    db.session.flush()


def test_the_list_shows_code_household_payment_and_pickup_day(client, agent, db_session):
    order = make_order(make_household(agent, head_name="Lê Thị Hoa"))
    pickup_on(order, date(2026, 12, 4))
    login(client, agent.username, PASSWORD)
    html = client.get("/orders").get_data(as_text=True)
    assert order.code in html and "Lê Thị Hoa" in html and "Chưa thanh toán" in html
    assert "Lấy hàng 04/12/2026" in html


def test_orders_are_found_by_code_or_household_and_filtered_by_payment(client, agent, db_session):
    hoa = make_order(make_household(agent, head_name="Lê Thị Hoa", phone="0905111222"))
    nam = make_order(make_household(agent, head_name="Trần Văn Nam", phone="0905333444"))
    nam.payment_status = "paid"
    db_session.flush()
    login(client, agent.username, PASSWORD)

    def listed(**query) -> set[str]:
        html = client.get("/orders", query_string=query).get_data(as_text=True)
        return {order.code for order in (hoa, nam) if order.code in html}

    assert listed(q=hoa.code.lower()) == {hoa.code}
    assert listed(q="le thi hoa") == {hoa.code}  # without diacritics, as typed on a phone
    assert listed(payment="paid") == {nam.code}
    assert listed(payment="unpaid", q="tran van nam") == set()
    assert listed() == {hoa.code, nam.code}


def test_a_household_page_lists_its_orders(client, agent, db_session):
    household = make_household(agent, head_name="Lê Thị Hoa", phone="0905111222")
    own = make_order(household)
    other = make_order(make_household(agent, head_name="Trần Văn Nam", phone="0905333444"))
    login(client, agent.username, PASSWORD)
    html = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f'href="/orders/{own.id}"' in html and own.code in html and "Chưa thanh toán" in html
    assert other.code not in html


def test_the_list_asks_the_database_as_often_for_many_orders_as_for_one(client, agent, db_session):
    """Found beside issue 15's load benchmark: each order's household was read on its own while the
    list was written (a hundred orders, a hundred and four queries)."""
    from tests.helpers import selects_for

    login(client, agent.username, PASSWORD)
    make_order(make_household(agent, head_name="Hộ Một"))
    with_one = selects_for(client, "/orders")
    for name in ("Hộ Hai", "Hộ Ba", "Hộ Bốn"):
        make_order(make_household(agent, head_name=name))
    html = client.get("/orders").get_data(as_text=True)
    assert all(name in html for name in ("Hộ Một", "Hộ Hai", "Hộ Ba", "Hộ Bốn"))
    assert selects_for(client, "/orders") == with_one
