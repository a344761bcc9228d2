"""Load (issue 15): the connector in production mode under a province's day, and its pages' cost
against a bare Flask endpoint. A benchmark, not a test: `BENCH_ONLY=load make bench`, or alone
`.venv/bin/python -m tests.benchmarks.load`.

What runs, as subprocesses on this machine (tests/system/stack.py starts them):
- a redis-server of its own and a fresh schema on PostgreSQL (BENCH_POSTGRES_URL, default the local
  `test` database), prepared as a release would (`flask db upgrade`, `admin-units sync`,
  `service-points generate --province 44`) and filled by `flask seed scale --province 44`
  (BENCH_LOAD_HOUSEHOLDS, default 500: about 1,500 products and 2,500 orders), then staff accounts,
  farmers' sign-in links (what the handover sheet prints) and stock for the products sold;
- the Procfile's `web` command (gunicorn, WEB_CONCURRENCY sync workers, default 2, access log) with
  CONNECTOR_ENV=production, real-looking secrets and the outside systems at their real addresses
  (unreachable from here: the jobs' outgoing calls fail and are retried at the production pace, which
  costs the worker some CPU that real answers would not),
  behind an imagined TLS proxy: PROXY_FIX_X_FOR=1, every request says X-Forwarded-Proto: https and
  X-Forwarded-For its user's address, so Secure cookies, CSRF's HTTPS referer check and the
  per-address limits work as in production; the Procfile's `worker` (RQ), which takes the orders in;
- the same gunicorn command serving tests/benchmarks/bare_flask.py, the yardstick.

Then:
1. Locust (tests/benchmarks/locustfile.py) with BENCH_LOAD_USERS (default 200) agents, farmers and
   officers (8:10:2), arriving BENCH_LOAD_SPAWN_RATE a second (10) and signing in, then
   BENCH_LOAD_SETTLE_SECONDS (10) for the sign-ins' backlog to clear; then the measured
   BENCH_LOAD_SECONDS (60), the marketplace sending BENCH_LOAD_WEBHOOKS (default 1,000) signed order
   webhooks at an even pace over the first 85% of it whatever the answers' speed (an open loop),
   every 20th twice. Meanwhile the CPU each part of the machine uses (from /proc) and each request's
   time inside gunicorn (its access log). Then each webhook's order must be stored exactly once
   (counted in the database once the worker is done), and the worker is stopped.
2. Closed loops (Locust's ClosedLoop user, BENCH_LOAD_CONCURRENCY at once, default 8, for
   BENCH_LOAD_RATIO_SECONDS each, default 8): bare Flask, the login form, /healthz, the farmer's
   Today page, the agent's household list and the households API, BENCH_LOAD_ROUNDS times (default
   3). Each page's throughput over bare Flask's, and the gunicorn workers' CPU per request (from
   /proc), which does not depend on what else the machine runs.
3. With BENCH_LOAD_PROFILE=1, cProfile of the three pages in a test client on the same data.
"""

from __future__ import annotations

