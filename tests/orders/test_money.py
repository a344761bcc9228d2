"""The order's money: a buyer is never asked to pay twice, and stock taken by an order goes through
the catalogue (issue "Orders at the centre", defects 1 and 3)."""

from sqlalchemy import select

from connector.audit.models import AuditEvent
from connector.catalogue.models import Product
from connector.jobs.outbox import OutboxJob
from connector.logistics.services import assign_pickup
from connector.logistics.shipping import apply_status, request_booking
from connector.orders.money import record_receipt
from tests.factories import make_household, make_listing, make_order, make_product, make_service_point


def booked(db_session, pay_by: str):
    household = make_household()
    make_service_point(household.lat + 0.01, household.lon)
    order = make_order(household, total=120000, pay_by=pay_by)
    shipment = request_booking(assign_pickup(order))
    return order, shipment


def test_a_prepaid_marketplace_order_is_never_sent_cash_on_delivery(db_session):
    order, shipment = booked(db_session, "marketplace")
    assert shipment.cod_amount == 0 and order.cod_vnd == 0


def test_a_transfer_before_hand_in_takes_the_cash_on_delivery_off(db_session):
    order, shipment = booked(db_session, "cod")
    assert shipment.cod_amount == 120000
    shipment.remote_id, shipment.status = "SH1", "booked"
    db_session.flush()
    record_receipt(order, "transfer", 120000, "payment:test-1")
    assert shipment.cod_amount == 0 and order.cod_vnd == 0 and order.refund_due_vnd == 0
    jobs = db_session.scalars(select(OutboxJob.function)).all()
    assert "connector.logistics.jobs.update_cod_job" in jobs  # the carrier is told


def test_a_payment_after_hand_in_is_a_refund_to_make(db_session):
    order, shipment = booked(db_session, "cod")
    shipment.remote_id, shipment.status = "SH2", "booked"
    apply_status(shipment, "RECEIVED_AT_POST_OFFICE", 5)
    assert order.fulfilment == "handed_in"
    record_receipt(order, "transfer", 120000, "payment:test-2")
    assert shipment.cod_amount == 120000  # the carrier still collects: the buyer pays twice
    assert order.refund_due_vnd == 120000


def test_the_same_receipt_twice_counts_once(db_session):
    order = make_order(total=50000)
    assert record_receipt(order, "transfer", 50000, "payment:dup") is not None
    assert record_receipt(order, "transfer", 50000, "payment:dup") is None
    assert order.paid_vnd == 50000 and order.payment_status == "paid"


def test_stock_taken_by_an_order_is_audited_and_reaches_the_listings(db_session):
    product = make_product(make_household(), stock=10)
    listing = make_listing(product, "voso")
    make_order(product=product, quantity=3)
    assert product.stock == 7 and db_session.get(Product, product.id).stock == 7
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "product",
                                                       AuditEvent.action == "stock_taken",
                                                       AuditEvent.entity_id == product.id))
    assert event is not None and event.changes["stock"] == [10, 7]
    # The other marketplace is told the new stock: its listing has a sync queued.
    assert listing.sync_pending
    assert "connector.marketplaces.jobs.sync_listing_job" in db_session.scalars(select(OutboxJob.function)).all()
