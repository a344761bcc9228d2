"""Opening hours per weekday, written the way post offices post them:

    "T2-T6 07:00-17:00; T7 07:00-11:30"      (T2 = Monday ... T7 = Saturday, CN = Sunday)
    "Mon-Fri 07:00-11:30,13:30-17:00; Sat 07:30-11:30"   (English day names are accepted too)

Stored as {"0": [["07:00", "17:00"]], ...} with Monday = "0", as Python's weekday() counts.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

DAY_NAMES = {"t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6,
             "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_RANGE = re.compile(rf"^{_TIME}-{_TIME}$")
# Post offices and commune cultural post offices commonly open Monday to Saturday.
DEFAULT_HOURS = {str(day): [["07:00", "17:00"]] for day in range(6)}


class HoursError(ValueError):
    """The text says what is wrong, in English for logs; the importer words it for users."""


def _days(spec: str) -> list[int]:
    spec = spec.strip().lower()
    if "-" in spec:
        first, last = (part.strip() for part in spec.split("-", 1))
        if first not in DAY_NAMES or last not in DAY_NAMES:
            raise HoursError(f"unknown day in {spec!r}")
        start, end = DAY_NAMES[first], DAY_NAMES[last]
        if end < start:
            raise HoursError(f"days run backwards in {spec!r}")
        return list(range(start, end + 1))
    if spec not in DAY_NAMES:
        raise HoursError(f"unknown day {spec!r}")
    return [DAY_NAMES[spec]]


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """The hours as stored; raises HoursError on anything it cannot read exactly."""
    if not text or not text.strip():
        return dict(DEFAULT_HOURS)
    hours: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        pieces = part.split(None, 1)
        if len(pieces) != 2:
            raise HoursError(f"no times in {part!r}")
        days, ranges = pieces
        intervals = []
        for chunk in ranges.split(","):
            match = _RANGE.match(chunk.strip())
            if not match:
                raise HoursError(f"bad time range {chunk.strip()!r}")
            opens, closes = chunk.strip().split("-")
            if closes <= opens:
                raise HoursError(f"closes before it opens in {chunk.strip()!r}")
            intervals.append([opens, closes])
        for day in _days(days):
            if str(day) in hours:
                raise HoursError(f"day given twice in {part!r}")
            hours[str(day)] = sorted(intervals)
    return hours


def open_on(hours: dict, day: date) -> bool:
    return bool(hours.get(str(day.weekday())))


def open_at(hours: dict, moment: datetime) -> bool:
    now = moment.strftime("%H:%M")
    return any(opens <= now < closes for opens, closes in hours.get(str(moment.weekday()), []))


def closing_time(hours: dict, day: date) -> time | None:
    intervals = hours.get(str(day.weekday()))
    return time.fromisoformat(intervals[-1][1]) if intervals else None


_SHORT_DAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def describe_hours(hours: dict | None) -> str:
    """The stored hours as a post office writes them: "T2-T6 07:00-17:00; T7 07:00-11:30" (days with
    the same hours joined into a run)."""
    runs: list[tuple[int, int, str]] = []
    for day in range(7):
        spans = ",".join(f"{start}-{end}" for start, end in (hours or {}).get(str(day), []))
        if spans and runs and runs[-1][2] == spans and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day, spans)
        elif spans:
            runs.append((day, day, spans))
    return "; ".join(f"{_SHORT_DAYS[first]}{'' if first == last else '-' + _SHORT_DAYS[last]} {spans}"
                     for first, last, spans in runs)
