"""The dashboards at scale on PostgreSQL (issue 14): the province and national pages, the same
figures counted directly over the base tables (the baseline, run here too), the monthly XLSX, and
what keeping the summaries costs per change.

BENCH_REPORTS_URL names a database already filled by `flask seed scale` (the issue's million
households take minutes to make; made once, measured often); without it a fresh schema is filled
with BENCH_REPORTS_HOUSEHOLDS households (default 20,000).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from datetime import timedelta

from sqlalchemy import func, select, text

from connector import create_app
from connector.auth.services import create_user
from connector.extensions import db
from connector.households.models import Household
from connector.logistics.services import vietnam_now
from connector.reports import summaries
from connector.reports.indicators import figures
from connector.reports.measures import Area, Period
from connector.seed_scale import seed_scale
from tests.benchmarks.harness import make_app, measure, percentile


def _sign_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": csrf, "username": username, "password": "bench-password-1"})
    return client


def _timed(operation, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _report(label: str, samples: list[float]) -> float:
    p50, p95 = sorted(samples)[len(samples) // 2], percentile(samples, 0.95)
    print(f"  {label:<58} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)
    return p50


def run(pg_url: str | None, redis_url: str, media: str, database) -> None:
    seeded = os.environ.get("BENCH_REPORTS_URL")
    if seeded:
        app = create_app({"SQLALCHEMY_DATABASE_URI": seeded, "REDIS_URL": redis_url,
                          "RATELIMIT_STORAGE_URI": redis_url, "SECRET_KEY": secrets.token_urlsafe(32),
                          "MEDIA_ROOT": media, "INSTANCE_DIR": media})
        _measure(app)
        return
    if not pg_url:
        print("\n== reports: skipped (needs PostgreSQL)")
        return
    with database(pg_url) as url:
        app = make_app(url, redis_url, media)
        with app.app_context():
            print(f"\n== reports: seeding {int(os.environ.get('BENCH_REPORTS_HOUSEHOLDS', '20000')):,} households",
                  flush=True)
            seed_scale(int(os.environ.get("BENCH_REPORTS_HOUSEHOLDS", "20000")))
        _measure(app)
        with app.app_context():
            db.engine.dispose()


def _measure(app) -> None:
    with app.app_context():
        households = db.session.scalar(select(func.count(Household.id)))
        counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - our names
                  for table in ("products", "orders", "order_receipts", "listings")}
        biggest = db.session.execute(select(Household.province_code, func.count()).group_by(Household.province_code)
                                     .order_by(func.count().desc()).limit(1)).one()
        suffix = secrets.token_hex(3)
        admin = create_user(username=f"bench.admin.{suffix}", password="bench-password-1", role="admin")
        officer = create_user(username=f"bench.officer.{suffix}", password="bench-password-1", role="officer",
                              province_code=biggest[0])
        db.session.commit()
        admin_name, officer_name = admin.username, officer.username
    print(f"\n== reports on PostgreSQL: {households:,} households, {counts['products']:,} products, "
          f"{counts['orders']:,} orders, {counts['order_receipts']:,} receipts, {counts['listings']:,} listings; "
          f"largest province {biggest[0]} ({biggest[1]:,} households)", flush=True)
    officer_client, admin_client = _sign_in(app, officer_name), _sign_in(app, admin_name)
    year = vietnam_now().year
    province_page = _report("GET /reports (officer, province, this month)",
                            _timed(lambda: officer_client.get("/reports"), 30))
    _report("GET /reports?period=year (officer, province, this year)",
            _timed(lambda: officer_client.get(f"/reports?period=year&year={year}"), 20))
    national_page = _report("GET /reports (admin, national, this month)",
                            _timed(lambda: admin_client.get("/reports"), 20))
    _report("GET /reports?period=year (admin, national, this year)",
            _timed(lambda: admin_client.get(f"/reports?period=year&year={year}"), 10))
    monthly = _timed(lambda: officer_client.get("/reports/monthly.xlsx"), 5)
    _report("GET /reports/monthly.xlsx (officer, province)", monthly)

    today = vietnam_now().date()
    period = Period(today.replace(day=1), today + timedelta(days=1))
    with app.app_context():
        for label, area, page in (("province", Area(biggest[0]), province_page), ("national", Area(None),
                                                                                  national_page)):
            level = "province" if area.province_code is None else "commune"  # as the page counts
            summary = _report(f"figures({label}) from the summary rows",
                              _timed(lambda area=area, level=level: figures(area, period, level=level), 10))
            direct = _report(f"figures({label}) counted directly over the base tables",
                             _timed(lambda area=area: figures(area, period, source="direct"), 2))
            print(f"  -> {label}: direct count / summary rows = {direct / summary:.0f}x; "
                  f"the whole page {page:.0f} ms against {direct:.0f} ms for the direct count alone", flush=True)
        _maintenance(biggest[0])


def _maintenance(province: str) -> None:
    """What a change costs: the trigger's mark on the write, and recounting the commune afterwards."""
    communes = db.session.execute(select(Household.commune_code, func.count()).group_by(Household.commune_code)
                                  .order_by(func.count())).all()
    median_commune, largest_commune = communes[len(communes) // 2], communes[-1]
    horizon = vietnam_now().date() + timedelta(days=summaries.HORIZON_DAYS)
    for label, (code, size) in (("median", median_commune), ("largest", largest_commune)):
        _report(f"recount one commune ({label}: {size:,} households)",
                _timed(lambda code=code: (summaries.recount([code], horizon), db.session.rollback()), 10))
    order_ids = list(db.session.scalars(text("SELECT id FROM orders ORDER BY id DESC LIMIT 200")))

    def touch(state: list[int]):
        state[0] += 1
        db.session.execute(text("UPDATE orders SET total_vnd = total_vnd + 1 WHERE id = :id"),
                           {"id": order_ids[state[0] % len(order_ids)]})
        db.session.commit()

    marked = _report("UPDATE an order's total, committed (trigger marks the commune)",
                     _timed(lambda state=[0]: touch(state), 200))
    db.session.execute(text("ALTER TABLE orders DISABLE TRIGGER USER"))
    db.session.commit()
    try:
        bare = _report("the same UPDATE without the trigger (baseline)", _timed(lambda state=[0]: touch(state), 200))
    finally:
        db.session.execute(text("ALTER TABLE orders ENABLE TRIGGER USER"))
        db.session.commit()
    print(f"  -> the trigger costs {marked - bare:+.2f} ms per change ({marked / bare:.2f}x the bare write)")
    start = time.perf_counter()
    done = summaries.refresh_all()
    db.session.commit()
    print(f"  refresh after those changes: {done} communes in {(time.perf_counter() - start) * 1000:.0f} ms",
          flush=True)


__all__ = ["run", "measure"]
