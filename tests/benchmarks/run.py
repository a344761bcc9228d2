"""`make bench`: the figures the issues ask for, on SQLite and (when reachable) PostgreSQL.

Not part of the test run: timings depend on the machine. BENCH_POSTGRES_URL picks the server
(default postgresql://postgres@127.0.0.1:5432/test; set it empty to skip PostgreSQL);
BENCH_PUBLISHING=0 skips the publishing runs (several minutes);
BENCH_ONLY=payments|logistics|publishing|lighthouse|reports|load runs one part (reports:
BENCH_REPORTS_URL, a database filled by `flask seed scale`, see tests/benchmarks/reports.py; load:
gunicorn in production mode under Locust, see tests/benchmarks/load.py; BENCH_LOAD=0 skips it);
BENCH_LIGHTHOUSE=0 skips Lighthouse (tests/benchmarks/lighthouse.py).
"""

from __future__ import annotations

import os
import tempfile
from functools import partial

import sqlalchemy as sa

from connector.admin_units.services import search_communes
from connector.auth.services import create_user, issue_token
from connector.extensions import db
from tests.benchmarks import lighthouse, load, logistics, onboarding, payments, publishing, reports
from tests.benchmarks.harness import database, make_app, measure, redis_server

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def foundation(app) -> None:
    print("\n== foundation (SQLite)", flush=True)
    with app.app_context():
        user = create_user(username="bench.agent", password="bench-password-1", role="agent", province_code="44")
        token, _ = issue_token(user)
        db.session.commit()
        measure("search_communes('hai lang') in process", lambda: search_communes("hai lang"))
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    measure("GET /login (render)", lambda: client.get("/login"))
    measure("GET /healthz (database + redis)", lambda: client.get("/healthz"))
    measure("GET /api/v1/admin-units/communes?q=hai lang", lambda: client.get(
        "/api/v1/admin-units/communes", query_string={"q": "hai lang"}, headers=auth))
    measure("POST /api/v1/auth/token (scrypt password check)", lambda: client.post(
        "/api/v1/auth/token", json={"username": "bench.agent", "password": "bench-password-1"}), rounds=20)


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    if not url:
        return None
    try:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect():
            pass
        engine.dispose()
        return url
    except Exception:  # noqa: BLE001 - no server: say so and go on with SQLite
        print(f"(PostgreSQL at {url} not reachable: skipped)")
        return None


def main() -> None:
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as media:
        only = os.environ.get("BENCH_ONLY")
        if only == "load":
            load.run(postgres_url())
            return
        if only == "reports":
            reports.run(postgres_url(), redis_url, media, database)
            return
        if only == "publishing":
            pg = postgres_url()
            publishing.run(partial(database, pg or "sqlite"), redis_url, media, products=1000 if pg else 200)
            return
        with database("sqlite") as url:
            app = make_app(url, redis_url, media)
            if only == "lighthouse":
                lighthouse.run(app)
                return
            if only in ("payments", "logistics"):
                if only == "logistics":
                    foundation(app)
                {"payments": payments, "logistics": logistics}[only].run(app)
                return
            foundation(app)
            payments.run(app)
            logistics.run(app)
            onboarding.run(app, "SQLite")
            if os.environ.get("BENCH_LIGHTHOUSE", "1") != "0":
                lighthouse.run(make_app(url, redis_url, media))
        pg = postgres_url()
        if pg:
            with database(pg) as url:
                app = make_app(url, redis_url, media)
                onboarding.run(app, "PostgreSQL")
                with app.app_context():
                    db.engine.dispose()
            reports.run(pg, redis_url, media, database)
            if os.environ.get("BENCH_LOAD", "1") != "0":
                load.run(pg)
        if os.environ.get("BENCH_PUBLISHING", "1") != "0":
            # The issue's scale on PostgreSQL; SQLite (one writer at a time) gets a smaller run.
            publishing.run(partial(database, pg or "sqlite"), redis_url, media, products=1000 if pg else 200)


if __name__ == "__main__":
    main()
