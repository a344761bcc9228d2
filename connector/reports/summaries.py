"""Keep the summary rows exact: recount every commune the triggers marked changed.

A commune's rows are recounted whole from the base tables (a few hundred households on average, a
few thousand in the largest communes), by the same definitions as `measures`, and replaced in one
transaction; the marks recounted are deleted in it too, so a change committed meanwhile keeps its
mark for the next run. The "active" rows also move with the calendar: once a day every commune's
run is extended (`HORIZON_DAYS` ahead, so that a late run never leaves today without a row).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from connector.admin_units.models import Commune
from connector.catalogue.models import Product, ProductStatus
from connector.extensions import db
from connector.farmers.models import FarmerSession
from connector.households.models import Household
from connector.logistics.models import Pickup, PickupStatus, Shipment
from connector.logistics.services import VIETNAM, vietnam_now
from connector.marketplaces.models import Listing
from connector.marketplaces.states import ListingState
from connector.orders.models import Order, Receipt
from connector.reports.drawn import figures_changed
from connector.reports.measures import ACTIVE_DAYS, ONBOARDED, PENDING
from connector.reports.models import Training
from connector.reports.summary_tables import (
    FLOWS,
    STATES,
    report_active,
    report_changes,
    report_days,
    report_months,
    report_now,
    report_reasons,
    report_state,
)

HORIZON_DAYS = 2
BATCH = 500  # communes recounted per run: a run stays short however many changes piled up
PACED_BATCH = 5  # communes per transaction in the paced refresh (20 still left half-second stalls under load)
PARCELS = {"received_at_post_office": "parcels_on_the_way", "in_transit": "parcels_on_the_way",
           "delivered": "parcels_delivered", "failed": "parcels_failed_or_returned",
           "returned": "parcels_failed_or_returned"}


def vietnam_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


@dataclass
class CommuneCounts:
    days: dict[date, Counter] = field(default_factory=lambda: defaultdict(Counter))
    now: Counter = field(default_factory=Counter)
    active: dict[date, int] = field(default_factory=dict)
    reasons: Counter = field(default_factory=Counter)  # (marketplace, reason) -> listings


def count_commune(code: str, horizon: date) -> CommuneCounts:
    """Everything the summaries hold for one commune, counted from the base tables."""
    counts = CommuneCounts()
    in_commune = [Household.commune_code == code, Household.status.in_(ONBOARDED), Household.consent_at.is_not(None)]
    for (consent_at,) in db.session.execute(select(Household.consent_at).where(*in_commune)):
        counts.days[vietnam_day(consent_at)]["onboarded"] += 1
    for (first,) in db.session.execute(select(func.min(Training.trained_on)).join(
            Household, Household.id == Training.household_id).where(*in_commune).group_by(Training.household_id)):
        counts.days[first]["trained"] += 1
    _count_products(counts, in_commune)
    _count_orders(counts, in_commune)
    activity: dict[int, set[date]] = defaultdict(set)
    for _commune, household_id, day in activity_rows(in_commune):
        activity[household_id].add(day)
    counts.active = active_by_day(activity, horizon)
    return counts


def activity_rows(clauses: list, since: datetime | None = None):
    """(commune, household, day) of every order, money received and farmer sign-in (what makes a
    household "active") of the households matching `clauses`, from `since`."""
    sources = [
        (Order.created_at, select(Household.commune_code, Order.household_id, Order.created_at)
         .join(Household, Household.id == Order.household_id).where(Order.exception.is_(None))),
        (Receipt.received_at, select(Household.commune_code, Order.household_id, Receipt.received_at)
         .join(Order, Order.id == Receipt.order_id).join(Household, Household.id == Order.household_id)),
        (FarmerSession.created_at, select(Household.commune_code, FarmerSession.household_id, FarmerSession.created_at)
         .join(Household, Household.id == FarmerSession.household_id)),
    ]
    for moment, statement in sources:
        statement = statement.where(*clauses)
        if since is not None:
            statement = statement.where(moment >= since)
        for commune, household_id, at in db.session.execute(statement):
            yield commune, household_id, vietnam_day(at)


def _count_products(counts: CommuneCounts, in_commune: list) -> None:
    products = {product_id: (household_id, stars) for product_id, household_id, stars in db.session.execute(
        select(Product.id, Product.household_id, Product.ocop_stars)
        .join(Household, Household.id == Product.household_id)
        .where(*in_commune, Product.status != ProductStatus.ARCHIVED))}
    live: dict[str, set[int]] = {"postmart": set(), "voso": set()}
    for product_id, marketplace, state, reason in db.session.execute(
            select(Listing.product_id, Listing.marketplace, Listing.state, Listing.reason)
            .where(Listing.product_id.in_(select(Product.id).join(Household, Household.id == Product.household_id)
                                          .where(*in_commune, Product.status != ProductStatus.ARCHIVED)))):
        if marketplace not in live:
            continue
        if state == ListingState.LIVE:
            live[marketplace].add(product_id)
            counts.now[f"listings_live_{marketplace}"] += 1
        elif state in PENDING:
            counts.now[f"listings_pending_{marketplace}"] += 1
        elif state == ListingState.REJECTED:
            counts.now[f"listings_rejected_{marketplace}"] += 1
            if reason is not None:
                counts.reasons[(marketplace, reason)] += 1
    counts.now["products"] = len(products)
    for product_id, (_household, stars) in products.items():
        if stars in (3, 4, 5):
            counts.now[f"ocop_{stars}"] += 1
        if (stars or 0) >= 3:
            counts.now["ocop_3plus"] += 1
            counts.now["ocop_3plus_live_both"] += product_id in live["postmart"] and product_id in live["voso"]
    households = {marketplace: {products[p][0] for p in ids} for marketplace, ids in live.items()}
    counts.now["live_postmart"] = len(households["postmart"])
    counts.now["live_voso"] = len(households["voso"])
    counts.now["live_both"] = len(households["postmart"] & households["voso"])


def _count_orders(counts: CommuneCounts, in_commune: list) -> None:
    for created_at, total in db.session.execute(
            select(Order.created_at, Order.total_vnd).join(Household, Household.id == Order.household_id)
            .where(*in_commune, Order.exception.is_(None))):
        day = vietnam_day(created_at)
        counts.days[day]["orders"] += 1
        counts.days[day]["order_value"] += total
    for received_at, amount, channel in db.session.execute(
            select(Receipt.received_at, Receipt.amount_vnd, Receipt.channel)
            .join(Order, Order.id == Receipt.order_id).join(Household, Household.id == Order.household_id)
            .where(*in_commune)):
        day = vietnam_day(received_at)
        counts.days[day]["received"] += amount
        if channel in ("transfer", "cod", "marketplace"):
            counts.days[day][f"received_{channel}"] += amount
    for created_at, status in db.session.execute(
            select(Order.created_at, Shipment.status).join(Shipment, Shipment.order_id == Order.id)
            .join(Household, Household.id == Order.household_id).where(*in_commune, Order.exception.is_(None))):
        if status in PARCELS:
            counts.days[vietnam_day(created_at)][PARCELS[status]] += 1
    for (created_at,) in db.session.execute(
            select(Order.created_at).join(Pickup, Pickup.order_id == Order.id)
            .join(Household, Household.id == Order.household_id)
            .where(*in_commune, Order.exception.is_(None), Pickup.status == PickupStatus.FLAGGED)):
        counts.days[vietnam_day(created_at)]["pickups_flagged"] += 1


def active_by_day(activity: dict[int, set[date]], horizon: date) -> dict[date, int]:
    """Households active in the 90 days before each day up to `horizon`: a household active on day a
    counts on days a+1 ... a+90. Each household's covered days are merged, then swept once."""
    change: Counter = Counter()
    for days in activity.values():
        covered_until = None
        for day in sorted(days):
            start, end = max(day + timedelta(days=1), covered_until or date.min), day + timedelta(days=ACTIVE_DAYS + 1)
            if start < end:
                change[start] += 1
                change[end] -= 1
                covered_until = end
    result, running, days = {}, 0, sorted(change)
    after_horizon = horizon + timedelta(days=1)
    for index, day in enumerate(days):
        if day > horizon:
            break
        running += change[day]
        until = min(days[index + 1] if index + 1 < len(days) else after_horizon, after_horizon)
        if running:
            for offset in range((until - day).days):
                result[day + timedelta(days=offset)] = running
    return result


