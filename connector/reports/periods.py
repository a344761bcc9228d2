"""The period a report covers: a month, quarter, half-year, year or any range, from the query string."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from connector.errors import ValidationFailed
from connector.logistics.services import vietnam_now
from connector.reports.measures import Period

KINDS = ("month", "quarter", "half", "year", "range")
EARLIEST, LATEST = date(2020, 1, 1), date(2035, 12, 31)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _number(args, name: str, low: int, high: int, default: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed(errors={name: [_("Choose a value from %(low)d to %(high)d.", low=low, high=high)]})
    return int(raw)


def _day(args, name: str) -> date:
    try:
        day = date.fromisoformat((args.get(name) or "").strip())
    except ValueError:
        raise ValidationFailed(errors={name: [_("Write the date as YYYY-MM-DD.")]}) from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed(errors={name: [_("The date must be between 2020 and 2035.")]})
    return day


def period_from(args) -> tuple[str, Period]:
    """("month", Period) etc.; the current month by default."""
    today = vietnam_now().date()
    kind = args.get("period") or ("range" if args.get("from") or args.get("to") else "month")
    if kind not in KINDS:
        raise ValidationFailed(errors={"period": [_("Unknown period.")]})
    if kind == "range":
        start, last = _day(args, "from"), _day(args, "to")
        if last < start:
            raise ValidationFailed(errors={"to": [_("The end date is before the start date.")]})
        return kind, Period(start, last + timedelta(days=1))
    year = _number(args, "year", EARLIEST.year, LATEST.year, today.year)
    if kind == "month":
        month = _number(args, "month", 1, 12, today.month)
        return kind, Period(_month_start(year, month), _month_start(year, month + 1))
    if kind == "quarter":
        quarter = _number(args, "quarter", 1, 4, (today.month - 1) // 3 + 1)
        return kind, Period(_month_start(year, 3 * quarter - 2), _month_start(year, 3 * quarter + 1))
    if kind == "half":
        half = _number(args, "half", 1, 2, 1 if today.month <= 6 else 2)
        return kind, Period(_month_start(year, 6 * half - 5), _month_start(year, 6 * half + 1))
    return kind, Period(date(year, 1, 1), date(year + 1, 1, 1))
