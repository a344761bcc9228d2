"""Issue 3's figures: search over 100,000 households, the list page, page weight, a 10,000-row import."""

from __future__ import annotations

import csv
import io
import random
import re
import time

from sqlalchemy import insert, select

from connector.admin_units.models import Commune
from connector.auth.services import create_user, issue_token
from connector.db import utcnow
from connector.extensions import db
from connector.households.models import Household
from connector.households.services import search_households
from connector.imports.households import COLUMNS
from connector.imports.services import run_import
from connector.text import fold
from tests.benchmarks.harness import measure

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Khánh", "Lan", "Linh", "Mai",
         "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]


def random_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def seed_households(count: int, rng: random.Random) -> None:
    """Insert `count` households spread over every commune (about 3% in province 44)."""
    communes = db.session.execute(select(Commune.code, Commune.province_code, Commune.lat, Commune.lon)).all()
    now = utcnow()
    batch = []
    for number in range(count):
        code, province, lat, lon = rng.choice(communes)
        name = random_name(rng)
        batch.append({
            "head_name": name, "name_key": fold(name), "phone": f"+849{number:08d}", "province_code": province,
            "commune_code": code, "village": "", "address_line": "", "lat": lat, "lon": lon,
            "location_approximate": True, "main_products": "", "status": "active", "created_at": now,
            "updated_at": now, "consent_version": "2026-12", "consent_at": now,
        })
        if len(batch) == 5000:
            db.session.execute(insert(Household), batch)
            batch = []
    if batch:
        db.session.execute(insert(Household), batch)
    db.session.commit()
    analyze()


def analyze() -> None:
    """Refresh planner statistics after a bulk load, as autovacuum would soon do in production."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE households")


def import_file(rows: int, rng: random.Random) -> bytes:
    communes = [code for (code,) in db.session.execute(select(Commune.code).where(Commune.province_code == "44"))]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in COLUMNS])
    for number in range(rows):
        values = {"head_name": random_name(rng), "phone": f"091{number:07d}", "commune_code": rng.choice(communes),
                  "village": "Thôn Một", "main_products": "Lúa", "consent": "có"}
        writer.writerow([values.get(column.field, "") for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def run(app, label: str, households: int = 100_000, import_rows: int = 10_000) -> None:
    rng = random.Random(2025)
    print(f"\n== onboarding on {label}", flush=True)
    with app.app_context():
        start = time.perf_counter()
        seed_households(households, rng)
        print(f"  seeded {households:,} households in {time.perf_counter() - start:.1f} s", flush=True)
        admin = create_user(username="bench.admin", password="bench-password-1", role="admin")
        agent = create_user(username="bench.agent2", password="bench-password-1", role="agent", province_code="44")
        token, _ = issue_token(agent)
        db.session.commit()
        queries = ["nguyen van duc", "tran thi", "hoa", "le minh nam", "pham", "0900012"]
        picks = iter(range(10**9))
        measure(f"search_households, admin, all {households:,}", lambda: search_households(
            admin, queries[next(picks) % len(queries)]), rounds=200)
        measure("search_households, agent, province 44", lambda: search_households(
            agent, queries[next(picks) % len(queries)]), rounds=200)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"csrf_token": csrf, "username": "bench.agent2", "password": "bench-password-1"})
    measure("GET /households?q=... (list page, agent)", lambda: client.get(
        "/households", query_string={"q": queries[next(picks) % len(queries)]}), rounds=200)
    auth = {"Authorization": f"Bearer {token}"}
    measure("GET /api/v1/households?q=... (API, agent)", lambda: client.get(
        "/api/v1/households", query_string={"q": queries[next(picks) % len(queries)]}, headers=auth), rounds=200)
    for path in ("/households", "/households/new"):
        html = client.get(path).get_data()
        linked = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        assets = sum(len(client.get(asset.decode()).data) for asset in linked)
        print(f"  page weight {path:<46} {(len(html) + assets) / 1024:8.1f} KB (HTML + CSS + JS)", flush=True)
    with app.app_context():
        agent = db.session.get(type(agent), agent.id)
        data = import_file(import_rows, rng)
        start = time.perf_counter()
        report = run_import(agent, "households", data)
        db.session.commit()
        elapsed = time.perf_counter() - start
        print(f"  import {import_rows:,} household rows (validate + write): {elapsed:6.1f} s "
              f"({report.imported:,} imported)", flush=True)
        analyze()
        start = time.perf_counter()
        again = run_import(agent, "households", data)
        db.session.commit()
        print(f"  re-import of the same file: {time.perf_counter() - start:6.1f} s ({again.imported} added, "
              f"{again.unchanged:,} already there)", flush=True)
