"""Each event writes its notice once (issue 12): a new order once its drop-off is known, the parcel
received, money received, a listing refused, a certificate about to expire."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from connector.extensions import db
from connector.jobs.outbox import OutboxJob
from connector.logistics.services import assign_pickup
from connector.notices.models import Notice, NoticeKind
from connector.notices.periodic import warn_expiring_certificates
from connector.orders import money
from connector.orders.models import Channel
from connector.orders.services import advance
from tests.factories import make_household, make_listing, make_order, make_product, make_service_point


def notices(kind: str, household) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.kind == kind, Notice.household_id == household.id)
                                   .order_by(Notice.id)))


def test_a_new_order_is_told_once_with_the_drop_off_point_and_day(db_session):
    household = make_household()
    point = make_service_point(household.lat + 0.001, household.lon)
    order = make_order(household)
    pickup = assign_pickup(order)
    assign_pickup(order)  # the matching job run twice
    found = notices(NoticeKind.NEW_ORDER, household)
    assert len(found) == 1
    assert found[0].params["point"] == point.name and found[0].params["day"] == pickup.pickup_date.isoformat()
    assert found[0].params["items"][0]["quantity"] == 1
    jobs = db.session.scalars(select(OutboxJob).where(OutboxJob.function.like("%send_notice_job"))).all()
    assert [job.args for job in jobs].count([found[0].id]) == 1


def test_a_parcel_handed_in_and_money_received_are_told(db_session):
    household = make_household()
    order = make_order(household, total=300_000)
    advance(order, "pickup", "received")
    advance(order, "carrier", "RECEIVED_AT_POST_OFFICE")  # the same fact from the carrier: no second notice
    assert len(notices(NoticeKind.PARCEL_RECEIVED, household)) == 1
    money.record_receipt(order, Channel.TRANSFER, 100_000, "FT1")
    money.record_receipt(order, Channel.TRANSFER, 100_000, "FT1")  # the bank's notice repeated
    money.record_receipt(order, Channel.TRANSFER, 200_000, "FT2")
    assert [n.params["amount"] for n in notices(NoticeKind.PAYMENT_RECEIVED, household)] == [100_000, 200_000]


def test_a_listing_refused_by_a_marketplace_is_told_with_its_reason(db_session):
    from connector.marketplaces.adapters.base import RemoteListing
    from connector.marketplaces.services import _record_remote

    household = make_household()
    listing = make_listing(make_product(household), "voso", state="pending_review")
    remote = RemoteListing(id="R1", seller_sku=f"CN-{listing.product_id}", status="REJECTED", version=3, price=1,
                           stock=1, reason="Ảnh sản phẩm bị mờ")
    _record_remote(listing, remote)
    _record_remote(listing, remote)  # heard twice
    found = notices(NoticeKind.LISTING_REJECTED, household)
    assert len(found) == 1 and found[0].params["reason"] == "Ảnh sản phẩm bị mờ"
    assert found[0].params["marketplace"] == "VoSo"


def test_a_certificate_expiring_within_30_days_is_told_once(db_session):
    household = make_household()
    soon = make_product(household, ocop_stars=4, ocop_certificate_no="OCOP-1", ocop_province_code="44",
                        ocop_issued_on=date.today() - timedelta(days=700), ocop_expires_on=date.today()
                        + timedelta(days=20))
    make_product(household, name="Mật ong", ocop_stars=3, ocop_certificate_no="OCOP-2", ocop_province_code="44",
                 ocop_issued_on=date.today() - timedelta(days=10),
                 ocop_expires_on=date.today() + timedelta(days=200))
    assert warn_expiring_certificates() == 1
    assert warn_expiring_certificates() == 0
    assert [n.params["product"] for n in notices(NoticeKind.CERTIFICATE_EXPIRING, household)] == [soon.name]
