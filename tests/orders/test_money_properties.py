"""Every ordering of an order's life, checked for its money (issue 10): orders paid on the
marketplace, by cash on delivery or by transfer; partial, full and over payments by bank notice or at
the counter; booking, hand-in, delivery with the carrier's remittance, cancelling, returning, refunds;
jobs and webhooks arriving late, out of order and twice.

The connector's own code runs as in production: bank notices through the webhook's function, carrier
webhooks through `apply_event`, marketplace settlements through the event the marketplace sends,
jobs through their read and record steps. Only the carrier itself is played here, by the rules of
the sandbox's carrier (connector/sandbox/carrier.py): a parcel's cash on delivery can change, and it
can be cancelled, only while it is booked; a delivered parcel's cash is remitted.

What must always hold, for every order:
- no receipt is counted more than once, and money received is money really sent;
- nothing is marked paid (or partly paid) without receipts for it;
- a prepaid marketplace order is never sent cash on delivery;
- every refund due is on the staff's list of refunds to make;
and once every job has run and every webhook has arrived: what the buyer paid beyond what the
order keeps (received plus what the carrier will still collect, less refunds) is exactly the refund
due, and the carrier collects what the order says it will.
"""

from __future__ import annotations

import itertools

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from connector.db import utcnow
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.jobs.outbox import OutboxJob
from connector.logistics.carrier import RemoteShipment
from connector.logistics.jobs import book_shipment_job, match_pickup_job, update_cod_job
from connector.logistics.models import Pickup, Shipment
from connector.logistics.services import mark_received
from connector.logistics.shipping import (
    REMOTE_STATUS,
    apply_event,
    plan_cancel,
    read_booking,
    read_cod_update,
    record_booking,
    record_cancel,
    record_cod_answer,
)
from connector.marketplaces.events import apply_event as apply_marketplace_event
from connector.marketplaces.events import record_event
from connector.orders.models import Order, Receipt
from connector.orders.money import outstanding, record_refund, refunds_due
from connector.orders.services import apply_source_status, orders_in_scope
from connector.orders.status import UNDELIVERED
from connector.payments.services import receive_notice, record_staff_payment
from connector.remote import Refused
from tests.factories import make_household, make_order, make_product, make_service_point, make_user

_ids = itertools.count(1)
ON_THE_WAY = {"BOOKED", "RECEIVED_AT_POST_OFFICE", "IN_TRANSIT", "FAILED"}
# Where the sandbox's carrier moves a parcel next (a delivered, returned or cancelled parcel stays).
CARRIER_MOVES = {"BOOKED": ["RECEIVED_AT_POST_OFFICE"], "RECEIVED_AT_POST_OFFICE": ["IN_TRANSIT"],
                 "IN_TRANSIT": ["DELIVERED", "FAILED"], "FAILED": ["IN_TRANSIT", "RETURNED"]}


class Carrier:
    """The carrier, by the sandbox carrier's rules; its webhooks wait in `pending` until delivered."""

    def __init__(self):
        self.shipments: dict[str, dict] = {}
        self.pending: list[dict] = []
        self.delivered: list[dict] = []
        self.collected: dict[str, int] = {}  # reference (order code) -> cash the courier took

    def _emit(self, shipment: dict) -> None:
        self.pending.append({"event_id": f"E{next(_ids)}", "shipment_id": shipment["id"],
                             "reference": shipment["reference"], "status": shipment["status"],
                             "sequence": shipment["version"]})
        if shipment["status"] == "DELIVERED" and shipment["cod_amount"] > 0:
            self.collected[shipment["reference"]] = shipment["cod_amount"]
            self.pending.append({"event_id": f"E{next(_ids)}", "type": "cod.remitted", "shipment_id": shipment["id"],
                                 "reference": shipment["reference"], "remittance_id": f"R{next(_ids)}",
                                 "amount": shipment["cod_amount"]})

    @staticmethod
    def _answer(shipment: dict) -> RemoteShipment:
        return RemoteShipment(id=shipment["id"], reference=shipment["reference"], tracking_code=f"EB{shipment['id']}VN",
                              status=shipment["status"], version=shipment["version"], cod_amount=shipment["cod_amount"])

    def by_reference(self, reference: str) -> dict | None:
        return next((s for s in self.shipments.values() if s["reference"] == reference
                     and s["status"] != "CANCELLED"), None)

    def find_or_create(self, payload: dict) -> RemoteShipment:
        shipment = self.by_reference(payload["reference"])
        if shipment is None:
            shipment = {"id": f"VN{next(_ids)}", "reference": payload["reference"], "status": "BOOKED", "version": 1,
                        "cod_amount": payload["cod_amount"]}
            self.shipments[shipment["id"]] = shipment
            self._emit(shipment)
        return self._answer(shipment)

    def get(self, remote_id: str) -> RemoteShipment:
        return self._answer(self.shipments[remote_id])

    def change_booked(self, remote_id: str, **changes) -> RemoteShipment:
        shipment = self.shipments[remote_id]
        if shipment["status"] != "BOOKED":
            raise Refused("carrier: only while booked")
        shipment.update(changes, version=shipment["version"] + 1)
        self._emit(shipment)
        return self._answer(shipment)

    def move(self, remote_id: str, status: str) -> None:
        shipment = self.shipments[remote_id]
        shipment["status"], shipment["version"] = status, shipment["version"] + 1
        self._emit(shipment)