def write_commune(code: str, province_code: str, counts: CommuneCounts) -> None:
    """Replace the commune's summary rows with `counts`."""
    for table in (report_days, report_months, report_now, report_active, report_reasons):
        db.session.execute(delete(table).where(table.c.commune_code == code))
    base = {"commune_code": code, "province_code": province_code}
    months: dict[date, Counter] = defaultdict(Counter)
    days = []
    for day, values in counts.days.items():
        months[day.replace(day=1)].update(values)
        days.append({**base, "day": day, **{name: values.get(name, 0) for name in FLOWS}})
    if days:
        db.session.execute(insert(report_days), days)
        db.session.execute(insert(report_months), [
            {**base, "month": month, **{name: values.get(name, 0) for name in FLOWS}}
            for month, values in months.items()])
    if any(counts.now.values()):
        db.session.execute(insert(report_now), [{**base, **{name: counts.now.get(name, 0) for name in STATES}}])
    if counts.active:
        db.session.execute(insert(report_active), [{**base, "day": day, "households": households}
                                                   for day, households in counts.active.items()])
    if counts.reasons:
        db.session.execute(insert(report_reasons), [
            {**base, "marketplace": marketplace, "reason": reason, "listings": listings}
            for (marketplace, reason), listings in counts.reasons.items()])


