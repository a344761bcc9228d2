"""`make bench`: latency of the foundation's hot paths, in process, on SQLite and a real redis-server.

Not part of the test run (timings vary by machine); prints p50/p95 per operation.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from redis import Redis

from connector import create_app
from connector.admin_units.services import search_communes, sync_admin_units
from connector.auth.services import create_user, issue_token
from connector.extensions import db

ROUNDS = 300


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure(label: str, operation, rounds: int = ROUNDS) -> None:
    for _ in range(10):  # warm caches and connection pools first
        operation()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<52} p50 {statistics.median(samples):7.2f} ms   p95 {percentile(samples, 0.95):7.2f} ms")


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    binary = Path(sys.executable).parent / "redis-server"
    process = subprocess.Popen(
        [str(binary) if binary.exists() else shutil.which("redis-server"), "--port", str(port),
         "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            Redis.from_url(url).ping()
            break
        except Exception:
            time.sleep(0.05)
    return process, url


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        redis_process, redis_url = start_redis(Path(tmp))
        try:
            app = create_app({
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url,
                "SECRET_KEY": secrets.token_urlsafe(32), "LOGIN_RATE_LIMIT": "100000 per minute",
            })
            with app.app_context():
                upgrade()
                start = time.perf_counter()
                sync_admin_units()
                db.session.commit()
                print(f"{'load 34 provinces + 3,321 communes':<52} {time.perf_counter() - start:7.2f} s")
                user = create_user(username="bench.agent", password="bench-password-1", role="agent",
                                   province_code="44")
                token, _ = issue_token(user)
                db.session.commit()
                measure("search_communes('hai lang') in process", lambda: search_communes("hai lang"))
            client = app.test_client()
            auth = {"Authorization": f"Bearer {token}"}
            measure("GET /login (render)", lambda: client.get("/login"))
            measure("GET /healthz (database + redis)", lambda: client.get("/healthz"))
            measure("GET /api/v1/admin-units/communes?q=hai lang", lambda: client.get(
                "/api/v1/admin-units/communes", query_string={"q": "hai lang"}, headers=auth))
            measure("GET /api/v1/admin-units/provinces/44/communes", lambda: client.get(
                "/api/v1/admin-units/provinces/44/communes", headers=auth))
            measure("POST /api/v1/auth/token (scrypt hash check)", lambda: client.post(
                "/api/v1/auth/token", json={"username": "bench.agent", "password": "bench-password-1"}), rounds=30)
            login_page = client.get("/login").get_data()
            with client.get("/static/app.css") as css:
                print(f"{'login page weight (HTML + CSS)':<52} {(len(login_page) + len(css.data)) / 1024:7.1f} KB")
        finally:
            redis_process.terminate()
            redis_process.wait(timeout=10)


if __name__ == "__main__":
    main()
