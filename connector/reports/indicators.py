"""The indicators, each defined once: a numerator, a denominator (or none) and a factor, naming
measures (`measures.MEASURES`), with the targets kept in their own table so a ratio never mixes a
target into a result (the DHIS2 rule).

The dashboards read the measures from the summary rows (`summary_read`), exact as of the oldest
change not yet recounted; `figures(..., source="direct")` counts them over the base tables instead
(the recount job and the benchmarks' baseline). Both group by commune, so that the dashboard's
total, its commune table, its map and its exports are the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from flask_babel import lazy_gettext as _l

from connector.db import utcnow
from connector.reports import summary_read
from connector.reports.measures import MEASURES, Area, Period


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object  # a lazy string
    numerator: str  # a measure
    denominator: str | None = None
    factor: int = 1  # 100 for a percentage
    money: bool = False


INDICATORS: list[Indicator] = [
    Indicator("onboarded", _l("Households onboarded (with consent)"), "onboarded"),
    Indicator("onboarded_share", _l("Onboarded, share of agricultural households"), "onboarded",
              "target_households", 100),
    Indicator("onboarded_vs_target", _l("Onboarded, share of the target"), "onboarded", "onboarding_target", 100),
    Indicator("onboarded_in_period", _l("Households onboarded in the period"), "onboarded_in_period"),
    Indicator("trained", _l("Households trained"), "trained"),
    Indicator("active", _l("Households active in the last 90 days"), "active"),
    Indicator("live_postmart", _l("Households with a live listing on PostMart"), "live_postmart"),
    Indicator("live_voso", _l("Households with a live listing on VoSo"), "live_voso"),
    Indicator("live_both", _l("Households live on both marketplaces"), "live_both"),
    Indicator("listings_live_postmart", _l("Listings live on PostMart"), "listings_live_postmart"),
    Indicator("listings_pending_postmart", _l("Listings waiting for PostMart's review"), "listings_pending_postmart"),
    Indicator("listings_rejected_postmart", _l("Listings refused by PostMart"), "listings_rejected_postmart"),
    Indicator("listings_live_voso", _l("Listings live on VoSo"), "listings_live_voso"),
    Indicator("listings_pending_voso", _l("Listings waiting for VoSo's review"), "listings_pending_voso"),
    Indicator("listings_rejected_voso", _l("Listings refused by VoSo"), "listings_rejected_voso"),
    Indicator("products", _l("Products"), "products"),
    Indicator("ocop_3", _l("OCOP products, 3 stars"), "ocop_3"),
    Indicator("ocop_4", _l("OCOP products, 4 stars"), "ocop_4"),
    Indicator("ocop_5", _l("OCOP products, 5 stars"), "ocop_5"),
    Indicator("ocop_live_both_share", _l("OCOP products of 3 stars or more live on both marketplaces, share"),
              "ocop_3plus_live_both", "ocop_3plus", 100),
    Indicator("orders", _l("Orders"), "orders"),
    Indicator("order_value", _l("Gross order value"), "order_value", money=True),
    Indicator("received", _l("Money received"), "received", money=True),
    Indicator("received_transfer", _l("Received by direct transfer"), "received_transfer", money=True),
    Indicator("received_cod", _l("Received as cash on delivery"), "received_cod", money=True),
    Indicator("received_marketplace", _l("Received from the marketplaces"), "received_marketplace", money=True),
    Indicator("parcels_on_the_way", _l("Parcels handed in or on their way"), "parcels_on_the_way"),
    Indicator("parcels_delivered", _l("Parcels delivered"), "parcels_delivered"),
    Indicator("parcels_failed_or_returned", _l("Parcels not delivered or returned"), "parcels_failed_or_returned"),
    Indicator("pickups_flagged", _l("Parcels no service point could take"), "pickups_flagged"),
    Indicator("points_onboarding", _l("Service points with at least one onboarding in the period"),
              "points_onboarding"),
]
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


@dataclass
class Figures:
    """Every wanted indicator for an area and period, kept as (numerator, denominator) per commune (or
    per province, `level`, for the national view) so that any grouping (the area, a commune, a
    province) is a ratio of sums, never a sum of ratios."""

    area: Area
    period: Period
    as_of: datetime
    keys: list[str] = field(default_factory=list)
    parts: dict[str, dict[str, tuple[int, int | None]]] = field(default_factory=dict)
    level: str = "commune"

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

    # Cached: the page reads the totals once per indicator, and each reading would regroup every
    # commune (3,321 of them nationally).
    @cached_property
    def totals(self) -> dict[str, float | int | None]:
        found = self.grouped(lambda _commune: "all").get("all", {})
        return {key: found.get(key, None if BY_KEY[key].denominator else 0) for key in self.keys}

    @cached_property
    def communes(self) -> dict[str, dict[str, float | int | None]]:
        """Per commune (or per province, when counted per province)."""
        return self.grouped(lambda code: code)


def ratio(numerator: int, denominator: int | None, factor: int) -> float | None:
    return None if not denominator else round(factor * numerator / denominator, 1)


def figures(area: Area, period: Period, keys: list[str] | None = None, source: str = "summary",
            level: str = "commune") -> Figures:
    """Each wanted indicator per commune (or, `level="province"`, per province: the national view
    sums 34 provinces rather than 3,321 communes in Python), every measure read once (a numerator
    shared by two indicators is read once), from the summary rows or counted directly."""
    wanted = [BY_KEY[key] for key in keys] if keys else INDICATORS
    names = {name for indicator in wanted for name in (indicator.numerator, indicator.denominator) if name}
    if source == "summary":
        values, as_of = summary_read.measures(area, period, names, level)
    else:
        values, as_of = {name: MEASURES[name].direct(area, period) for name in names}, utcnow()
        if level == "province":
            values = {name: summary_read.by_province(found) for name, found in values.items()}
    result = Figures(area=area, period=period, as_of=as_of, keys=[indicator.key for indicator in wanted],
                     level=level)
    for indicator in wanted:
        top = values[indicator.numerator]
        bottom = values[indicator.denominator] if indicator.denominator else None
        for code in set(top) | set(bottom or {}):
            result.parts.setdefault(code, {})[indicator.key] = (
                top.get(code, 0), (bottom.get(code, 0) if bottom is not None else None))
    return result
