"""Every dashboard figure equals a direct count over the same rows (issue 14), after random
inserts, updates, archives and deletes: households with consent at various dates, trainings,
products and listings in every state, orders and receipts. The dashboards read summary rows that
the refresh job recounts from the communes the database triggers marked; the direct count is
checked too, and the hourly recount finds a summary that went wrong."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from connector.catalogue.models import Product
from connector.extensions import db
from connector.farmers.models import FarmerSession
from connector.households.models import Household
from connector.logistics.models import Shipment
from connector.marketplaces.models import Listing
from connector.orders.models import Order, Receipt
from connector.reports import summaries
from connector.reports.indicators import figures
from connector.reports.measures import ONBOARDED, Area, Period
from connector.reports.models import CommuneTarget, Training
from tests.factories import HAI_LANG, make_household, make_listing, make_order, make_user, product_input

OTHER_COMMUNE = "19735"  # Nam Hải Lăng, another commune of Quảng Trị (44)
PERIOD = Period(date(2026, 11, 1), date(2026, 12, 1))
END = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 1 December, 00:00 in Vietnam


def moment(rng: random.Random) -> datetime:
    """A time from September to mid-December 2026: before, inside and after the period."""
    return datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 105 * 24 * 60))


def fill(rng: random.Random) -> list[Household]:
    from connector.catalogue.services import create_product

    agent = make_user("agent", province_code="44")
    households = []
    for number in range(24):
        household = make_household(agent, commune_code=rng.choice([HAI_LANG, OTHER_COMMUNE]),
                                   head_name=f"Hộ Thử {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[number]}")
        household.consent_at = moment(rng)
        households.append(household)
        for _ in range(rng.randrange(0, 3)):
            db.session.add(Training(household_id=household.id, trained_on=moment(rng).date(), topic="Bán hàng"))
        for _ in range(rng.randrange(0, 3)):
            stars = rng.choice([None, 3, 4, 5])
            extra = dict(ocop_stars=stars, ocop_certificate_no="C-1", ocop_province_code="44",
                         ocop_issued_on="2025-01-01", ocop_expires_on="2028-01-01") if stars else {}
            product = create_product(agent, household.id, product_input(**extra))
            for marketplace in ("postmart", "voso"):
                if rng.random() < 0.7:
                    make_listing(product, marketplace, state=rng.choice(["live", "live", "rejected", "pending_review"]))
            if rng.random() < 0.15:
                product.status = "archived"
            for _ in range(rng.randrange(0, 3)):
                order = make_order(household, product=product, total=rng.randrange(10, 90) * 10_000)
                order.created_at = moment(rng)
                if rng.random() < 0.6:
                    db.session.add(Shipment(order_id=order.id, mode="dropoff", cod_amount=0, remote_version=0,
                                            status=rng.choice(["booked", "received_at_post_office", "in_transit",
                                                               "delivered", "failed", "returned"])))
                if rng.random() < 0.6:
                    db.session.add(Receipt(order_id=order.id, channel=rng.choice(["transfer", "cod", "marketplace"]),
                                           amount_vnd=order.total_vnd, reference=f"R{order.id}-{rng.random()}",
                                           received_at=moment(rng), created_at=moment(rng)))
        if rng.random() < 0.3:
            db.session.add(FarmerSession(household_id=household.id, token_hash=f"{rng.random():.16f}", via="code",
                                         created_at=moment(rng), last_seen_at=moment(rng),
                                         expires_at=moment(rng) + timedelta(days=60)))
        household.status = rng.choice(["active", "active", "active", "suspended", "archived"])
    db.session.add_all([CommuneTarget(commune_code=HAI_LANG, year=2026, agricultural_households=40,
                                      onboarding_target=20),
                        CommuneTarget(commune_code=OTHER_COMMUNE, year=2026, agricultural_households=30,
                                      onboarding_target=0)])
    db.session.flush()
    return households


def shake(rng: random.Random, households: list[Household]) -> None:
    """Updates, archives and deletes after the first count."""
    for household in rng.sample(households, 6):
        household.status = rng.choice(["active", "archived", "suspended"])
        household.consent_at = moment(rng)
    for training in rng.sample(list(db.session.scalars(select(Training))), 3):
        db.session.delete(training)
    for listing in rng.sample(list(db.session.scalars(select(Listing))), 5):
        listing.state = rng.choice(["live", "delisted", "rejected"])
    doomed = rng.sample(list(db.session.scalars(select(Receipt))), 3)
    db.session.execute(delete(Receipt).where(Receipt.id.in_([r.id for r in doomed])))
    db.session.flush()
    db.session.expire_all()


def direct(households_in_scope: list[Household]) -> dict[str, int]:
    """The same figures counted one row at a time in Python."""
    start = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    onboarded = [h for h in households_in_scope if h.status in ONBOARDED and h.consent_at and h.consent_at < END]
    ids = {h.id for h in households_in_scope if h.status in ONBOARDED and h.consent_at}
    products = [p for p in db.session.scalars(select(Product)) if p.household_id in ids and p.status != "archived"]
    listings = list(db.session.scalars(select(Listing)))
    live = {(listing.product_id, listing.marketplace) for listing in listings if listing.state == "live"}
    live_households = {m: {p.household_id for p in products if (p.id, m) in live} for m in ("postmart", "voso")}
    orders = [o for o in db.session.scalars(select(Order)) if o.household_id in ids and not o.exception]
    receipts = [r for r in db.session.scalars(select(Receipt)) if r.order.household_id in ids]
    since = END - timedelta(days=90)
    active = {o.household_id for o in orders if since <= o.created_at < END} | {
        r.order.household_id for r in receipts if since <= r.received_at < END} | {
        s.household_id for s in db.session.scalars(select(FarmerSession))
        if s.household_id in ids and since <= s.created_at < END}
    ocop = [p for p in products if (p.ocop_stars or 0) >= 3]
    product_ids = {p.id for p in products}
    listing_counts = {f"listings_{kind}_{m}": sum(1 for listing in listings if listing.product_id in product_ids
                                                 and listing.marketplace == m and listing.state in states)
                      for m in ("postmart", "voso")
                      for kind, states in (("live", {"live"}), ("rejected", {"rejected"}),
                                           ("pending", {"queued", "submitting", "pending_review"}))}
    in_period = {o.id for o in orders if start <= o.created_at < END}
    shipments = [sh for sh in db.session.scalars(select(Shipment)) if sh.order_id in in_period]
    return {
        "onboarded": len(onboarded),
        "onboarded_in_period": sum(1 for h in onboarded if h.consent_at >= start),
        "trained": len({t.household_id for t in db.session.scalars(select(Training))
                        if t.household_id in ids and t.trained_on < PERIOD.end}),
        "active": len(active & ids),
        "live_postmart": len(live_households["postmart"]),
        "live_voso": len(live_households["voso"]),
        "live_both": len(live_households["postmart"] & live_households["voso"]),
        "products": len(products),
        "ocop_3": sum(1 for p in products if p.ocop_stars == 3),
        "ocop_4": sum(1 for p in products if p.ocop_stars == 4),
        "ocop_5": sum(1 for p in products if p.ocop_stars == 5),
        "ocop_live_both": sum(1 for p in ocop if (p.id, "postmart") in live and (p.id, "voso") in live),
        "ocop_total": len(ocop),
        "orders": sum(1 for o in orders if start <= o.created_at < END),
        "order_value": sum(o.total_vnd for o in orders if start <= o.created_at < END),
        "received": sum(r.amount_vnd for r in receipts if start <= r.received_at < END),
        "received_cod": sum(r.amount_vnd for r in receipts if start <= r.received_at < END and r.channel == "cod"),
        **listing_counts,
        "parcels_on_the_way": sum(1 for sh in shipments if sh.status in ("received_at_post_office", "in_transit")),
        "parcels_delivered": sum(1 for sh in shipments if sh.status == "delivered"),
        "parcels_failed_or_returned": sum(1 for sh in shipments if sh.status in ("failed", "returned")),
    }


def check(area: Area, households: list[Household], source: str) -> None:
    found = figures(area, PERIOD, source=source)
    expected = direct(households)
    for key, value in expected.items():
        if key in found.totals:
            assert found.totals[key] == value, key
    assert {key for key in expected if key in found.totals} >= {"listings_live_voso", "parcels_delivered",
                                                                   "onboarded", "active"}
    ocop_share = round(100 * expected["ocop_live_both"] / expected["ocop_total"], 1) if expected["ocop_total"] \
        else None
    assert found.totals["ocop_live_both_share"] == ocop_share
    # Ratios of sums, over the targets of the communes in the area.
    agricultural = 40 * (area.commune_code in (None, HAI_LANG)) + 30 * (area.commune_code in (None, OTHER_COMMUNE))
    assert found.totals["onboarded_share"] == round(100 * expected["onboarded"] / agricultural, 1)
    # The commune rows add up to the totals.
    for key in ("onboarded", "orders", "order_value", "received", "live_both"):
        assert sum(row.get(key) or 0 for row in found.communes.values()) == found.totals[key], key


@pytest.mark.parametrize("seed", range(4))
def test_every_figure_equals_a_direct_count_before_and_after_changes(db_session, seed):
    rng = random.Random(seed)
    households = fill(rng)
    for _ in range(2):
        summaries.refresh_all()  # what the worker does every few seconds
        for source in ("summary", "direct"):
            check(Area("44"), households, source)
            check(Area("44", HAI_LANG), [h for h in households if h.commune_code == HAI_LANG], source)
        shake(rng, households)
