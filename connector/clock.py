"""The time and the date in Vietnam. Servers keep UTC; from 17:00 UTC it is already the next day in
Vietnam, and every "today" a person sees or a rule counts (a certificate's last day, a report's
period, a pickup day) is Vietnam's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_now() -> datetime:
    return datetime.now(VIETNAM)


def vietnam_today() -> date:
    return vietnam_now().date()
