"""The summary rows behind the dashboards (issue 14): every change marks its commune in the same
transaction (bulk statements too), a figure waits for the recount and says how old it is, the
"active" rows move with the calendar, and the hourly recount finds and heals a summary gone wrong."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from connector.db import utcnow
from connector.extensions import db
from connector.households.models import Household
from connector.reports import summaries
from connector.reports.indicators import figures
from connector.reports.jobs import recount
from connector.reports.measures import ACTIVE_DAYS, Area, Period
from connector.reports.summary_tables import report_active, report_changes, report_now, report_recounts
from tests.factories import HAI_LANG, make_household, make_order, make_user

THIS_YEAR = Period(date(2026, 1, 1), date(2027, 1, 1))


def onboarded(source: str = "summary") -> int:
    return figures(Area("44"), THIS_YEAR, ["onboarded"], source=source).totals["onboarded"]


def test_a_bulk_change_is_marked_at_once_and_the_figure_says_how_old_it_is(db_session):
    agent = make_user("agent", province_code="44")
    make_household(agent, head_name="Hộ Một")
    make_household(agent, head_name="Hộ Hai")
    summaries.refresh_all()
    assert onboarded() == 2
    assert db.session.scalar(select(func.count()).select_from(report_changes)) == 0

    # A statement that ORM events would never see: the database's trigger marks the commune.
    db.session.execute(update(Household).where(Household.head_name == "Hộ Hai").values(status="archived"))
    marked = db.session.scalars(select(report_changes.c.commune_code)).all()
    assert marked == [HAI_LANG]
    found = figures(Area("44"), THIS_YEAR, ["onboarded"])
    assert found.totals["onboarded"] == 2  # not yet recounted ...
    assert found.as_of <= utcnow()  # ... and the page says since when the figures stand
    assert onboarded("direct") == 1

    assert summaries.refresh() == 1
    assert onboarded() == 1
    assert db.session.scalar(select(func.count()).select_from(report_changes)) == 0


def test_the_recount_finds_a_summary_gone_wrong_reports_it_and_heals_it(db_session):
    agent = make_user("agent", province_code="44")
    household = make_household(agent, head_name="Hộ Ba")
    make_order(household, total=120_000)
    summaries.refresh_all()
    assert recount() is True

    db.session.execute(update(report_now).where(report_now.c.commune_code == HAI_LANG).values(products=99))
    assert recount() is False
    found = db.session.execute(select(report_recounts).order_by(report_recounts.c.id.desc())).first()
    differences = json.loads(found.differences)
    assert {"commune": HAI_LANG, "indicator": "products", "summary": 99, "direct": 1,
            "province": "44"}.items() <= differences[0].items()
    assert HAI_LANG in db.session.scalars(select(report_changes.c.commune_code)).all()  # marked again

    summaries.refresh_all()
    assert recount() is True


def test_active_rows_moved_on_by_the_calendar_equal_a_full_recount(db_session):
    agent = make_user("agent", province_code="44")
    for number in range(3):
        household = make_household(agent, head_name=f"Hộ Hoạt Động {'ABC'[number]}")
        order = make_order(household, total=50_000)
        order.created_at = utcnow() - timedelta(days=30 * number + 1)
    db.session.flush()
    horizon = summaries.vietnam_now().date() + timedelta(days=summaries.HORIZON_DAYS)
    summaries.recount([HAI_LANG], horizon)
    whole = db.session.execute(select(report_active.c.day, report_active.c.households)
                               .where(report_active.c.commune_code == HAI_LANG)).all()

    summaries.recount([HAI_LANG], horizon - timedelta(days=40))
    summaries.extend_active(horizon - timedelta(days=40), horizon)
    moved_on = db.session.execute(select(report_active.c.day, report_active.c.households)
                                  .where(report_active.c.commune_code == HAI_LANG)).all()
    assert sorted(moved_on) == sorted(whole) and len(whole) > 40


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, 5), st.sets(st.integers(0, 300), min_size=1, max_size=6), max_size=5),
       st.integers(0, 400))
def test_active_by_day_counts_each_household_once_in_the_90_days_before(activity_offsets, horizon_offset):
    start = date(2026, 1, 1)
    activity = {household: {start + timedelta(days=offset) for offset in offsets}
                for household, offsets in activity_offsets.items()}
    horizon = start + timedelta(days=horizon_offset)
    found = summaries.active_by_day(activity, horizon)
    for offset in range(horizon_offset + 1):
        day = start + timedelta(days=offset)
        expected = sum(1 for days in activity.values()
                       if any(day - timedelta(days=ACTIVE_DAYS) <= active < day for active in days))
        assert found.get(day, 0) == expected, day


def test_a_household_deleted_with_its_rows_leaves_no_figure_behind(db_session):
    agent = make_user("agent", province_code="44")
    household = make_household(agent, head_name="Hộ Bốn")
    summaries.refresh_all()
    assert onboarded() == 1
    db.session.execute(delete(Household).where(Household.id == household.id))
    summaries.refresh_all()
    assert onboarded() == 0 == onboarded("direct")


def test_a_burst_of_changes_is_recounted_a_few_communes_at_a_time_with_rests_between(db_session):
    """Issue 15's load: every 15 s the worker recounted every commune that had taken an order, in one
    go, and its database process took a whole core for a second or two: every page stalled meanwhile
    (p95 0.44 s; 0.18 s with no recount). The job now recounts a batch at a time, each committed, and
    rests as long as the batch took, so pages keep at least half of that core."""
    from connector.admin_units.models import Commune

    agent = make_user("agent", province_code="44")
    make_household(agent, head_name="Hộ Bốn")
    summaries.refresh_all()
    codes = db.session.scalars(select(Commune.code).where(Commune.province_code == "44")
                               .order_by(Commune.code).limit(45)).all()
    db.session.execute(report_changes.insert(), [{"commune_code": code} for code in codes])
    rests: list[float] = []
    assert summaries.refresh_paced(batch=20, rest=rests.append) == 45
    assert len(rests) == 2 and all(seconds > 0 for seconds in rests)
    assert db.session.scalar(select(func.count()).select_from(report_changes)) == 0
    assert onboarded() == 1
