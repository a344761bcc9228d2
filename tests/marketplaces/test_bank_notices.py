"""The sandbox bank over real HTTP: a buyer's transfer becomes a signed notice that pays the order."""

import pytest
import requests
from sqlalchemy import select

from connector.extensions import db
from connector.households.services import create_household
from connector.orders.models import Order
from tests.e2e import wait_until
from tests.factories import household_input, make_user

pytestmark = pytest.mark.usefixtures("committed")


def committed_order(app, total: int) -> tuple[int, str]:
    with app.app_context():
        agent = make_user("agent", province_code="01", username="e2e-bank-agent")
        household, _ = create_household(agent, household_input(commune_code="00004", phone="0966 900001"),
                                        confirm_duplicates=True)
        order = Order(marketplace="voso", remote_order_id="VS-BANK-1", status="CREATED", total_vnd=total,
                      household_id=household.id, province_code="01")
        db.session.add(order)
        db.session.commit()
        result = order.id, order.code
        db.session.remove()
        return result


def payment_status(app, order_id: int) -> tuple[str, int]:
    with app.app_context():
        row = db.session.execute(select(Order.payment_status, Order.paid_vnd).where(Order.id == order_id)).one()
        db.session.remove()
        return tuple(row)


def test_transfers_at_the_sandbox_bank_pay_the_order_once_even_when_sent_twice(app, sandbox):
    order_id, code = committed_order(app, 90000)
    sandbox.configure(webhook_duplicate=1.0)  # every notice delivered twice
    try:
        saved = app.config["SANDBOX_URL"]
        app.config["SANDBOX_URL"] = sandbox.url
        result = app.test_cli_runner().invoke(args=["payments", "transfer", "--order", code, "--amount", "40000"])
        app.config["SANDBOX_URL"] = saved
        assert result.exit_code == 0, result.output
        wait_until(lambda: payment_status(app, order_id) == ("partially_paid", 40000), timeout=20)
        # The buyer pays the rest by scanning: the memo carries the code the QR put there.
        requests.post(f"{sandbox.url}/_sandbox/bank/transfers", timeout=5,
                      json={"amount": 50000, "memo": f"{code} Thanh toan"}).raise_for_status()
        wait_until(lambda: payment_status(app, order_id) == ("paid", 90000), timeout=20)
    finally:
        sandbox.configure(webhook_duplicate=0.0)
    notices = requests.get(f"{sandbox.url}/_sandbox/bank/notices", timeout=5).json()
    assert len(notices) == 2 and all(n["delivered"] for n in notices)
