"""The carrier over real HTTP: booking (idempotent through an unknown outcome), status by webhook and,
when a webhook is lost, by polling; the pickup follows; cancelling on the order page; changing the cash
on delivery. Remote calls are refused inside a database transaction here, as by default."""

import itertools

import pytest
import requests
from sqlalchemy import select

from connector.extensions import db
from connector.households.services import create_household
from connector.logistics.carrier import carrier_adapter
from connector.logistics.models import Pickup, Shipment
from connector.logistics.services import assign_pickup
from connector.logistics.shipping import book, poll_stale, request_booking
from connector.orders.models import Order
from connector.remote import Refused
from tests.e2e import run_job, wait_until
from tests.factories import PASSWORD, household_input, make_user, service_point_once
from tests.helpers import csrf_token_from, login

pytestmark = pytest.mark.usefixtures("committed")
_numbers = itertools.count(1)


def booked_order(app, total: int = 120000) -> tuple[int, str]:
    """A committed order of a Hà Nội household, matched to a service point beside it; (shipment id, code)."""
    number = next(_numbers)
    with app.app_context():
        app.extensions.pop("connector.service_point_index", None)
        agent = make_user("agent", province_code="01", username=f"e2e-carrier-{number}")
        household, _ = create_household(agent, household_input(commune_code="00004", phone=f"0966 8{number:05d}"),
                                        confirm_duplicates=True)
        service_point_once("E2E-BD1", household.lat + 0.01, household.lon)
        order = Order(marketplace="postmart", remote_order_id=f"PM-CR-{number}", status="CREATED", total_vnd=total,
                      household_id=household.id, province_code="01", buyer_name="Khách", buyer_phone="0987000111",
                      buyer_address="Hà Nội")
        db.session.add(order)
        db.session.flush()
        shipment = request_booking(assign_pickup(order))
        db.session.commit()
        result = shipment.id, order.code
        db.session.remove()
        return result


def shipment_state(app, shipment_id: int) -> tuple:
    with app.app_context():
        shipment = db.session.get(Shipment, shipment_id)
        pickup = db.session.scalar(select(Pickup).where(Pickup.order_id == shipment.order_id))
        result = shipment.status, shipment.remote_id, shipment.tracking_code, pickup.status
        db.session.remove()
        return result


def run_booking(app, shipment_id: int) -> str:
    return run_job(app, book, shipment_id)


def advance(sandbox, remote_id: str, status: str) -> None:
    requests.post(f"{sandbox.url}/_sandbox/carrier/shipments/{remote_id}/advance", json={"status": status},
                  timeout=5).raise_for_status()


def test_a_parcel_is_booked_for_drop_off_and_followed_to_delivery(app, sandbox):
    shipment_id, code = booked_order(app, total=120000)
    assert run_booking(app, shipment_id) == "booked"
    status, remote_id, tracking, pickup_status = shipment_state(app, shipment_id)
    remote = next(s for s in requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
                  if s["reference"] == code)
    assert (remote["mode"], remote["post_office_code"], remote["cod_amount"]) == ("dropoff", "E2E-BD1", 120000)
    assert tracking == remote["tracking_code"] and pickup_status == "assigned"
    advance(sandbox, remote_id, "RECEIVED_AT_POST_OFFICE")
    wait_until(lambda: shipment_state(app, shipment_id)[0] == "received_at_post_office", timeout=20)
    assert shipment_state(app, shipment_id)[3] == "received"  # the pickup follows the carrier
    advance(sandbox, remote_id, "IN_TRANSIT")
    advance(sandbox, remote_id, "DELIVERED")
    wait_until(lambda: shipment_state(app, shipment_id)[0] == "delivered", timeout=20)


def test_an_unknown_outcome_never_books_twice(app, sandbox):
    shipment_id, code = booked_order(app)
    sandbox.configure(timeout_after_write=1.0)
    try:
        with pytest.raises(Exception, match="no answer in time"):
            run_booking(app, shipment_id)  # the carrier booked it, the answer came too late
    finally:
        sandbox.configure(timeout_after_write=0)
    assert run_booking(app, shipment_id) == "booked"  # found by our reference, not booked again
    shipments = [s for s in requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
                 if s["reference"] == code]
    assert len(shipments) == 1 and shipment_state(app, shipment_id)[1] == shipments[0]["shipment_id"]


def test_a_lost_webhook_is_recovered_by_polling(app, sandbox):
    shipment_id, _code = booked_order(app)
    run_booking(app, shipment_id)
    remote_id = shipment_state(app, shipment_id)[1]
    target = sandbox.state.webhooks.pop("carrier")  # the carrier's webhooks go nowhere for now
    try:
        advance(sandbox, remote_id, "RECEIVED_AT_POST_OFFICE")
        advance(sandbox, remote_id, "IN_TRANSIT")
        saved = app.config["CARRIER_POLL_SECONDS"]
        app.config["CARRIER_POLL_SECONDS"] = 0
        with app.app_context():
            assert poll_stale() >= 1
            db.session.commit()
            db.session.remove()
        app.config["CARRIER_POLL_SECONDS"] = saved
    finally:
        sandbox.state.webhooks["carrier"] = target
    assert shipment_state(app, shipment_id)[0] == "in_transit"