import cProfile
import csv
import io
import json
import os
import pstats
import re
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from connector.config import PROJECT_ROOT, normalise_database_url
from tests.helpers import free_port, schema_of_its_own
from tests.system.stack import BIN, TEST_CLOCKS, Stack
from tests.test_config import PRODUCTION

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PROVINCE = "44"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TARGETS = {"GET /farmer/ (Today)": 0.25, "GET /households": 0.15, "GET /api/v1/households": 0.15}


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# -- the system ------------------------------------------------------------------------------------
def procfile_command(process: str) -> str:
    for line in (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{process}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(process)


def production_env(stack: Stack, secret_key: str, workers: int) -> dict:
    env = {**PRODUCTION, "SECRET_KEY": secret_key, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url,
           "PROXY_FIX_X_FOR": "1", "WEB_CONCURRENCY": str(workers),
           # Web and worker share this machine: the README's advice for that case.
           "WORKER_NICENESS": os.environ.get("WORKER_NICENESS", "10")}
    for name in (*TEST_CLOCKS, "WORKER_LOG_LEVEL", "SANDBOX_URL"):
        stack.env.pop(name, None)  # the worker's production clocks and retry pace; no sandbox anywhere
    return env


def start_gunicorn(stack: Stack, name: str, app_spec: str | None, ready_path: str) -> str:
    """The Procfile's web command as it stands (optionally serving another app) on a free port."""
    port = free_port()
    command = procfile_command("web")
    if app_spec:
        command = command.replace('"connector:create_app()"', shlex.quote(app_spec))
    stack.env["PORT"] = str(port)
    stack._spawn(name, ["bash", "-c", f"exec {command}"])
    url = f"http://127.0.0.1:{port}"
    stack._wait_for(lambda: Stack._answers(url + ready_path), name)
    return url


def cpu_by_part(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) so far of every process on the machine, summed by the part it
    belongs to: the descendants of each named root process, PostgreSQL's and Redis's server processes,
    Locust, and the rest. Reaped children count through their parent's cumulative fields."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue  # ended meanwhile
            fields = tail.split()
            stats[int(entry.name)] = (head.split("(", 1)[1], int(fields[1]),
                                      sum(int(v) for v in fields[11:15]) / tick)  # comm, ppid, CPU
    owners = {pid: name for name, pid in roots.items()}

    def part(pid: int) -> str:
        seen = pid
        while seen in stats:
            if seen in owners:
                return owners[seen]
            seen = stats[seen][1]
        comm = stats[pid][0]
        if comm.startswith("postgres"):
            return "postgresql"
        return "locust" if comm.startswith("locust") else ("redis" if comm.startswith("redis") else "other")

    totals: dict[str, float] = {}
    for pid, (_, _, cpu) in stats.items():
        totals[part(pid)] = totals.get(part(pid), 0.0) + cpu
    return totals


def worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of a gunicorn master's workers so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# -- what the users need -----------------------------------------------------------------------------
def prepare(stack: Stack, secret_key: str, households: int, farmers: int, folder: Path) -> dict:
    for command in (["db", "upgrade"], ["admin-units", "sync"], ["service-points", "generate", "--province", PROVINCE],
                    ["seed", "scale", "--households", str(households), "--province", PROVINCE]):
        started = time.perf_counter()
        stack.flask(*command)
        print(f"  flask {' '.join(command):<52} {time.perf_counter() - started:6.1f} s", flush=True)
    from connector import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(stack.database_url),
                      "REDIS_URL": stack.redis_url, "SECRET_KEY": secret_key,
                      "INSTANCE_DIR": str(folder / "instance"), "MEDIA_ROOT": str(folder / "media")})
    with app.app_context():
        fixture = make_fixture(farmers)
        from connector.extensions import db

        db.engine.dispose()
    return fixture


