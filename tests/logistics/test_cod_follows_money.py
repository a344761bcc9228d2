"""Cash on delivery follows the order's money through the carrier's late and early answers: the
defects the money property test (tests/orders/test_money_properties.py) found, one test each."""

import pytest
from sqlalchemy import select

from connector.jobs.outbox import OutboxJob
from connector.logistics.carrier import RemoteShipment
from connector.logistics.services import assign_pickup
from connector.logistics.shipping import apply_event, read_booking, record_booking, record_cod_answer, request_booking
from connector.orders.money import record_receipt
from connector.orders.services import apply_source_status
from tests.factories import make_household, make_order, make_service_point


def booking(db_session, total: int = 120000, pay_by: str = "cod"):
    """An order whose booking job has read its shipment (not yet recorded the carrier's answer)."""
    household = make_household()
    make_service_point(household.lat + 0.01, household.lon)
    order = make_order(household, total=total, pay_by=pay_by)
    shipment = request_booking(assign_pickup(order))
    payload = read_booking(shipment.id)
    return order, shipment, payload


def answer(payload: dict, status: str = "BOOKED", version: int = 1, cod: int | None = None) -> RemoteShipment:
    return RemoteShipment(id="VN1", reference=payload["reference"], tracking_code="EB1VN", status=status,
                          version=version, cod_amount=payload["cod_amount"] if cod is None else cod)


def cod_jobs(db_session, shipment) -> list:
    return [row for row in db_session.scalars(select(OutboxJob).where(
        OutboxJob.function == "connector.logistics.jobs.update_cod_job")) if row.args == [shipment.id]]


def test_a_refused_cod_change_does_not_bring_back_cash_for_a_delivered_parcel(db_session):
    order, shipment, payload = booking(db_session)
    record_booking(shipment.id, answer(payload))
    record_receipt(order, "transfer", 120000, "payment:a-1")  # the buyer paid: COD 0, the carrier is told
    assert shipment.cod_amount == 0
    # ... but the courier delivered first and collected the cash, which the carrier remitted.
    for sequence, status in ((2, "RECEIVED_AT_POST_OFFICE"), (3, "IN_TRANSIT"), (4, "DELIVERED")):
        apply_event({"shipment_id": "VN1", "reference": order.code, "status": status, "sequence": sequence})
    apply_event({"type": "cod.remitted", "shipment_id": "VN1", "reference": order.code, "remittance_id": "R1",
                 "amount": 120000})
    # The COD change comes back refused; the carrier says delivered, 120,000 collected.
    record_cod_answer(shipment.id, 0, answer(payload, "DELIVERED", 4, cod=120000))
    assert order.cod_vnd == 0  # nothing more to collect
    assert order.paid_vnd == 240000 and order.refund_due_vnd == 120000  # paid twice: one payment back


def test_a_refused_cod_change_keeps_the_carriers_amount_for_a_parcel_on_its_way(db_session):
    order, shipment, payload = booking(db_session)
    record_booking(shipment.id, answer(payload))
    record_receipt(order, "transfer", 120000, "payment:a-2")
    record_cod_answer(shipment.id, 0, answer(payload, "RECEIVED_AT_POST_OFFICE", 2, cod=120000))
    assert shipment.cod_amount == 120000 and order.cod_vnd == 120000  # the courier will collect it
    assert order.refund_due_vnd == 120000


def test_an_order_cancelled_while_its_parcel_is_booked_has_no_cash_collected(db_session):
    order, shipment, payload = booking(db_session)
    record_booking(shipment.id, answer(payload))
    assert shipment.cod_amount == 120000 and not cod_jobs(db_session, shipment)
    apply_source_status(order, "CANCELLED", order.last_event_sequence + 1)
    assert order.fulfilment == "cancelled"
    assert shipment.cod_amount == 0 and order.cod_vnd == 0
    assert cod_jobs(db_session, shipment)  # the carrier is told


def test_carrier_news_before_the_booking_was_recorded_is_found_by_the_order_code(db_session):
    order, shipment, payload = booking(db_session)
    # The carrier booked it, but its answer is not recorded yet; the parcel goes on and is delivered.
    for sequence, status in ((2, "RECEIVED_AT_POST_OFFICE"), (3, "IN_TRANSIT"), (4, "DELIVERED")):
        assert apply_event({"shipment_id": "VN1", "reference": order.code, "status": status, "sequence": sequence})
    assert apply_event({"type": "cod.remitted", "shipment_id": "VN1", "reference": order.code,
                        "remittance_id": "R2", "amount": 120000})
    assert order.fulfilment == "delivered" and shipment.status == "delivered"
    assert order.paid_vnd == 120000 and order.payment_status == "paid" and order.cod_vnd == 0
    record_booking(shipment.id, answer(payload))  # the late answer changes nothing
    assert shipment.remote_id == "VN1" and shipment.status == "delivered" and order.paid_vnd == 120000


def test_a_booking_answered_after_hand_in_keeps_the_carriers_cash_on_delivery(db_session):
    order, shipment, payload = booking(db_session)
    record_receipt(order, "transfer", 120000, "payment:d-1")  # paid while the booking was under way
    assert shipment.cod_amount == 0
    # The answer comes late: the parcel is handed in already, with the cash on delivery of the booking.
    record_booking(shipment.id, answer(payload, "RECEIVED_AT_POST_OFFICE", 2))
    assert shipment.cod_amount == 120000 and order.cod_vnd == 120000
    assert order.refund_due_vnd == 120000  # the buyer will pay twice: staff see the refund to make


def test_a_parcel_whose_booking_answer_is_on_its_way_is_cancelled_only_once_it_is_recorded(db_session):
    """Found by the money property test: staff pressed "cancel" while the booking's answer was on its
    way, and the carrier was asked to cancel shipment "None"."""
    from connector.errors import ValidationFailed
    from connector.logistics.shipping import plan_cancel
    from tests.factories import make_user

    order, shipment, payload = booking(db_session)
    shipment.status = "booked"  # booked in our books; the carrier's answer not recorded
    admin = make_user("admin", province_code=None)
    with pytest.raises(ValidationFailed) as refused:
        plan_cancel(admin, shipment)
    assert "chưa xác nhận" in refused.value.text()
    # Once the booking's answer is recorded (with the carrier's id and tracking code), it can be.
    record_booking(shipment.id, answer(payload))
    assert shipment.remote_id == "VN1" and plan_cancel(admin, shipment) == "VN1"