class OrderMoney(RuleBasedStateMachine):
    """One household's orders per example; the test's transaction is rolled back at its end."""

    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self.admin = make_user("admin")
        self.household = make_household()
        self.product = make_product(self.household, stock=1000)
        self.carrier = Carrier()
        self.sent: dict[int, int] = {}  # order id -> money really sent for it (each notice, settlement once)
        self.notices: list[dict] = []
        self.settled: set[int] = set()
        self.in_flight: list[tuple] = []  # jobs that called the carrier and have not recorded its answer
        self.handled: set[int] = set()
        self.first_job = db.session.scalar(select(func.max(OutboxJob.id))) or 0

    # -- helpers --------------------------------------------------------------------------------
    def order(self, order_id: int) -> Order:
        return db.session.get(Order, order_id)

    def shipment_of(self, order_id: int) -> Shipment | None:
        return db.session.scalar(select(Shipment).where(Shipment.order_id == order_id))

    def pending_jobs(self) -> list[OutboxJob]:
        functions = [f.import_path for f in (match_pickup_job, book_shipment_job, update_cod_job)]
        return [row for row in db.session.scalars(select(OutboxJob).where(
            OutboxJob.id > self.first_job, OutboxJob.function.in_(functions)).order_by(OutboxJob.id))
            if row.id not in self.handled]

    def my_orders(self) -> list[Order]:
        return list(db.session.scalars(select(Order).where(Order.household_id == self.household.id)))

    def received(self, order: Order) -> int:
        return db.session.scalar(select(func.coalesce(func.sum(Receipt.amount_vnd), 0))
                                 .where(Receipt.order_id == order.id))

    def start_job(self, row: OutboxJob) -> None:
        """A worker takes the job: its read step and its carrier call; the record step comes later."""
        self.handled.add(row.id)
        if row.function == match_pickup_job.import_path:
            match_pickup_job.__wrapped__(*row.args)  # no carrier call: it runs whole
        elif row.function == book_shipment_job.import_path:
            payload = read_booking(*row.args)
            if payload is not None:
                self.in_flight.append(("booking", row.args[0], self.carrier.find_or_create(payload)))
        else:
            read = read_cod_update(*row.args)
            if read is not None:
                remote_id, wanted = read
                try:
                    answer = self.carrier.change_booked(remote_id, cod_amount=wanted)
                except Refused:
                    answer = self.carrier.get(remote_id)
                self.in_flight.append(("cod", row.args[0], wanted, answer))

    def finish_job(self, index: int) -> None:
        kind, shipment_id, *rest = self.in_flight.pop(index)
        if kind == "booking":
            record_booking(shipment_id, *rest)
        else:
            record_cod_answer(shipment_id, *rest)

    def deliver(self, index: int) -> None:
        event = self.carrier.pending.pop(index)
        apply_event(dict(event))
        self.carrier.delivered.append(event)

    # -- orders and money ------------------------------------------------------------------------
    @rule(target=orders, pay_by=st.sampled_from(["marketplace", "cod", "transfer"]),
          total=st.integers(10, 400).map(lambda thousands: thousands * 1000))
    def new_order(self, pay_by, total):
        order = make_order(self.household, product=self.product, total=total, pay_by=pay_by)
        self.sent[order.id] = 0
        return order.id

    @rule(order_id=orders, size=st.sampled_from(["part", "rest", "more"]))
    def buyer_transfers(self, order_id, size):
        """The buyer scans the VietQR and pays part, the rest, or more than is owed."""
        order = self.order(order_id)
        owed = max(0, order.total_vnd - order.paid_vnd)
        amount = {"part": max(1000, owed // 2), "rest": max(1000, owed), "more": owed + 5000}[size]
        notice = {"bank_reference": f"FT{next(_ids)}", "amount": amount, "memo": f"{order.code} Thanh toan",
                  "occurred_at": utcnow(), "account": self.household.payout_account, "bin": self.household.payout_bin}
        receive_notice(dict(notice))
        self.notices.append(notice)
        self.sent[order_id] += amount

    @rule(data=st.data())
    def the_bank_sends_a_notice_again(self, data):
        if self.notices:
            _payment, duplicate = receive_notice(dict(data.draw(st.sampled_from(self.notices))))
            assert duplicate

    @rule(order_id=orders, half=st.booleans())
    def cash_at_the_counter(self, order_id, half):
        order = self.order(order_id)
        if outstanding(order) > 0:
            amount = max(1, outstanding(order) // 2) if half else outstanding(order)
            record_staff_payment(self.admin, order, amount, "cash")
            self.sent[order_id] += amount

    @rule(order_id=orders)
    def the_marketplace_settles(self, order_id):
        """A prepaid order, delivered: the marketplace pays the seller (once, however often it says so)."""
        order = self.order(order_id)
        if order.pay_by != "marketplace" or order.fulfilment != "delivered" or order_id in self.settled:
            return
        event = {"event_id": f"S{order_id}", "type": "order.settled",
                 "data": {"order_id": order.remote_order_id, "settlement_id": f"ST{order_id}",
                          "amount": order.total_vnd}}
        for _ in range(2):
            row_id = record_event(order.marketplace, event)
            if row_id is not None:
                apply_marketplace_event(row_id)
        self.settled.add(order_id)
        self.sent[order_id] += order.total_vnd

    @rule(order_id=orders, said=st.sampled_from(["CANCELLED", "RETURNED"]))
    def the_marketplace_cancels_or_returns(self, order_id, said):
        order = self.order(order_id)
        apply_source_status(order, said, order.last_event_sequence + 1)

    @rule(order_id=orders)
    def staff_refund(self, order_id):
        order = self.order(order_id)
        if order.refund_due_vnd > 0:
            record_refund(self.admin, order, order.refund_due_vnd)

    # -- jobs and the carrier ----------------------------------------------------------------------
    @rule(data=st.data())
    def a_worker_starts_a_job(self, data):
        jobs = self.pending_jobs()
        if jobs:
            self.start_job(data.draw(st.sampled_from(jobs)))

    @rule(data=st.data())
    def a_worker_records_the_carriers_answer(self, data):
        if self.in_flight:
            self.finish_job(data.draw(st.integers(0, len(self.in_flight) - 1)))

    @rule(order_id=orders)
    def the_agent_takes_the_parcel_in(self, order_id):
        """Hand-in: the agent at the service point, then the carrier's post office."""
        pickup = db.session.scalar(select(Pickup).where(Pickup.order_id == order_id))
        if pickup is not None and pickup.status == "assigned":
            mark_received(self.admin, pickup)
        remote = self.carrier.by_reference(self.order(order_id).code)
        if remote is not None and remote["status"] == "BOOKED":
            self.carrier.move(remote["id"], "RECEIVED_AT_POST_OFFICE")

    @rule(data=st.data())
    def the_carrier_moves_a_parcel(self, data):
        movable = [s for s in self.carrier.shipments.values() if s["status"] in CARRIER_MOVES]
        if movable:
            shipment = data.draw(st.sampled_from(movable))
            self.carrier.move(shipment["id"], data.draw(st.sampled_from(CARRIER_MOVES[shipment["status"]])))

    @rule(order_id=orders)
    def staff_cancel_the_parcel(self, order_id):
        shipment = self.shipment_of(order_id)
        if shipment is None:
            return
        try:
            remote_id = plan_cancel(self.admin, shipment)
            answer = self.carrier.change_booked(remote_id, status="CANCELLED")
        except (ValidationFailed, Refused):
            return  # the page says only a booked parcel can be cancelled
        record_cancel(shipment.id, answer)

    @rule(data=st.data())
    def a_carrier_webhook_arrives(self, data):
        if self.carrier.pending:
            self.deliver(data.draw(st.integers(0, len(self.carrier.pending) - 1)))

    @rule(data=st.data())
    def a_carrier_webhook_arrives_again(self, data):
        if self.carrier.delivered:
            apply_event(dict(data.draw(st.sampled_from(self.carrier.delivered))))

    @rule()
    def everything_arrives(self):
        self.settle_everything()
        self.check_settled()

    # -- what must hold ----------------------------------------------------------------------------
    @invariant()
    def money_is_counted_once_and_nothing_is_paid_without_receipts(self):
        listed = {order.id for order in refunds_due(orders_in_scope(self.admin, select(Order)))}
        for order in self.my_orders():
            received = self.received(order)
            assert order.paid_vnd == received, "the order's money is the sum of its receipts"
            assert received <= self.sent[order.id] + self.carrier.collected.get(order.code, 0), \
                "more received than the buyer sent"
            if order.payment_status in ("paid", "overpaid"):
                assert received >= order.total_vnd and order.paid_at is not None
            if order.payment_status != "unpaid" or order.paid_at is not None:
                assert received > 0, f"{order.code} is {order.payment_status} without a receipt"
            if order.pay_by == "marketplace":
                shipment = self.shipment_of(order.id)
                remote = self.carrier.by_reference(order.code)
                assert order.cod_vnd == 0 and (shipment is None or shipment.cod_amount == 0)
                assert remote is None or remote["cod_amount"] == 0, "a prepaid order sent cash on delivery"
            kept = received - order.refunded_vnd
            beyond = kept if order.fulfilment in UNDELIVERED else kept + order.cod_vnd - order.total_vnd
            assert order.refund_due_vnd >= beyond, f"{order.code}: money beyond the total not listed as a refund"
            if order.refund_due_vnd > 0:
                assert order.id in listed, f"{order.code}: a refund due missing from the staff's list"

    def settle_everything(self) -> None:
        """Every job runs and records, every webhook arrives, until nothing more happens."""
        for _ in range(50):
            jobs = self.pending_jobs()
            if not (jobs or self.in_flight or self.carrier.pending):
                return
            for row in jobs:
                self.start_job(row)
            while self.in_flight:
                self.finish_job(0)
            while self.carrier.pending:
                self.deliver(0)
        raise AssertionError("jobs and webhooks never settle")

    def check_settled(self) -> None:
        for order in self.my_orders():
            received = self.received(order)
            assert received == self.sent[order.id] + self.carrier.collected.get(order.code, 0), \
                f"{order.code}: money the buyer sent never reached the order"
            remote = self.carrier.by_reference(order.code)
            shipment = self.shipment_of(order.id)
            if remote is not None:
                assert shipment is not None and shipment.status == REMOTE_STATUS[remote["status"]], \
                    f"{order.code}: the carrier says {remote['status']}"
            to_collect = remote["cod_amount"] if remote is not None and remote["status"] in ON_THE_WAY else 0
            kept = received - order.refunded_vnd
            if order.fulfilment in UNDELIVERED:
                assert order.refund_due_vnd == max(0, kept), f"{order.code}: a {order.fulfilment} order's money"
                if remote is not None and remote["status"] == "BOOKED":
                    assert remote["cod_amount"] == 0, f"{order.code}: cash collected for a {order.fulfilment} order"
            else:
                assert order.cod_vnd == to_collect, \
                    f"{order.code}: the order expects {order.cod_vnd} on delivery, the carrier collects {to_collect}"
                assert order.refund_due_vnd == max(0, kept + to_collect - order.total_vnd), \
                    f"{order.code}: refund due {order.refund_due_vnd}, paid beyond the total " \
                    f"{kept + to_collect - order.total_vnd}"

    def teardown(self):
        self.settle_everything()
        self.check_settled()


def test_money_adds_up_in_every_order_of_events(db_session):
    household = make_household()
    make_service_point(household.lat + 0.01, household.lon, capacity=100000)
    run_state_machine_as_test(OrderMoney, settings=settings(stateful_step_count=40))


def test_a_refund_due_is_on_the_staffs_page(client, db_session):
    """The list the invariant reads is the one staff see: /payments/unmatched."""
    from tests.factories import PASSWORD
    from tests.helpers import login

    admin = make_user("admin")
    order = make_order(make_household(), total=50000, pay_by="transfer")
    household = order.household
    receive_notice({"bank_reference": "FT-PAGE-1", "amount": 70000, "memo": f"{order.code} Thanh toan",
                    "occurred_at": utcnow(), "account": household.payout_account, "bin": household.payout_bin})
    assert order.id in {o.id for o in refunds_due(orders_in_scope(admin, select(Order)))}
    login(client, admin.username, PASSWORD)
    page = client.get("/payments/unmatched").get_data(as_text=True)
    assert order.code in page and "20.000" in page

