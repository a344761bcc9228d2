"""The reports' background work: keep the summary rows up to date (every dispatcher tick, so that
no figure is more than a minute old), and check them against a direct count (hourly)."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import insert, select

from connector.admin_units.models import Commune
from connector.db import utcnow
from connector.extensions import db
from connector.jobs import job
from connector.jobs.base import enqueue_singleton
from connector.jobs.registry import declare_queue, periodic
from connector.logistics.services import vietnam_now
from connector.redis_client import get_redis
from connector.reports import summaries
from connector.reports.indicators import figures
from connector.reports.measures import Area, Period
from connector.reports.summary_tables import report_changes, report_recounts

log = logging.getLogger(__name__)

REPORTS = declare_queue("reports", "keep the dashboards' summary rows up to date and check them", rank=80)
RECOUNT_EVERY_SECONDS = 3600
_LAST_RECOUNT_KEY = "connector:reports:recounted"
MAX_DIFFERENCES = 200  # kept per recount: enough to see the pattern, never a flood


@periodic("report summaries")
def run_periodic() -> None:
    try:
        enqueue_singleton(REPORTS, "connector.reports.jobs.refresh_summaries_job", job_id="refresh-report-summaries",
                          description="recount the communes whose figures changed")
        if get_redis().set(_LAST_RECOUNT_KEY, 1, nx=True, ex=RECOUNT_EVERY_SECONDS):
            enqueue_singleton(REPORTS, "connector.reports.jobs.recount_job", job_id="recount-report-summaries",
                              description="check the summary rows against a direct count")
    except RedisError:
        log.warning("Redis unavailable: report summaries not refreshed this time")


@job(REPORTS, timeout=600)
def refresh_summaries_job() -> int:
    return summaries.refresh_paced()


@job(REPORTS, timeout=3600)
def recount_job() -> bool:
    return recount()


def recount() -> bool:
    """Compare every summary figure with a direct count over the base tables, in one snapshot (so a
    change made meanwhile cannot look like a difference), for every commune without a change still
    waiting; record what differs for the problems page and mark those communes for recounting."""
    started = time.monotonic()
    if db.session.get_bind().dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    waiting = set(db.session.scalars(select(report_changes.c.commune_code).distinct()))
    today = vietnam_now().date()
    periods = [Period(today.replace(day=1), today + timedelta(days=1)),  # the month so far: month rows
               Period(today - timedelta(days=9), today + timedelta(days=1))]  # ten days: day rows
    differences, checked = [], set()
    for period in periods:
        summary = figures(Area(None), period).communes
        direct = figures(Area(None), period, source="direct").communes
        for code in sorted((set(summary) | set(direct)) - waiting):
            checked.add(code)
            for key in sorted(set(summary.get(code, {})) | set(direct.get(code, {}))):
                have, want = summary.get(code, {}).get(key), direct.get(code, {}).get(key)
                if (have or 0) != (want or 0):
                    differences.append({"commune": code, "indicator": key, "from": period.start.isoformat(),
                                        "summary": have, "direct": want})
    provinces = dict(db.session.execute(select(Commune.code, Commune.province_code)).all())
    for difference in differences:
        difference["province"] = provinces.get(difference["commune"])
    if differences:
        log.error("report summaries differ from a direct count in %d places; those communes are recounted",
                  len(differences))
        db.session.execute(insert(report_changes), [{"commune_code": code}
                                                    for code in sorted({d["commune"] for d in differences})])
    db.session.execute(insert(report_recounts).values(
        checked_at=utcnow(), communes=len(checked), seconds=round(time.monotonic() - started), ok=not differences,
        differences=json.dumps(differences[:MAX_DIFFERENCES], ensure_ascii=False)))
    return not differences
