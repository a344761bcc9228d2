"""The carrier over real HTTP: booking (idempotent through an unknown outcome), status by webhook and,
when a webhook is lost, by polling; the pickup follows; cancelling."""

import itertools

import pytest
import requests
from sqlalchemy import select

from connector.extensions import db
from connector.households.services import create_household
from connector.logistics.models import Pickup, ServicePoint, Shipment
from connector.logistics.services import assign_pickup
from connector.logistics.shipping import book, poll_stale, request_booking
from connector.orders.models import Order
from tests.factories import household_input, make_user
from tests.marketplaces.conftest import wait_until

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
        if db.session.scalar(select(ServicePoint.id).where(ServicePoint.code == "E2E-BD1")) is None:
            from connector.logistics.services import bump_index_version

            hours = {str(day): [["07:00", "17:00"]] for day in range(6)}
            db.session.add(ServicePoint(code="E2E-BD1", name="BĐVHX thử", kind="bdvhx", lat=household.lat + 0.01,
                                        lon=household.lon, opening_hours=hours, daily_capacity=50, active=True,
                                        generated=False, address="Thôn 1"))
            bump_index_version()
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
    with app.app_context():
        try:
            status = book(shipment_id)
            db.session.commit()
            return status
        finally:
            db.session.rollback()
            db.session.remove()


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


def test_staff_cancel_a_booked_parcel_but_not_one_handed_in(app, sandbox):
    from connector.logistics.shipping import cancel

    shipment_id, _code = booked_order(app)
    run_booking(app, shipment_id)
    with app.app_context():
        agent = make_user("agent", province_code="01", username=f"e2e-carrier-x{next(_numbers)}")
        shipment = db.session.get(Shipment, shipment_id)
        assert cancel(agent, shipment).status == "cancelled"
        db.session.commit()
        db.session.remove()
    second, _ = booked_order(app)
    run_booking(app, second)
    advance(sandbox, shipment_state(app, second)[1], "RECEIVED_AT_POST_OFFICE")
    wait_until(lambda: shipment_state(app, second)[0] == "received_at_post_office", timeout=20)
    with app.app_context():
        agent = make_user("agent", province_code="01", username=f"e2e-carrier-y{next(_numbers)}")
        from connector.errors import ValidationFailed

        with pytest.raises(ValidationFailed):
            cancel(agent, db.session.get(Shipment, second))
        db.session.rollback()
        db.session.remove()


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
