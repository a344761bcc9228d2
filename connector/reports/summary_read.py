"""Read the measures from the summary rows: sums per commune over an area and a period.

A period's flows add the month rows of its whole months to the day rows of the days at either edge,
so any range, a year included, reads at most one month row and about sixty day rows per commune.
The figures are exact as of the oldest change not yet recounted (`as_of`), or now when none waits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from connector.admin_units.models import Commune
from connector.db import utcnow
from connector.extensions import db
from connector.reports.measures import MEASURES, Area, Period
from connector.reports.summary_tables import (
    report_active,
    report_changes,
    report_days,
    report_months,
    report_now,
    report_reasons,
)


def _scope(table, area: Area) -> list:
    clauses = []
    if area.province_code:
        clauses.append(table.c.province_code == area.province_code)
    if area.commune_code:
        clauses.append(table.c.commune_code == area.commune_code)
    return clauses


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _sums(table, moment, area: Area, columns: list[str], since: date | None, until: date, into: dict,
          level: str) -> None:
    if since is not None and since >= until:
        return
    clauses = [*_scope(table, area), table.c[moment] < until]
    if since is not None:
        clauses.append(table.c[moment] >= since)
    group = table.c[f"{level}_code"]
    statement = select(group, *[func.sum(table.c[name]) for name in columns]).where(*clauses).group_by(group)
    for code, *values in db.session.execute(statement):
        row = into[code]
        for name, value in zip(columns, values, strict=True):
            row[name] += int(value or 0)


def flows(area: Area, start: date | None, end: date, columns: list[str], level: str = "commune") -> dict[str, Counter]:
    """Per commune (or province), the sums of `columns` over [start, end) (from the beginning when
    start is None)."""
    found: dict[str, Counter] = defaultdict(Counter)
    first_whole = start if start is None or start.day == 1 else _next_month(start)
    last_whole = end.replace(day=1)
    if first_whole is None or first_whole < last_whole:
        _sums(report_months, "month", area, columns, first_whole, last_whole, found, level)
        if start is not None:
            _sums(report_days, "day", area, columns, start, first_whole, found, level)
        _sums(report_days, "day", area, columns, last_whole, end, found, level)
    else:
        _sums(report_days, "day", area, columns, start, end, found, level)
    return found


def states(area: Area, columns: list[str], level: str = "commune") -> dict[str, dict[str, int]]:
    group = report_now.c[f"{level}_code"]
    statement = select(group, *[func.sum(report_now.c[name]) for name in columns]) \
        .where(*_scope(report_now, area)).group_by(group)
    return {code: dict(zip(columns, map(int, values), strict=True)) for code, *values in db.session.execute(statement)}


def active(area: Area, day: date, level: str = "commune") -> dict[str, int]:
    group = report_active.c[f"{level}_code"]
    statement = select(group, func.sum(report_active.c.households)) \
        .where(*_scope(report_active, area), report_active.c.day == day).group_by(group)
    return {code: int(households) for code, households in db.session.execute(statement)}


def by_province(per_commune: dict[str, int]) -> dict[str, int]:
    """A per-commune count summed per province (for the few measures counted directly)."""
    province_of = dict(db.session.execute(select(Commune.code, Commune.province_code)).all())
    found: Counter = Counter()
    for code, value in per_commune.items():
        found[province_of[code]] += value
    return dict(found)


def as_of(area: Area) -> datetime:
    """Every change before this moment is counted: the oldest change of the area still waiting, or now."""
    statement = select(func.min(report_changes.c.marked_at))
    if area.province_code:
        statement = statement.join(Commune, Commune.code == report_changes.c.commune_code) \
            .where(Commune.province_code == area.province_code)
    if area.commune_code:
        statement = statement.where(report_changes.c.commune_code == area.commune_code)
    return db.session.scalar(statement) or utcnow()


def measures(area: Area, period: Period, names: set[str], level: str = "commune") \
        -> tuple[dict[str, dict[str, int]], datetime]:
    """{measure: {commune (or province): value}} for the wanted measures, one statement per kind."""
    moment = as_of(area)
    wanted = {name: MEASURES[name] for name in names}

    def columns(kind: str) -> list[str]:
        return sorted({measure.column for measure in wanted.values() if measure.kind == kind})

    read = {
        "cumulative": flows(area, None, period.end, columns("cumulative"), level) if columns("cumulative") else {},
        "flow": flows(area, period.start, period.end, columns("flow"), level) if columns("flow") else {},
        "now": states(area, columns("now"), level) if columns("now") else {},
    }
    values: dict[str, dict[str, int]] = {}
    for name, measure in wanted.items():
        if measure.kind == "active":
            values[name] = active(area, period.active_end, level)
        elif measure.kind == "direct":
            found = measure.direct(area, period)
            values[name] = by_province(found) if level == "province" else found
        else:
            values[name] = {code: row[measure.column] for code, row in read[measure.kind].items()
                            if row.get(measure.column)}
    return values, moment


def rejection_reasons(area: Area, limit: int = 5) -> list[tuple[str, str, int]]:
    """The commonest reasons the marketplaces gave for refusing the area's listings."""
    total = func.sum(report_reasons.c.listings)
    statement = select(report_reasons.c.marketplace, report_reasons.c.reason, total) \
        .where(*_scope(report_reasons, area)) \
        .group_by(report_reasons.c.marketplace, report_reasons.c.reason) \
        .order_by(total.desc(), report_reasons.c.marketplace, report_reasons.c.reason).limit(limit)
    return [(marketplace, reason, int(count)) for marketplace, reason, count in db.session.execute(statement)]


def onboarded_by_month(area: Area, until: date) -> dict[date, int]:
    """Households onboarded in each month before `until` (a month's first day)."""
    statement = select(report_months.c.month, func.sum(report_months.c.onboarded)) \
        .where(*_scope(report_months, area), report_months.c.month < until).group_by(report_months.c.month)
    return {month: int(count or 0) for month, count in db.session.execute(statement)}


def onboarded_by_day(area: Area, since: date, until: date) -> dict[date, int]:
    statement = select(report_days.c.day, func.sum(report_days.c.onboarded)) \
        .where(*_scope(report_days, area), report_days.c.day >= since, report_days.c.day < until) \
        .group_by(report_days.c.day)
    return {day: int(count or 0) for day, count in db.session.execute(statement)}
