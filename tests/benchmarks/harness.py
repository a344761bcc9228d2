"""A throw-away app for benchmarks: a fresh SQLite file or PostgreSQL schema, and a redis-server."""

from __future__ import annotations

import contextlib
import secrets
import statistics
import tempfile
import time

from flask_migrate import upgrade

from connector import create_app
from connector.admin_units.services import sync_admin_units
from connector.extensions import db
from tests.helpers import redis_server, schema_of_its_own  # noqa: F401  (redis_server: re-exported for run.py)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure(label: str, operation, rounds: int = 300) -> tuple[float, float]:
    for _ in range(min(10, rounds)):  # warm caches and pools first
        operation()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    print(f"  {label:<58} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms", flush=True)
    return p50, p95


@contextlib.contextmanager
def database(kind: str):
    """("sqlite" | "postgresql") -> a database URL that is dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    with schema_of_its_own(kind, "bench") as url:
        yield url


def make_app(database_url: str, redis_url: str, media_root: str):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(32), "LOGIN_RATE_LIMIT": "100000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "100000 per minute", "PAY_PAGE_RATE_LIMIT": "100000 per minute",
        "MEDIA_ROOT": media_root,
        "INSTANCE_DIR": media_root,
    })
    with app.app_context():
        upgrade()
        sync_admin_units()
        db.session.commit()
    return app
