"""The agent's pickups page (their service point's day, mark received, room per day) and the slip."""

from pathlib import Path

import pytest
from sqlalchemy import select

from connector.audit.models import AuditEvent
from connector.catalogue.services import create_product
from connector.logistics.services import assign_pickup
from connector.orders.models import Order, OrderItem
from tests.factories import PASSWORD, make_household, make_user, photo_bytes, product_input
from tests.helpers import csrf_token_from, login
from tests.payments.test_vietqr import read_back


def parcel(agent, db_session, add_point):
    household = make_household(agent, head_name="Lê Thị Hoa")
    product = create_product(agent, household.id, product_input(status="active", weight_grams=1500),
                             [photo_bytes(300, 200)])
    point = add_point("HL-BD", household.lat + 0.01, household.lon, capacity=5)
    order = Order(marketplace="voso", remote_order_id="PK-1", status="CREATED", total_vnd=70000,
                  household_id=household.id, province_code="44")
    order.items.append(OrderItem(product_id=product.id, seller_sku=f"CN-{product.id}", name=product.name,
                                 quantity=2, unit_price_vnd=35000))
    db_session.add(order)
    db_session.flush()
    return point, order, assign_pickup(order)


def test_the_agent_sees_the_days_parcels_and_marks_one_received(client, agent, db_session, add_point):
    point, order, pickup = parcel(agent, db_session, add_point)
    agent.service_point_code = point.code
    db_session.flush()
    login(client, agent.username, PASSWORD)
    page = client.get("/pickups", query_string={"date": pickup.pickup_date.isoformat()}).get_data(as_text=True)
    assert order.code in page and "Lê Thị Hoa" in page and "Đã nhận hàng" in page
    assert "1 / 5 bưu gửi" in page  # room in the coming days
    response = client.post(f"/pickups/{pickup.id}/received", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert "Đã nhận bưu gửi." in response.get_data(as_text=True)
    db_session.refresh(pickup)
    assert pickup.status == "received" and pickup.received_at is not None
    again = client.post(f"/pickups/{pickup.id}/received", data={"csrf_token": csrf_token_from(page)},
                        follow_redirects=True)
    assert "Bưu gửi này đã được nhận." in again.get_data(as_text=True)
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "order",
                                                             AuditEvent.entity_id == order.id)) == "received"


def test_an_agent_of_another_point_cannot_mark_it_and_officers_have_no_counter(client, agent, db_session, add_point):
    point, _order, pickup = parcel(agent, db_session, add_point)
    other = make_user("agent")  # linked to no service point
    login(client, other.username, PASSWORD)
    page = client.get("/pickups").get_data(as_text=True)
    assert "chưa gắn với điểm phục vụ" in page
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/pickups/{pickup.id}/received", data={"csrf_token": token}).status_code == 404
    db_session.refresh(pickup)
    assert pickup.status == "assigned"
    officer, fresh = make_user("officer"), client.application.test_client()
    login(fresh, officer.username, PASSWORD)
    assert fresh.get("/pickups").status_code == 403


def test_the_slip_has_a_scannable_order_code_items_weight_point_and_date(client, agent, db_session, add_point):
    point, order, pickup = parcel(agent, db_session, add_point)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/orders/{order.id}/pickup-slip").get_data(as_text=True)
    assert order.code in page and "Lê Thị Hoa" in page and "× 2" in page and "3 kg" in page
    assert point.name in page and "/static/print.css" in page and "<svg" in page
    from connector.media.qr_images import render

    assert read_back(render(order.code, "png", "Q")) == order.code  # the same symbol, read back
    elsewhere, fresh = make_user("agent", province_code="01"), client.application.test_client()
    login(fresh, elsewhere.username, PASSWORD)
    assert fresh.get(f"/orders/{order.id}/pickup-slip").status_code == 404


def test_the_agents_point_serves_the_communes_nearest_to_it(client, agent, db_session, add_point):
    from connector.admin_units.models import Commune

    hai_lang = db_session.get(Commune, "19702")
    point = add_point("HL-SV", hai_lang.lat, hai_lang.lon, commune_code="19702")
    add_point("FAR-SV", 17.47, 106.60, commune_code=None)  # near Đồng Hới, far north
    agent.service_point_code = point.code
    db_session.flush()
    login(client, agent.username, PASSWORD)
    page = client.get("/pickups").get_data(as_text=True)
    assert "Các xã phục vụ" in page and "Xã Hải Lăng" in page
    from connector.logistics.services import communes_served

    served = {c.code for c in communes_served(point)}
    assert "19702" in served and len(served) > 1


def test_communes_set_by_hand_override_the_nearest_point(runner, db_session, add_point):
    from connector.admin_units.models import Commune
    from connector.logistics.services import communes_served

    hai_lang = db_session.get(Commune, "19702")
    near = add_point("HL-HAND", hai_lang.lat, hai_lang.lon, commune_code="19702")
    far = add_point("FAR-HAND", 17.47, 106.60, commune_code="19702")  # in the province's list, far away
    db_session.commit()
    assert "19702" in {c.code for c in communes_served(near)}

    result = runner.invoke(args=["service-points", "serve", "FAR-HAND", "19702"])
    assert result.exit_code == 0, result.output
    assert "19702" not in {c.code for c in communes_served(near)}
    assert "19702" in {c.code for c in communes_served(far)}

    refused = runner.invoke(args=["service-points", "serve", "HL-HAND", "19702", "99999"])
    assert refused.exit_code != 0 and "Mã xã không tồn tại: 99999" in refused.output
    assert "19702" in {c.code for c in communes_served(far)}  # nothing changed

    runner.invoke(args=["service-points", "serve", "FAR-HAND", "19702", "--nearest"])
    assert "19702" in {c.code for c in communes_served(near)}
    assert "19702" not in {c.code for c in communes_served(far)}