def make_fixture(farmers: int) -> dict:
    from sqlalchemy import func, select, update

    from connector.auth.services import create_user
    from connector.catalogue.models import Product, ProductStatus
    from connector.extensions import db
    from connector.farmers.links import issue_link
    from connector.households.models import Household, HouseholdStatus
    from connector.households.views import PER_PAGE
    from connector.marketplaces.models import Listing
    from connector.orders.models import Order

    password = f"Tai-{secrets.token_hex(6)}-Ai"
    agents = [create_user(username=f"load.agent{i}", password=password, role="agent", province_code=PROVINCE,
                          full_name=f"Nhân Viên Bưu Điện {i}") for i in range(10)]
    for i in range(3):
        create_user(username=f"load.officer{i}", password=password, role="officer", province_code=PROVINCE,
                    full_name=f"Cán Bộ Tỉnh {i}")
    active = select(Household.id).where(Household.status == HouseholdStatus.ACTIVE)
    visible = db.session.scalar(select(func.count(Household.id)).where(Household.status != HouseholdStatus.ARCHIVED))
    with_orders = list(db.session.scalars(active.where(Household.id.in_(select(Order.household_id)))
                                          .order_by(func.random()).limit(farmers)))
    links = [issue_link(agents[0], db.session.get(Household, household_id)) for household_id in with_orders]
    listed = list(db.session.execute(
        select(Product.id, Product.price_vnd).join(Listing, (Listing.product_id == Product.id)
                                                   & (Listing.marketplace == "postmart") & (Listing.state == "live"))
        .join(Household, Household.id == Product.household_id)
        .where(Product.status == ProductStatus.ACTIVE, Household.status == HouseholdStatus.ACTIVE)
        .order_by(func.random()).limit(300)))
    # A farmer with enough in stock for the day's orders (seed scale's stock is 0-100).
    db.session.execute(update(Product).where(Product.id.in_([p for p, _ in listed])).values(stock=100_000))
    db.session.commit()
    names = [f"quy mo {n}" for n in range(1, 100, 7)] + ["Quy Mô 3", "hộ quy mô 12"]
    return {
        "agents": [{"username": f"load.agent{i}", "password": password} for i in range(10)],
        "officers": [{"username": f"load.officer{i}", "password": password} for i in range(3)],
        "links": links, "households": list(db.session.scalars(active.order_by(func.random()).limit(300))),
        "pages": max(1, -(-visible // PER_PAGE)), "searches": names,
        "products": [{"id": p, "price": price} for p, price in listed], "run": f"LOAD{secrets.token_hex(3)}",
        "webhook_secret": PRODUCTION["POSTMART_WEBHOOK_SECRET"], "visible_households": visible,
    }


# -- Locust ------------------------------------------------------------------------------------------
def locust(host: str, users: int, spawn_rate: int, seconds: int, classes: list[str], env: dict, folder: Path,
           label: str, reset_stats: bool = True) -> list[dict]:
    """Locust for `seconds` once every user has started (and signed in): the ramp's figures are reset
    (or, reset_stats=False, the locustfile resets them itself once the users have settled)."""
    prefix = folder / label
    ramp = -(-users // spawn_rate)
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(spawn_rate),
               "-t", f"{ramp + seconds}s", *(["--reset-stats"] if reset_stats else []), "--host", host, "--csv",
               str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING", *classes]
    done = subprocess.run(command, env={**os.environ, **env}, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=seconds + 180)
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        raise RuntimeError(f"locust did not finish: {done.stderr[-3000:]}")
    errors = Path(f"{prefix}_failures.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    failures = list(csv.DictReader(errors.open(encoding="utf-8"))) if errors.exists() else []
    for failure in failures[:10]:
        print(f"    failure: {failure['Method']} {failure['Name']}: {failure['Error'][:160]} "
              f"x{failure['Occurrences']}")
    return rows


def row_figures(row: dict) -> dict:
    def ms(value: str) -> float:
        return float("nan") if value == "N/A" else float(value)  # Locust's "N/A": no request of that kind

    return {"name": row["Name"], "count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]), "p50": ms(row["50%"]), "p95": ms(row["95%"]), "p99": ms(row["99%"])}


def mixed_load(web: str, fixture_path: Path, folder: Path, seconds: int, users: int, webhooks: int,
               roots: dict[str, int]) -> tuple:
    """The mixed minute's figures per request, the ramp's, the orders answered 200, and the CPU each
    part of the machine used in the measured seconds (read from /proc once all users are in)."""
    senders = 1  # one Locust user sending at an even pace, each delivery in its own greenlet (an open loop)
    spawn_rate, settle = setting("BENCH_LOAD_SPAWN_RATE", 10), setting("BENCH_LOAD_SETTLE_SECONDS", 10)
    cpu: dict[str, float] = {}
    served: list[tuple[int, str]] = []  # each request's time inside gunicorn and path (its access log)

    access_log = folder / "logs" / "web.log"

    def measure_cpu():
        time.sleep(-(-(users + senders) // spawn_rate) + settle + 1)  # Locust's ramp, the settling, a second more
        before, log_from = cpu_by_part(roots), access_log.stat().st_size
        time.sleep(seconds - 2)
        after, log_to = cpu_by_part(roots), access_log.stat().st_size
        cpu.update({part: after.get(part, 0.0) - before.get(part, 0.0) for part in after})
        cpu["wall"] = seconds - 2
        with access_log.open("rb") as log:
            log.seek(log_from)
            served.extend((int(ms), path.decode()) for path, ms in re.findall(
                rb'"(\S+ \S+)" \d{3} \S+ (\d+)ms$', log.read(log_to - log_from), re.M))

    meter = threading.Thread(target=measure_cpu, daemon=True)
    meter.start()
    sent_path = folder / "sent.json"
    env = {"LOAD_FIXTURE": str(fixture_path), "LOAD_SENT": str(sent_path), "LOAD_WEBHOOKS": str(webhooks),
           "LOAD_WEBHOOK_PACING": f"{0.85 * seconds / webhooks:.4f}"}
    ramp_path = folder / "ramp.json"
    env["LOAD_RAMP"] = str(ramp_path)
    env["LOAD_SETTLE_SECONDS"] = str(settle)
    env["LOAD_TIMELINE"] = str(folder / "timeline.json")
    rows = locust(web, users + senders, spawn_rate, settle + seconds,
                  ["Agent", "Farmer", "Officer", "Marketplace"], env, folder, "mixed", reset_stats=False)
    meter.join()
    sent = json.loads(sent_path.read_text()) if sent_path.exists() else []
    ramp = json.loads(ramp_path.read_text()) if ramp_path.exists() else []
    timeline_path = folder / "timeline.json"
    timeline = json.loads(timeline_path.read_text()) if timeline_path.exists() else []
    return [row_figures(row) for row in rows], [row_figures(row) for row in ramp], sent, cpu, served, timeline


def print_slowest_seconds(timeline: list[list], shown: int = 5) -> None:
    """The seconds of the measured minute whose requests were slowest (by their p95): a stall that
    comes back at a fixed period points at a periodic task."""
    if not timeline:
        return
    first = min(start for start, _name, _ms in timeline)
    by_second: dict[int, list[float]] = {}
    for start, _name, ms in timeline:
        by_second.setdefault(int(start - first), []).append(ms)
    p95 = {second: sorted(times)[int(0.95 * (len(times) - 1))] for second, times in by_second.items()
           if len(times) >= 10}
    worst = sorted(p95, key=p95.get, reverse=True)[:shown]
    print("  the slowest seconds (from the start of the measured part, p95 of requests begun in it): " + ", ".join(
        f"{second} s: {p95[second]:.0f} ms" for second in sorted(worst)))


def print_served(served: list[tuple[int, str]]) -> None:
    if len(served) >= 20:
        cuts = statistics.quantiles([ms for ms, _path in served], n=100)
        print(f"\n  inside the web processes (gunicorn's access log, {len(served)} requests of the measured seconds): "
              f"p50 {cuts[49]:.0f}, p95 {cuts[94]:.0f}, p99 {cuts[98]:.0f} ms; the rest of Locust's figures is the "
              "wait for a free web process and Locust's own. The slowest: " + ", ".join(
                  f"{path} {ms} ms" for ms, path in sorted(served, reverse=True)[:6]))


def print_cpu(cpu: dict[str, float]) -> None:
    wall = cpu.pop("wall", 0) or 1
    shares = ", ".join(f"{part} {seconds / wall:.2f}" for part, seconds in
                       sorted(cpu.items(), key=lambda item: -item[1]) if seconds / wall >= 0.005)
    print(f"\n  CPU in the measured seconds, in cores (the machine has {os.cpu_count()}): {shares}; "
          f"in all {sum(cpu.values()) / wall:.2f}")


def print_mixed(figures: list[dict], heading: str, targets: bool = True) -> None:
    print(f"\n  {heading}")
    print(f"\n  {'request':<44} {'count':>7} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for f in sorted(figures, key=lambda f: (f["name"] == "Aggregated", f["name"])):
        flag = "" if not targets or f["name"] == "Aggregated" or (f["p95"] < 300 and not f["failures"]) \
            else "  <- over target"
        print(f"  {f['name']:<44} {f['count']:>7} {f['failures']:>6} {f['rps']:>7.1f} {f['p50']:>6.0f} "
              f"{f['p95']:>6.0f} {f['p99']:>6.0f}{flag}")


def orders_stored(database_url: str, run: str, sent: list[str], timeout: float = 300.0) -> dict:
    """Wait for the worker to take every sent order in; count each one's rows."""
    engine = sa.create_engine(normalise_database_url(database_url))
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                counts = dict(connection.execute(sa.text(
                    "SELECT remote_order_id, count(*) FROM orders WHERE marketplace = 'postmart' "
                    "AND remote_order_id LIKE :run GROUP BY remote_order_id"), {"run": f"{run}-%"}).all())
                events = connection.scalar(sa.text(
                    "SELECT count(*) FROM marketplace_events WHERE event_id LIKE :run"), {"run": f"ev-{run}-%"})
                problems = connection.scalar(sa.text(
                    "SELECT count(*) FROM orders WHERE remote_order_id LIKE :run AND exception IS NOT NULL"),
                    {"run": f"{run}-%"})
            if len(counts) >= len(sent) or time.monotonic() > deadline:
                return {"orders": counts, "events": events, "with_problem": problems}
            time.sleep(1)
    finally:
        engine.dispose()


# -- ratios to bare Flask ----------------------------------------------------------------------------
def sign_in(web: str, fixture: dict, link: str) -> dict:
    """Headers of a signed-in agent and officer (cookies), a farmer (cookie) and an API client (bearer)."""
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.250.0.1", "Accept-Language": "vi"}
    host = web.split("://", 1)[1]

    def cookie_after_form(path: str, form: dict) -> str:
        with requests.Session() as browser:
            page = browser.get(web + path, headers=proxy, allow_redirects=False)
            token = CSRF.search(page.text).group(1)
            cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
            answer = browser.post(web + path, data={**form, "csrf_token": token}, allow_redirects=False,
                                  headers={**proxy, "Cookie": cookie, "Referer": f"https://{host}{path}"})
            assert answer.status_code == 302, (path, answer.status_code)
            return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)

    agent = fixture["agents"][0]
    token = requests.post(web + "/api/v1/auth/token", json=agent, headers=proxy, timeout=10).json()["token"]
    return {"agent": {**proxy, "Cookie": cookie_after_form("/login", agent)},
            "officer": {**proxy, "Cookie": cookie_after_form("/login", fixture["officers"][0])},
            "farmer": {**proxy, "Cookie": cookie_after_form(f"/farmer/qr/{link}", {})},
            "api": {**proxy, "Authorization": f"Bearer {token}"}}


def closed_loop(host: str, path: str, headers: dict, master_pid: int, folder: Path, label: str) -> dict:
    seconds, concurrency = setting("BENCH_LOAD_RATIO_SECONDS", 8), setting("BENCH_LOAD_CONCURRENCY", 8)
    before = worker_cpu_seconds(master_pid)
    rows = locust(host, concurrency, concurrency, seconds, ["ClosedLoop"],
                  {"LOAD_PATH": path, "LOAD_HEADERS": json.dumps(headers)}, folder, label)
    cpu = worker_cpu_seconds(master_pid) - before
    total = next(row for row in rows if row["Name"] == "Aggregated")
    figures = row_figures(total)
    figures["cpu_ms"] = 1000 * cpu / max(1, figures["count"])
    return figures


def ratios(web: str, bare: str, masters: dict, credentials: dict, folder: Path, rounds: int) -> None:
    pages = [("bare Flask GET /", bare, "/", {}, "bare"),
             ("GET /login (form)", web, "/login", credentials["api"] | {"Authorization": ""}, "web"),
             ("GET /healthz", web, "/healthz", {}, "web"),
             ("GET /farmer/ (Today)", web, "/farmer/", credentials["farmer"], "web"),
             ("GET /households", web, "/households", credentials["agent"], "web"),
             ("GET /api/v1/households", web, "/api/v1/households", credentials["api"], "web"),
             ("GET /reports (officer)", web, "/reports", credentials["officer"], "web")]
    results: dict[str, list[dict]] = {label: [] for label, *_ in pages}
    for round_number in range(rounds):
        for label, host, path, headers, server in pages:
            headers = {k: v for k, v in headers.items() if v}
            results[label].append(closed_loop(host, path, headers, masters[server], folder,
                                              f"ratio{round_number}_{len(results[label])}_{server}"))
        bare_rps = results["bare Flask GET /"][-1]["rps"]
        print(f"  round {round_number + 1}: bare Flask {bare_rps:.0f} req/s; " + ", ".join(
            f"{label} {results[label][-1]['rps'] / bare_rps:.3f}" for label, *_ in pages[1:]), flush=True)
    concurrency = setting("BENCH_LOAD_CONCURRENCY", 8)
    print(f"\n  closed loop, {concurrency} at once, {setting('BENCH_LOAD_RATIO_SECONDS', 8)} s each, {rounds} rounds "
          "(median [min-max] over rounds)")
    print(f"  {'request':<26} {'req/s':>18} {'ratio to bare':>22} {'p50/p95 ms':>11} {'worker CPU ms/req':>24}"
          f" {'errors':>6}  target")
    for label, *_ in pages:
        runs = results[label]
        shares = [run["rps"] / bare["rps"] for run, bare in zip(runs, results["bare Flask GET /"], strict=True)]
        rps = [run["rps"] for run in runs]
        cpu = [run["cpu_ms"] for run in runs]
        target = TARGETS.get(label)
        met = target is not None and statistics.median(shares) >= target
        verdict = "" if target is None else f">= {target}: {'met' if met else 'NOT met'}"
        p50, p95 = statistics.median(run["p50"] for run in runs), statistics.median(run["p95"] for run in runs)
        print(f"  {label:<26} {statistics.median(rps):>7.0f} [{min(rps):>4.0f}-{max(rps):>4.0f}] "
              f"{statistics.median(shares):>9.3f} [{min(shares):.3f}-{max(shares):.3f}] "
              f"{p50:>4.0f}/{p95:<5.0f} "
              f"{statistics.median(cpu):>8.2f} [{min(cpu):5.2f}-{max(cpu):5.2f}] "
              f"{sum(run['failures'] for run in runs):>7}  {verdict}")


# -- where the time goes -----------------------------------------------------------------------------
def profile_pages(stack: Stack, secret_key: str, fixture: dict, link: str, folder: Path) -> None:
    """cProfile of each page, rendered 200 times by a test client against the same database."""
    from connector import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(stack.database_url),
                      "REDIS_URL": stack.redis_url, "SECRET_KEY": secret_key,
                      "INSTANCE_DIR": str(folder / "instance"), "MEDIA_ROOT": str(folder / "media")})
    agent, farmer = app.test_client(), app.test_client()

    def post_form(client, path: str, form: dict):
        token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)
        return client.post(path, data={**form, "csrf_token": token})

    assert post_form(agent, "/login", fixture["agents"][1]).status_code == 302
    assert post_form(farmer, f"/farmer/qr/{link}", {}).status_code == 302
    token = agent.post("/api/v1/auth/token", json=fixture["agents"][1]).get_json()["token"]
    for label, client, path, headers in (("farmer Today", farmer, "/farmer/", {}),
                                         ("household list", agent, "/households", {}),
                                         ("households API", agent, "/api/v1/households",
                                          {"Authorization": f"Bearer {token}"})):
        for _ in range(20):
            assert client.get(path, headers=headers).status_code == 200
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        for _ in range(200):
            client.get(path, headers=headers)
        profiler.disable()
        print(f"\n  -- {label} ({path}): {(time.process_time() - started) / 200 * 1000:.2f} ms CPU per request "
              "in this process, profiler included; top by own time:")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
        print("\n".join("    " + line for line in out.getvalue().splitlines()[6:]))
    with app.app_context():
        from connector.extensions import db

        db.engine.dispose()


# -- the run -----------------------------------------------------------------------------------------
def run(postgres_url: str | None) -> None:
    print("\n== load (issue 15): gunicorn in production mode, PostgreSQL, Redis, RQ worker; Locust on loopback",
          flush=True)
    if not postgres_url:
        print("  (needs PostgreSQL: BENCH_POSTGRES_URL)")
        return
    seconds, users = setting("BENCH_LOAD_SECONDS", 60), setting("BENCH_LOAD_USERS", 200)
    webhooks, workers = setting("BENCH_LOAD_WEBHOOKS", 1000), setting("WEB_CONCURRENCY", 2)
    secret_key = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory() as temporary, schema_of_its_own(postgres_url, "load") as database_url:
        folder = Path(temporary)
        stack = Stack(folder, database_url)
        try:
            stack.start_redis()
            fixture = prepare(stack, secret_key, setting("BENCH_LOAD_HOUSEHOLDS", 500), users // 2 + 2, folder)
            print(f"  {fixture['visible_households']} households in province {PROVINCE}, "
                  f"{len(fixture['products'])} listed products taking orders, {len(fixture['links'])} farmers' "
                  "sign-in links", flush=True)
            fixture_path = folder / "fixture.json"
            fixture_path.write_text(json.dumps(fixture), encoding="utf-8")
            stack.env.update(production_env(stack, secret_key, workers))
            web = start_gunicorn(stack, "web", None, "/healthz")
            bare = start_gunicorn(stack, "bare", "tests.benchmarks.bare_flask:app", "/")
            stack.start_worker()
            print(f"  web: the Procfile's gunicorn, {workers} sync workers, CONNECTOR_ENV=production", flush=True)

            print(f"\n  mixed load: {users} users for {seconds} s and {webhooks} order webhooks", flush=True)
            roots = {"web": stack.processes["web"].pid, "rq worker": stack.processes["worker"].pid,
                     "bare": stack.processes["bare"].pid}
            figures, ramp, sent, cpu, served, timeline = mixed_load(web, fixture_path, folder, seconds, users,
                                                                    webhooks, roots)
            print_mixed(ramp, f"while users arrive ({setting('BENCH_LOAD_SPAWN_RATE', 10)} a second) and sign in, "
                              f"and {setting('BENCH_LOAD_SETTLE_SECONDS', 10)} s more for their backlog to clear",
                        targets=False)
            print_mixed(figures, f"the measured {seconds} s, all {users} users in")
            print_served(served)
            print_slowest_seconds(timeline)
            print_cpu(cpu)
            started = time.monotonic()
            stored = orders_stored(database_url, fixture["run"], sent)
            twice = {order: n for order, n in stored["orders"].items() if n != 1}
            missing = set(sent) - set(stored["orders"])
            print(f"\n  webhooks answered 200: {len(sent)} of {webhooks}; orders stored: {len(stored['orders'])} "
                  f"(events stored {stored['events']}), stored more than once: {len(twice)}, missing: {len(missing)}, "
                  f"with a problem for staff: {stored['with_problem']}; the worker finished "
                  f"{time.monotonic() - started:.0f} s after the run")
            failed = [f"only {len(sent)} of {webhooks} webhooks were answered 200"] if len(sent) != webhooks else []
            if twice or missing:
                failed.append(f"orders stored twice {list(twice)[:5]}, missing {sorted(missing)[:5]}")

            # The ratios measure each page's own cost: the worker, still retrying the outside systems
            # this machine cannot reach, would only add noise.
            stack.stop("worker")
            masters = {"web": stack.processes["web"].pid, "bare": stack.processes["bare"].pid}
            credentials = sign_in(web, fixture, fixture["links"][-1])
            ratios(web, bare, masters, credentials, folder, setting("BENCH_LOAD_ROUNDS", 3))
            if os.environ.get("BENCH_LOAD_PROFILE") == "1":
                profile_pages(stack, secret_key, fixture, fixture["links"][-2], folder)
            problems = stack.problems(lines=15)
            if "Traceback" in stack.log("web") or " ERROR " in stack.log("web"):
                print(f"\n  web log problems:\n{problems}")
            assert not failed, "; ".join(failed)  # after the figures, which still say how it went
        finally:
            stack.close()


if __name__ == "__main__":
    from tests.benchmarks.run import postgres_url

    sys.exit(run(postgres_url()))
