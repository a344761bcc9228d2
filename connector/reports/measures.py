"""What each figure counts, defined once over the base tables: for one area (a province, or every
province) and one period [start, end), grouped by commune. Cumulative measures ("onboarded",
"trained") count everything before the period's end, flows ("orders") count inside it, states
("products", "listings live") count what is so now.

These are the definitions: the summary rows the dashboards read (`summaries`) are recounted from
them commune by commune, the periodic recount compares the two, and the tests compare both with
counts made one row at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, distinct, func, select, union

from connector.catalogue.models import Product, ProductStatus
from connector.extensions import db
from connector.farmers.models import FarmerSession
from connector.households.models import Household, HouseholdStatus
from connector.logistics.services import VIETNAM, vietnam_now
from connector.marketplaces.models import Listing
from connector.marketplaces.states import ListingState
from connector.orders.models import Order, Receipt
from connector.reports.models import CommuneTarget, Training

ONBOARDED = (HouseholdStatus.ACTIVE, HouseholdStatus.SUSPENDED)  # with consent, not archived
ACTIVE_DAYS = 90


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=VIETNAM)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=VIETNAM)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def active_end(self) -> date:
        """The day "active in the last 90 days" is counted up to: the period's end, or tomorrow when
        the period runs on into the future (the last 90 days up to and including today)."""
        return min(self.end, vietnam_now().date() + timedelta(days=1))


@dataclass(frozen=True)
class Area:
    province_code: str | None  # None: every province
    commune_code: str | None = None


def _households(area: Area):
    """The household rows of `area` (a statement's where-clauses)."""
    clauses = [Household.status.in_(ONBOARDED), Household.consent_at.is_not(None)]
    if area.province_code:
        clauses.append(Household.province_code == area.province_code)
    if area.commune_code:
        clauses.append(Household.commune_code == area.commune_code)
    return clauses


def _by_commune(statement: Select) -> dict[str, int]:
    return {code: int(value or 0) for code, value in db.session.execute(statement)}


# -- numerators, each grouped by commune ---------------------------------------------------------
def onboarded(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(select(Household.commune_code, func.count(Household.id))
                       .where(*_households(area), Household.consent_at < period.end_at)
                       .group_by(Household.commune_code))


def onboarded_in_period(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(select(Household.commune_code, func.count(Household.id))
                       .where(*_households(area), Household.consent_at >= period.start_at,
                              Household.consent_at < period.end_at)
                       .group_by(Household.commune_code))


def trained(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(select(Household.commune_code, func.count(distinct(Training.household_id)))
                       .join(Training, Training.household_id == Household.id)
                       .where(*_households(area), Training.trained_on < period.end)
                       .group_by(Household.commune_code))


def active(area: Area, period: Period) -> dict[str, int]:
    """An order, money received or a farmer sign-in in the 90 days before the period's end (or today)."""
    until = datetime.combine(period.active_end, time.min, tzinfo=VIETNAM)
    since = until - timedelta(days=ACTIVE_DAYS)
    ordered = select(Order.household_id).where(Order.created_at >= since, Order.created_at < until,
                                               Order.exception.is_(None))
    paid = select(Order.household_id).join(Receipt, Receipt.order_id == Order.id).where(
        Receipt.received_at >= since, Receipt.received_at < until)
    signed_in = select(FarmerSession.household_id).where(FarmerSession.created_at >= since,
                                                        FarmerSession.created_at < until)
    # One IN over a UNION (a hashed semi-join), not three INs joined by OR: with OR, PostgreSQL
    # looked each household up in the three lists one by one and took minutes at a million.
    return _by_commune(select(Household.commune_code, func.count(Household.id))
                       .where(*_households(area), Household.id.in_(union(ordered, paid, signed_in)))
                       .group_by(Household.commune_code))


def live_on(marketplace: str | None):
    clauses = [Listing.state == ListingState.LIVE, Product.status != ProductStatus.ARCHIVED]
    if marketplace:
        clauses.append(Listing.marketplace == marketplace)
    return select(Product.household_id).join(Listing, Listing.product_id == Product.id).where(*clauses)


def with_live_listing(marketplace: str | None) -> Callable[[Area, Period], dict[str, int]]:
    def count(area: Area, period: Period) -> dict[str, int]:
        return _by_commune(select(Household.commune_code, func.count(Household.id))
                           .where(*_households(area), Household.id.in_(live_on(marketplace)))
                           .group_by(Household.commune_code))
    return count


def live_on_both(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(select(Household.commune_code, func.count(Household.id))
                       .where(*_households(area), Household.id.in_(live_on("postmart")),
                              Household.id.in_(live_on("voso")))
                       .group_by(Household.commune_code))


def _products(area: Area, *extra):
    return (select(Household.commune_code, func.count(Product.id)).join(Household, Household.id == Product.household_id)
            .where(*_households(area), Product.status != ProductStatus.ARCHIVED, *extra)
            .group_by(Household.commune_code))


def products(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(_products(area))


def ocop_products(stars: int | None = None, live_on_both: bool = False):
    def count(area: Area, period: Period) -> dict[str, int]:
        extra = [Product.ocop_stars >= 3] if stars is None else [Product.ocop_stars == stars]
        if live_on_both:
            for marketplace in ("postmart", "voso"):
                extra.append(Product.id.in_(select(Listing.product_id).where(
                    Listing.marketplace == marketplace, Listing.state == ListingState.LIVE)))
        return _by_commune(_products(area, *extra))
    return count


def _orders(area: Area, period: Period, value):
    clauses = [Order.created_at >= period.start_at, Order.created_at < period.end_at, Order.exception.is_(None)]
    return (select(Household.commune_code, value).join(Household, Household.id == Order.household_id)
            .where(*_households(area), *clauses).group_by(Household.commune_code))


def orders(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(_orders(area, period, func.count(Order.id)))


def order_value(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(_orders(area, period, func.coalesce(func.sum(Order.total_vnd), 0)))


def received(channel: str | None = None):
    def count(area: Area, period: Period) -> dict[str, int]:
        clauses = [Receipt.received_at >= period.start_at, Receipt.received_at < period.end_at]
        if channel:
            clauses.append(Receipt.channel == channel)
        return _by_commune(select(Household.commune_code, func.coalesce(func.sum(Receipt.amount_vnd), 0))
                           .join(Order, Order.id == Receipt.order_id)
                           .join(Household, Household.id == Order.household_id)
                           .where(*_households(area), *clauses).group_by(Household.commune_code))
    return count


def listings(marketplace: str, states: tuple[str, ...]):
    """Listings of the area's products on `marketplace` now in one of `states` (a state, not a flow)."""
    def count(area: Area, period: Period) -> dict[str, int]:
        return _by_commune(_listings(area, marketplace, states, func.count(Listing.id)))
    return count


def _listings(area: Area, marketplace: str | None, states, value):
    clauses = [Listing.state.in_(states)]
    if marketplace:
        clauses.append(Listing.marketplace == marketplace)
    return (select(Household.commune_code, value).join(Product, Product.id == Listing.product_id)
            .join(Household, Household.id == Product.household_id)
            .where(*_households(area), Product.status != ProductStatus.ARCHIVED, *clauses)
            .group_by(Household.commune_code))


def parcels(statuses: tuple[str, ...]):
    """Orders of the period whose parcel is (now) in one of `statuses`."""
    def count(area: Area, period: Period) -> dict[str, int]:
        from connector.logistics.models import Shipment

        return _by_commune(_orders(area, period, func.count(Order.id)).join(
            Shipment, Shipment.order_id == Order.id).where(Shipment.status.in_(statuses)))
    return count


def flagged_pickups(area: Area, period: Period) -> dict[str, int]:
    """Orders of the period no service point within reach could take (staff must arrange them)."""
    from connector.logistics.models import Pickup, PickupStatus

    return _by_commune(_orders(area, period, func.count(Order.id)).join(Pickup, Pickup.order_id == Order.id)
                       .where(Pickup.status == PickupStatus.FLAGGED))


def target_households(area: Area, period: Period) -> dict[str, int]:
    """Agricultural households per commune, for the year the period ends in (a target, not a result)."""
    return _targets(area, period, CommuneTarget.agricultural_households)


def onboarding_target(area: Area, period: Period) -> dict[str, int]:
    return _targets(area, period, CommuneTarget.onboarding_target)


def _targets(area: Area, period: Period, column) -> dict[str, int]:
    from connector.admin_units.models import Commune

    statement = select(CommuneTarget.commune_code, column).join(Commune, Commune.code == CommuneTarget.commune_code) \
        .where(CommuneTarget.year == period.last_day.year)
    if area.province_code:
        statement = statement.where(Commune.province_code == area.province_code)
    if area.commune_code:
        statement = statement.where(CommuneTarget.commune_code == area.commune_code)
    return _by_commune(statement)


def onboarding_points(area: Area, period: Period) -> dict[str, int]:
    """Service points, by the commune they stand in, whose agents onboarded at least one household
    (with consent) in the period: "every staffed point helps"."""
    from connector.admin_units.models import Commune
    from connector.auth.models import User
    from connector.logistics.models import ServicePoint

    statement = (select(ServicePoint.commune_code, func.count(distinct(ServicePoint.code)))
                 .join(User, User.service_point_code == ServicePoint.code)
                 .join(Household, Household.onboarded_by_id == User.id)
                 .where(Household.status.in_(ONBOARDED), Household.consent_at >= period.start_at,
                        Household.consent_at < period.end_at, ServicePoint.commune_code.is_not(None))
                 .group_by(ServicePoint.commune_code))
    if area.province_code:
        statement = statement.join(Commune, Commune.code == ServicePoint.commune_code) \
            .where(Commune.province_code == area.province_code)
    if area.commune_code:
        statement = statement.where(ServicePoint.commune_code == area.commune_code)
    return {code: int(count) for code, count in db.session.execute(statement)}


@dataclass(frozen=True)
class Measure:
    """A count per commune: how it is defined over the base tables (`direct`) and where the summary
    rows keep it (`kind`: "cumulative" or "flow" over the day and month rows, "now", "active", or
    "direct": the targets, and the few figures cheap enough to count each time)."""

    direct: Callable[[Area, Period], dict[str, int]]
    kind: str
    column: str | None = None


PENDING = (ListingState.QUEUED, ListingState.SUBMITTING, ListingState.PENDING_REVIEW)
MEASURES: dict[str, Measure] = {
    "onboarded": Measure(onboarded, "cumulative", "onboarded"),
    "onboarded_in_period": Measure(onboarded_in_period, "flow", "onboarded"),
    "trained": Measure(trained, "cumulative", "trained"),
    "active": Measure(active, "active"),
    "live_postmart": Measure(with_live_listing("postmart"), "now", "live_postmart"),
    "live_voso": Measure(with_live_listing("voso"), "now", "live_voso"),
    "live_both": Measure(live_on_both, "now", "live_both"),
    **{f"listings_{name}_{marketplace}": Measure(listings(marketplace, states), "now",
                                                 f"listings_{name}_{marketplace}")
       for marketplace in ("postmart", "voso")
       for name, states in (("live", (ListingState.LIVE,)), ("pending", PENDING),
                            ("rejected", (ListingState.REJECTED,)))},
    "products": Measure(products, "now", "products"),
    "ocop_3": Measure(ocop_products(3), "now", "ocop_3"),
    "ocop_4": Measure(ocop_products(4), "now", "ocop_4"),
    "ocop_5": Measure(ocop_products(5), "now", "ocop_5"),
    "ocop_3plus": Measure(ocop_products(None), "now", "ocop_3plus"),
    "ocop_3plus_live_both": Measure(ocop_products(None, live_on_both=True), "now", "ocop_3plus_live_both"),
    "orders": Measure(orders, "flow", "orders"),
    "order_value": Measure(order_value, "flow", "order_value"),
    "received": Measure(received(), "flow", "received"),
    **{f"received_{channel}": Measure(received(channel), "flow", f"received_{channel}")
       for channel in ("transfer", "cod", "marketplace")},
    "parcels_on_the_way": Measure(parcels(("received_at_post_office", "in_transit")), "flow", "parcels_on_the_way"),
    "parcels_delivered": Measure(parcels(("delivered",)), "flow", "parcels_delivered"),
    "parcels_failed_or_returned": Measure(parcels(("failed", "returned")), "flow", "parcels_failed_or_returned"),
    "pickups_flagged": Measure(flagged_pickups, "flow", "pickups_flagged"),
    "points_onboarding": Measure(onboarding_points, "direct"),
    "target_households": Measure(target_households, "direct"),
    "onboarding_target": Measure(onboarding_target, "direct"),
}
