"""The indicators, each defined once: a numerator, a denominator (or none) and a factor, with the
targets kept in their own table so a ratio never mixes a target into a result (the DHIS2 rule).

Every figure is counted over the base tables for one area (a province, or every province) and one
period [start, end): counts, not estimates, grouped by commune so that the dashboard's total, its
commune table, its map and its exports are the same numbers. Cumulative indicators ("onboarded",
"trained") count everything before the period's end; flow indicators ("orders") count inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, distinct, func, or_, select

from connector.catalogue.models import Product, ProductStatus
from connector.db import utcnow
from connector.extensions import db
from connector.farmers.models import FarmerSession
from connector.households.models import Household, HouseholdStatus
from connector.logistics.services import VIETNAM
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
    """An order, money received or a farmer sign-in in the 90 days before the period's end."""
    since, until = period.end_at - timedelta(days=ACTIVE_DAYS), period.end_at
    ordered = select(Order.household_id).where(Order.created_at >= since, Order.created_at < until,
                                               Order.exception.is_(None))
    paid = select(Order.household_id).join(Receipt, Receipt.order_id == Order.id).where(
        Receipt.received_at >= since, Receipt.received_at < until)
    signed_in = select(FarmerSession.household_id).where(FarmerSession.created_at >= since,
                                                        FarmerSession.created_at < until)
    return _by_commune(select(Household.commune_code, func.count(Household.id))
                       .where(*_households(area), or_(Household.id.in_(ordered), Household.id.in_(paid),
                                                      Household.id.in_(signed_in)))
                       .group_by(Household.commune_code))


def _live_on(marketplace: str | None):
    clauses = [Listing.state == ListingState.LIVE]
    if marketplace:
        clauses.append(Listing.marketplace == marketplace)
    return select(Product.household_id).join(Listing, Listing.product_id == Product.id).where(*clauses)


def with_live_listing(marketplace: str | None) -> Callable[[Area, Period], dict[str, int]]:
    def count(area: Area, period: Period) -> dict[str, int]:
        return _by_commune(select(Household.commune_code, func.count(Household.id))
                           .where(*_households(area), Household.id.in_(_live_on(marketplace)))
                           .group_by(Household.commune_code))
    return count