def test_staff_have_a_flagged_parcel_collected_at_the_door_but_not_one_a_point_takes(client, agent, db_session,
                                                                                     add_point):
    from connector.logistics.models import Shipment

    _point, order, pickup = parcel(agent, db_session, add_point)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Nhờ bưu tá đến lấy tại nhà" not in page  # a point takes this one
    refused = client.post(f"/orders/{order.id}/door-pickup", data={"csrf_token": csrf_token_from(page)},
                          follow_redirects=True).get_data(as_text=True)
    assert "Bưu gửi này đi qua điểm phục vụ" in refused
    assert db_session.scalar(select(Shipment.id).where(Shipment.order_id == order.id)) is None

    pickup.status, pickup.reason, pickup.service_point_id = "flagged", "none_within_reach", None
    db_session.flush()
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Nhờ bưu tá đến lấy tại nhà" in page
    outsider = client.application.test_client()
    login(outsider, make_user("agent", province_code="01").username, PASSWORD)
    token = csrf_token_from(outsider.get("/").get_data(as_text=True))
    assert outsider.post(f"/orders/{order.id}/door-pickup", data={"csrf_token": token}).status_code == 404
    done = client.post(f"/orders/{order.id}/door-pickup", data={"csrf_token": csrf_token_from(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Bưu tá sẽ đến lấy bưu gửi tại nhà hộ." in done and "lấy tại nhà" in done
    shipment = db_session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert (shipment.mode, shipment.post_office_code, shipment.cod_amount) == ("pickup", None, 70000)


def test_generated_service_points_name_the_commune_once(client, agent, runner, db_session):
    from connector.admin_units.models import Commune

    assert runner.invoke(args=["service-points", "generate", "--province", "44"]).exit_code == 0
    commune = db_session.scalar(select(Commune).where(Commune.province_code == "44",
                                                      Commune.short_name == "Diên Sanh"))
    agent.service_point_code = f"BD{commune.code}"
    db_session.flush()
    login(client, agent.username, PASSWORD)
    page = client.get("/pickups").get_data(as_text=True)
    assert "Bưu điện văn hóa xã Diên Sanh" in page and "xã Xã" not in page


def booked_parcel(agent, db_session, add_point):
    from connector.logistics.models import Shipment

    point, order, pickup = parcel(agent, db_session, add_point)
    order.buyer_address, order.pay_by, order.cod_vnd = "12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh", "cod", 70000
    db_session.add(Shipment(order_id=order.id, remote_id="SH-77", tracking_code="EB123456789VN", mode="dropoff",
                            post_office_code=point.code, cod_amount=70000, status="booked"))
    db_session.flush()
    return point, order, pickup


def test_the_slip_gives_the_tracking_number_cash_to_collect_and_delivery_area(client, agent, db_session, add_point):
    """Issue 11, finding 5: what the counter needs to take the parcel in, and no more of the buyer."""
    _point, order, _pickup = booked_parcel(agent, db_session, add_point)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/orders/{order.id}/pickup-slip").get_data(as_text=True)
    assert "EB123456789VN" in page
    assert "Thu hộ (COD)" in page and "70.000\u00a0₫" in page
    assert "Phường Bến Thành, TP Hồ Chí Minh" in page and "12 Lê Lợi" not in page  # the area, not the door


@pytest.mark.browser
def test_print_and_back_are_big_enough_to_tap_and_the_order_page_links_too(client, agent, db_session, add_point,
                                                                           browser):
    _point, order, _pickup = booked_parcel(agent, db_session, add_point)
    login(client, agent.username, PASSWORD)
    slip = client.get(f"/orders/{order.id}/pickup-slip").get_data(as_text=True)
    print_css = (Path(client.application.static_folder) / "print.css").read_text()
    assert "@page { size: A6" in print_css
    slip = slip.replace('<link rel="stylesheet" href="/static/print.css">', f"<style>{print_css}</style>")
    css = (Path(client.application.static_folder) / "app.css").read_text()
    detail = client.get(f"/orders/{order.id}").get_data(as_text=True)
    detail = detail.replace('<link rel="stylesheet" href="/static/app.css">', f"<style>{css}</style>")
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.set_content(slip)
    for name in ("In", "Quay lại"):
        box = page.get_by_text(name, exact=True).bounding_box()
        assert box["width"] >= 48 and box["height"] >= 48, (name, box)
    page.set_content(detail)
    for name in ("Phiếu gửi hàng", "Bản đồ", "‹ Đơn hàng"):
        box = page.get_by_text(name, exact=True).bounding_box()
        assert box["height"] >= 44, (name, box)
    page.close()


def test_a_day_far_in_the_past_or_future_is_refused_not_a_500(client, agent, db_session, add_point):
    """Issue 15, finding 9: /pickups?date=9999-12-31 answered 500 (the link to the next day overflowed)."""
    agent.service_point_code = add_point("FAR-DAY", 16.7, 107.2).code
    db_session.flush()
    login(client, agent.username, PASSWORD)
    for day in ("9999-12-31", "0001-01-01", "2100-01-01"):
        assert client.get("/pickups", query_string={"date": day}).status_code == 400, day
    assert client.get("/pickups", query_string={"date": "2026-12-03"}).status_code == 200
