"""The dashboard's trend: households onboarded by the end of each of the last 12 months or weeks of
the period, read from the summary rows (one grouped statement for months; the weeks add the days
since the last whole month to the months before it)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from connector.reports import summary_read, svg
from connector.reports.measures import Area, Period, onboarding_target

POINTS = 12


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def monthly(area: Area, period: Period) -> list[tuple[str, int]]:
    last = period.last_day.replace(day=1)
    months = [_month_start(last.year, last.month - back) for back in range(POINTS - 1, -1, -1)]
    by_month = summary_read.onboarded_by_month(area, _month_start(last.year, last.month + 1))
    return [(f"T{month.month}/{month.year}", sum(count for start, count in by_month.items() if start <= month))
            for month in months]


def weekly(area: Area, period: Period) -> list[tuple[str, int]]:
    """Onboarded by the end of each of the 12 weeks (of 7 days) ending with the period's last day."""
    first = period.end - timedelta(days=7 * POINTS)
    before = sum(row["onboarded"] for row in summary_read.flows(area, None, first, ["onboarded"]).values())
    by_day = summary_read.onboarded_by_day(area, first, period.end)
    series, running = [], before
    for week in range(POINTS):
        start = first + timedelta(days=7 * week)
        running += sum(by_day.get(start + timedelta(days=offset), 0) for offset in range(7))
        last_day = start + timedelta(days=6)
        series.append((f"{last_day.day}/{last_day.month}", running))
    return series


def trend(area: Area, period: Period, by: str):
    """The chart, against the area's onboarding target (its communes' targets for the period's year)."""
    series = weekly(area, period) if by == "week" else monthly(area, period)
    target = sum(onboarding_target(area, period).values()) or None
    title = _("Households onboarded, week by week") if by == "week" else _("Households onboarded, month by month")
    return svg.trend_chart(series, title=title, target=target, unit=_("households"))