def live_on_both(area: Area, period: Period) -> dict[str, int]:
    return _by_commune(select(Household.commune_code, func.count(Household.id))
                       .where(*_households(area), Household.id.in_(_live_on("postmart")),
                              Household.id.in_(_live_on("voso")))
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


def rejection_reasons(area: Area, limit: int = 5) -> list[tuple[str, str, int]]:
    """The commonest reasons the marketplaces give for refusing the area's listings: (marketplace,
    reason, how many)."""
    statement = (select(Listing.marketplace, Listing.reason, func.count(Listing.id))
                 .join(Product, Product.id == Listing.product_id).join(Household, Household.id == Product.household_id)
                 .where(*_households(area), Listing.state == ListingState.REJECTED, Listing.reason.is_not(None))
                 .group_by(Listing.marketplace, Listing.reason)
                 .order_by(func.count(Listing.id).desc(), Listing.marketplace, Listing.reason).limit(limit))
    return [(marketplace, reason, int(count)) for marketplace, reason, count in db.session.execute(statement)]


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


# -- the indicators ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    key: str
    label: object  # a lazy string
    numerator: Callable[[Area, Period], dict[str, int]]
    denominator: Callable[[Area, Period], dict[str, int]] | None = None
    factor: int = 1  # 100 for a percentage
    money: bool = False


INDICATORS: list[Indicator] = [
    Indicator("onboarded", _l("Households onboarded (with consent)"), onboarded),
    Indicator("onboarded_share", _l("Onboarded, share of agricultural households"), onboarded, target_households, 100),
    Indicator("onboarded_vs_target", _l("Onboarded, share of the target"), onboarded, onboarding_target, 100),
    Indicator("onboarded_in_period", _l("Households onboarded in the period"), onboarded_in_period),
    Indicator("trained", _l("Households trained"), trained),
    Indicator("active", _l("Households active in the last 90 days"), active),
    Indicator("live_postmart", _l("Households with a live listing on PostMart"), with_live_listing("postmart")),
    Indicator("live_voso", _l("Households with a live listing on VoSo"), with_live_listing("voso")),
    Indicator("live_both", _l("Households live on both marketplaces"), live_on_both),
    Indicator("listings_live_postmart", _l("Listings live on PostMart"), listings("postmart", (ListingState.LIVE,))),
    Indicator("listings_pending_postmart", _l("Listings waiting for PostMart's review"),
              listings("postmart", (ListingState.QUEUED, ListingState.SUBMITTING, ListingState.PENDING_REVIEW))),
    Indicator("listings_rejected_postmart", _l("Listings refused by PostMart"),
              listings("postmart", (ListingState.REJECTED,))),
    Indicator("listings_live_voso", _l("Listings live on VoSo"), listings("voso", (ListingState.LIVE,))),
    Indicator("listings_pending_voso", _l("Listings waiting for VoSo's review"),
              listings("voso", (ListingState.QUEUED, ListingState.SUBMITTING, ListingState.PENDING_REVIEW))),
    Indicator("listings_rejected_voso", _l("Listings refused by VoSo"), listings("voso", (ListingState.REJECTED,))),
    Indicator("products", _l("Products"), products),
    Indicator("ocop_3", _l("OCOP products, 3 stars"), ocop_products(3)),
    Indicator("ocop_4", _l("OCOP products, 4 stars"), ocop_products(4)),
    Indicator("ocop_5", _l("OCOP products, 5 stars"), ocop_products(5)),
    Indicator("ocop_live_both_share", _l("OCOP products of 3 stars or more live on both marketplaces, share"),
              ocop_products(None, live_on_both=True), ocop_products(None), 100),
    Indicator("orders", _l("Orders"), orders),
    Indicator("order_value", _l("Gross order value"), order_value, money=True),
    Indicator("received", _l("Money received"), received(), money=True),
    Indicator("received_transfer", _l("Received by direct transfer"), received("transfer"), money=True),
    Indicator("received_cod", _l("Received as cash on delivery"), received("cod"), money=True),
    Indicator("received_marketplace", _l("Received from the marketplaces"), received("marketplace"), money=True),
    Indicator("parcels_on_the_way", _l("Parcels handed in or on their way"),
              parcels(("received_at_post_office", "in_transit"))),
    Indicator("parcels_delivered", _l("Parcels delivered"), parcels(("delivered",))),
    Indicator("parcels_failed_or_returned", _l("Parcels not delivered or returned"), parcels(("failed", "returned"))),
    Indicator("pickups_flagged", _l("Parcels no service point could take"), flagged_pickups),
]
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


@dataclass
class Figures:
    """Every wanted indicator for an area and period, kept as (numerator, denominator) per commune so
    that any grouping (the area, a commune, a province) is a ratio of sums, never a sum of ratios."""

    area: Area
    period: Period
    as_of: datetime
    keys: list[str] = field(default_factory=list)
    parts: dict[str, dict[str, tuple[int, int | None]]] = field(default_factory=dict)

    def grouped(self, group_of: Callable[[str], str | None]) -> dict[str, dict[str, float | int | None]]:
        sums: dict[str, dict[str, list[int | None]]] = {}
        for commune, values in self.parts.items():
            group = group_of(commune)
            if group is None:
                continue
            row = sums.setdefault(group, {})
            for key, (top, bottom) in values.items():
                acc = row.setdefault(key, [0, None])
                acc[0] += top
                if bottom is not None:
                    acc[1] = (acc[1] or 0) + bottom
        return {group: {key: self._value(key, top, bottom) for key, (top, bottom) in row.items()}
                for group, row in sums.items()}

    def _value(self, key: str, top: int, bottom: int | None):
        indicator = BY_KEY[key]
        return ratio(top, bottom, indicator.factor) if indicator.denominator else top

    @property
    def totals(self) -> dict[str, float | int | None]:
        found = self.grouped(lambda _commune: "all").get("all", {})
        return {key: found.get(key, None if BY_KEY[key].denominator else 0) for key in self.keys}

    @property
    def communes(self) -> dict[str, dict[str, float | int | None]]:
        return self.grouped(lambda commune: commune)


def ratio(numerator: int, denominator: int | None, factor: int) -> float | None:
    return None if not denominator else round(factor * numerator / denominator, 1)


def figures(area: Area, period: Period, keys: list[str] | None = None) -> Figures:
    """Count each wanted indicator once per commune (a numerator shared by two indicators is counted
    once)."""
    wanted = [BY_KEY[key] for key in keys] if keys else INDICATORS
    result = Figures(area=area, period=period, as_of=utcnow(), keys=[indicator.key for indicator in wanted])
    cache: dict[Callable, dict[str, int]] = {}

    def counted(function) -> dict[str, int]:
        if function not in cache:
            cache[function] = function(area, period)
        return cache[function]

    for indicator in wanted:
        top = counted(indicator.numerator)
        bottom = counted(indicator.denominator) if indicator.denominator else None
        for code in set(top) | set(bottom or {}):
            result.parts.setdefault(code, {})[indicator.key] = (
                top.get(code, 0), (bottom.get(code, 0) if bottom is not None else None))
    return result


def scope_clause(area: Area):
    """For callers that list the households behind a figure."""
    return and_(*_households(area))