def staff_page_client(app):
    """A signed-in agent of Hà Nội (committed), on the real pages."""
    number = next(_numbers)
    with app.app_context():
        make_user("agent", province_code="01", username=f"e2e-carrier-staff{number}")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    login(client, f"e2e-carrier-staff{number}", PASSWORD)
    return client


def cancel_on_the_order_page(app, client, shipment_id: int) -> str:
    """Press the order page's cancel button; the page that follows."""
    with app.app_context():
        order_id = db.session.get(Shipment, shipment_id).order_id
        db.session.remove()
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    return client.post(f"/shipments/{shipment_id}/cancel", data={"csrf_token": csrf_token_from(page)},
                       follow_redirects=True).get_data(as_text=True)


def test_staff_cancel_a_booked_parcel_but_not_one_handed_in(app, sandbox):
    """Through the order page, with remote calls refused inside a transaction (the default)."""
    assert app.config["REMOTE_CALLS_REFUSE_OPEN_TRANSACTION"]
    client = staff_page_client(app)
    shipment_id, _code = booked_order(app)
    run_booking(app, shipment_id)
    page = cancel_on_the_order_page(app, client, shipment_id)
    assert "Đã hủy vận đơn." in page
    assert shipment_state(app, shipment_id)[0] == "cancelled"
    remote = next(s for s in requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
                  if s["shipment_id"] == shipment_state(app, shipment_id)[1])
    assert remote["status"] == "CANCELLED"

    second, _ = booked_order(app)
    run_booking(app, second)
    advance(sandbox, shipment_state(app, second)[1], "RECEIVED_AT_POST_OFFICE")
    wait_until(lambda: shipment_state(app, second)[0] == "received_at_post_office", timeout=20)
    page = cancel_on_the_order_page(app, client, second)
    assert "Chỉ hủy được vận đơn đã đặt mà hàng chưa gửi." in page
    assert shipment_state(app, second)[0] == "received_at_post_office"


def test_a_parcel_handed_in_before_its_webhook_arrived_is_not_cancelled(app, sandbox):
    """Our record still says booked; the carrier refuses, and the page says why."""
    client = staff_page_client(app)
    shipment_id, _code = booked_order(app)
    run_booking(app, shipment_id)
    remote_id = shipment_state(app, shipment_id)[1]
    target = sandbox.state.webhooks.pop("carrier")
    try:
        advance(sandbox, remote_id, "RECEIVED_AT_POST_OFFICE")
        page = cancel_on_the_order_page(app, client, shipment_id)
    finally:
        sandbox.state.webhooks["carrier"] = target
    assert "Chỉ hủy được vận đơn đã đặt mà hàng chưa gửi." in page
    remote = requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
    assert next(s for s in remote if s["shipment_id"] == remote_id)["status"] == "RECEIVED_AT_POST_OFFICE"


def sandbox_shipment(sandbox, remote_id: str) -> dict:
    return next(s for s in requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
                if s["shipment_id"] == remote_id)


def test_the_cash_on_delivery_changes_while_booked_but_not_after_hand_in(app, sandbox):
    shipment_id, _code = booked_order(app, total=150000)
    run_booking(app, shipment_id)
    remote_id = shipment_state(app, shipment_id)[1]
    version = sandbox_shipment(sandbox, remote_id)["version"]
    with app.app_context():
        updated = carrier_adapter().update_cod(remote_id, 40000)
    assert (updated.cod_amount, updated.status, updated.version) == (40000, "BOOKED", version + 1)
    assert sandbox_shipment(sandbox, remote_id)["cod_amount"] == 40000  # what the courier will collect

    advance(sandbox, remote_id, "RECEIVED_AT_POST_OFFICE")
    with app.app_context(), pytest.raises(Refused):
        carrier_adapter().update_cod(remote_id, 0)
    assert sandbox_shipment(sandbox, remote_id)["cod_amount"] == 40000


def test_a_parcel_no_point_can_take_is_collected_at_the_door(app, sandbox):
    from datetime import date

    from connector.errors import ValidationFailed
    from connector.logistics.shipping import book_door_pickup

    number = next(_numbers)
    with app.app_context():
        agent = make_user("agent", province_code="01", username=f"e2e-carrier-door{number}")
        household, _ = create_household(agent, household_input(commune_code="00004", phone=f"0966 9{number:05d}"),
                                        confirm_duplicates=True)
        order = Order(marketplace="voso", remote_order_id=f"VS-DOOR-{number}", status="CREATED", total_vnd=90000,
                      household_id=household.id, province_code="01", buyer_name="Khách", buyer_phone="0987000112",
                      buyer_address="Huế")
        db.session.add(order)
        db.session.flush()
        pickup = Pickup(order_id=order.id, pickup_date=date.today(), status="flagged", reason="none_within_reach")
        db.session.add(pickup)
        db.session.flush()
        shipment_id = book_door_pickup(agent, pickup).id
        with pytest.raises(ValidationFailed):  # never a second shipment for the order
            book_door_pickup(agent, pickup)
        db.session.commit()
        code, village = order.code, household.village
        db.session.remove()
    assert run_booking(app, shipment_id) == "booked"
    remote = next(s for s in requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
                  if s["reference"] == code)
    assert (remote["mode"], remote["post_office_code"], remote["cod_amount"]) == ("pickup", None, 90000)
    assert village and village in remote["pickup_address"]