def recount(codes, horizon: date) -> None:
    provinces = dict(db.session.execute(select(Commune.code, Commune.province_code)
                                        .where(Commune.code.in_(codes))).all())
    for code in codes:
        if code in provinces:
            write_commune(code, provinces[code], count_commune(code, horizon))


def _state(key: str) -> str | None:
    return db.session.scalar(select(report_state.c.value).where(report_state.c.key == key))


def _set_state(key: str, value: str) -> None:
    db.session.execute(delete(report_state).where(report_state.c.key == key))
    db.session.execute(insert(report_state).values(key=key, value=value))


def refresh(batch: int = BATCH) -> int:
    """Recount up to `batch` communes marked changed (and, once a day, every commune, to move the
    "active" rows on). Returns how many communes were recounted. The caller commits."""
    horizon = vietnam_now().date() + timedelta(days=HORIZON_DAYS)
    known = _state("active_horizon")
    if known is None or (horizon - date.fromisoformat(known)).days > 30:
        # Never counted, or stopped for a month: recount every commune with households.
        db.session.execute(insert(report_changes).from_select(
            ["commune_code"], select(Household.commune_code).distinct()))
    elif date.fromisoformat(known) < horizon:
        extend_active(date.fromisoformat(known), horizon)
    if known is None or date.fromisoformat(known) < horizon:
        _set_state("active_horizon", horizon.isoformat())
    # The marks seen now are deleted once their communes are recounted; a mark committed meanwhile
    # stays for the next run (its change may have come too late for this count).
    codes = list(db.session.scalars(select(report_changes.c.commune_code).distinct()
                                    .order_by(report_changes.c.commune_code).limit(batch)))
    ids = list(db.session.scalars(select(report_changes.c.id).where(report_changes.c.commune_code.in_(codes))))
    recount(codes, horizon)
    for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
        db.session.execute(delete(report_changes).where(report_changes.c.id.in_(ids[start:start + 900])))
    if codes or known != horizon.isoformat():
        figures_changed()  # the dashboards draw again (reports/drawn.py)
    return len(codes)


def refresh_paced(batch: int = PACED_BATCH, rest=time.sleep) -> int:
    """Recount every commune marked changed, `batch` at a time, each batch committed, resting as long
    as each batch took before the next (the worker's job; returns how many were recounted). A recount
    runs in one database process at full speed: done in one go after a busy quarter-minute of orders
    it took a whole core of a two-core server for a second or two and every page stalled meanwhile
    (issue 15's load). Resting as long as it worked leaves the pages at least half of that core."""
    total = 0
    while True:
        started = time.monotonic()
        done = refresh(batch)
        db.session.commit()
        total += done
        if done < batch:
            return total
        rest(time.monotonic() - started)


def extend_active(known: date, horizon: date) -> None:
    """Add the "active" rows of the days after `known` up to `horizon` for every commune: only the
    last 90 days' activity is read (a day's figure looks back 90 days), not every commune's history."""
    first = known + timedelta(days=1)
    since = datetime.combine(first - timedelta(days=ACTIVE_DAYS), datetime.min.time(), tzinfo=VIETNAM)
    activity: dict[str, dict[int, set[date]]] = defaultdict(lambda: defaultdict(set))
    onboarded = [Household.status.in_(ONBOARDED), Household.consent_at.is_not(None)]
    for commune, household_id, day in activity_rows(onboarded, since):
        activity[commune][household_id].add(day)
    provinces = dict(db.session.execute(select(Commune.code, Commune.province_code)).all())
    db.session.execute(delete(report_active).where(report_active.c.day >= first))
    rows = [{"commune_code": commune, "province_code": provinces[commune], "day": day, "households": households}
            for commune, by_household in activity.items()
            for day, households in active_by_day(by_household, horizon).items() if day >= first]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(report_active), rows[start:start + 5000])


def refresh_all() -> int:
    """Recount until no mark is left (tests, the scale seed, after a restore)."""
    total = 0
    while True:
        done = refresh()
        total += done
        if not done:
            return total
