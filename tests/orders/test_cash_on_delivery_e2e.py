"""End to end against the sandbox over real HTTP (issue 10): a marketplace order paid by VietQR after
its parcel was booked is delivered with no cash collected; a prepaid order never gets cash on
delivery. The bank's notice and the carrier's news come as the sandbox's signed webhooks; the
logistics jobs run here, in their own transactions, as a worker runs them."""

import itertools

import pytest
import requests
from sqlalchemy import select

from connector.extensions import db
from connector.households.services import create_household
from connector.logistics.jobs import match_pickup_job
from connector.logistics.models import Shipment
from connector.logistics.shipping import book, update_cod
from connector.orders.models import Order
from connector.orders.money import received_by_channel
from tests.e2e import run_job, wait_until
from tests.factories import household_input, make_order, make_product, make_user, service_point_once

pytestmark = pytest.mark.usefixtures("committed")
_numbers = itertools.count(1)


def marketplace_order(app, pay_by: str, total: int) -> tuple[int, int, str, dict]:
    """A committed Hà Nội marketplace order, matched to a service point and booked (the carrier not
    called yet): (order id, shipment id, order code, the household's account)."""
    number = next(_numbers)
    with app.app_context():
        app.extensions.pop("connector.service_point_index", None)
        agent = make_user("agent", province_code="01", username=f"e2e-cod-{number}")
        household, _ = create_household(agent, household_input(commune_code="00004", phone=f"0966 7{number:05d}"),
                                        confirm_duplicates=True)
        service_point_once("E2E-COD1", household.lat + 0.01, household.lon)
        product = make_product(household, user=agent, price_vnd=total)
        order = make_order(household, product=product, total=total, pay_by=pay_by, source="postmart")
        db.session.commit()
        match_pickup_job.__wrapped__(order.id)  # the job's work: pickup point, then the booking
        db.session.commit()
        shipment_id = db.session.scalar(select(Shipment.id).where(Shipment.order_id == order.id))
        result = order.id, shipment_id, order.code, {"account": household.payout_account, "bin": household.payout_bin}
        db.session.remove()
        return result


def at_the_carrier(sandbox, code: str) -> dict:
    return next(s for s in requests.get(f"{sandbox.url}/_sandbox/carrier/shipments", timeout=5).json()
                if s["reference"] == code)


def advance(sandbox, remote_id: str, status: str) -> None:
    requests.post(f"{sandbox.url}/_sandbox/carrier/shipments/{remote_id}/advance", json={"status": status},
                  timeout=5).raise_for_status()


def money(app, order_id: int) -> dict:
    with app.app_context():
        order = db.session.get(Order, order_id)
        shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order_id))
        result = {"payment": order.payment_status, "paid": order.paid_vnd, "cod": order.cod_vnd,
                  "refund_due": order.refund_due_vnd, "by_channel": received_by_channel(order),
                  "fulfilment": order.fulfilment, "shipment": shipment.status, "shipment_cod": shipment.cod_amount}
        db.session.remove()
        return result


def deliver(sandbox, app, order_id: int, remote_id: str) -> None:
    for status in ("RECEIVED_AT_POST_OFFICE", "IN_TRANSIT", "DELIVERED"):
        advance(sandbox, remote_id, status)
    wait_until(lambda: money(app, order_id)["fulfilment"] == "delivered", timeout=20,
               explain=lambda: money(app, order_id))


def test_an_order_paid_by_vietqr_after_booking_is_delivered_with_no_cash_collected(app, sandbox):
    order_id, shipment_id, code, account = marketplace_order(app, "transfer", 150000)
    assert run_job(app, book, shipment_id) == "booked"
    assert at_the_carrier(sandbox, code)["cod_amount"] == 150000  # unpaid when booked: cash on delivery

    # The buyer scans the VietQR: the bank's notice reaches the connector and pays the order.
    requests.post(f"{sandbox.url}/_sandbox/bank/transfers", timeout=5,
                  json={"amount": 150000, "memo": f"{code} Thanh toan", **account}).raise_for_status()
    wait_until(lambda: money(app, order_id)["payment"] == "paid", timeout=20, explain=lambda: money(app, order_id))
    assert money(app, order_id)["shipment_cod"] == 0
    assert run_job(app, update_cod, shipment_id) == "updated"  # the carrier is told
    remote = at_the_carrier(sandbox, code)
    assert remote["cod_amount"] == 0

    deliver(sandbox, app, order_id, remote["shipment_id"])
    assert at_the_carrier(sandbox, code)["cod_amount"] == 0  # the courier collected nothing
    after = money(app, order_id)
    assert after["by_channel"] == {"transfer": 150000}  # the household's money: the transfer only
    assert (after["paid"], after["cod"], after["refund_due"]) == (150000, 0, 0)


def test_a_prepaid_marketplace_order_never_gets_cash_on_delivery(app, sandbox):
    order_id, shipment_id, code, _account = marketplace_order(app, "marketplace", 90000)
    assert run_job(app, book, shipment_id) == "booked"
    remote = at_the_carrier(sandbox, code)
    assert remote["cod_amount"] == 0
    deliver(sandbox, app, order_id, remote["shipment_id"])
    assert at_the_carrier(sandbox, code)["cod_amount"] == 0
    after = money(app, order_id)
    assert after["by_channel"] == {} and after["cod"] == 0 and after["refund_due"] == 0
