"""Issue 4's figures: end-to-end publishing throughput with 2 worker processes, the connector's CPU
time per listing, and the reliability run (1,000 products x 2 marketplaces with faults and a worker
killed with SIGKILL)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter

import requests
from sqlalchemy import func, insert, select

from connector.auth.services import create_user
from connector.catalogue.models import Product, ProductPhoto
from connector.catalogue.services import create_product
from connector.config import marketplace_settings
from connector.extensions import db
from connector.households.services import create_household
from connector.marketplaces.models import Listing
from connector.marketplaces.services import publish_product
from connector.marketplaces.states import ListingState
from tests.benchmarks.harness import make_app
from tests.factories import household_input, photo_bytes, product_input
from tests.helpers import free_port


def seed_products(count: int) -> tuple[list[int], int]:
    """`count` products on sale (one photo file shared by all), spread over 20 households."""
    agent = create_user(username=f"bench-pub-{time.time_ns()}", password="bench-password-1", role="agent",
                        province_code="44")
    households = [create_household(agent, household_input(head_name=f"Hộ Ghi {'ABCDEFGHIJKLMNOPQRST'[n]}",
                                                           phone=f"0977 {time.time_ns() % 10**6:06d}"),
                                   confirm_duplicates=True)[0] for n in range(20)]
    first = create_product(agent, households[0].id, product_input(status="active"), [photo_bytes(400, 300)])
    photo = first.photos[0]
    rows = [dict(product_input(status="active"), household_id=households[n % 20].id, name=f"Sản phẩm {n}",
                 name_key=f"san pham {n}", category="rice_grain", created_at=first.created_at,
                 updated_at=first.created_at) for n in range(count - 1)]
    ids = [first.id] + list(db.session.scalars(insert(Product).returning(Product.id), rows))
    db.session.execute(insert(ProductPhoto), [dict(product_id=pid, position=1, key=photo.key,
                                                   thumb_key=photo.thumb_key, width=photo.width,
                                                   height=photo.height) for pid in ids[1:]])
    db.session.commit()
    return ids, agent.id


def live_count(ids) -> int:
    value = db.session.scalar(select(func.count(Listing.id)).where(
        Listing.product_id.in_(ids), Listing.state == ListingState.LIVE))
    db.session.commit()
    return value


def start_processes(env: dict, workers: int, web_port: int) -> list[subprocess.Popen]:
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{web_port}",
                                   "--workers", "2", "connector:create_app()"], env=env, **quiet)]
    processes += [subprocess.Popen([sys.executable, "-m", "workers"], env=env, **quiet) for _ in range(workers)]
    return processes


def start_sandbox(web_port: int, faults: dict) -> tuple[str, subprocess.Popen]:
    """The marketplaces in a process of their own, as in `make run` (they are other companies'
    systems: in one process with the benchmark they would share its interpreter lock)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "connector.sandbox", "--port", str(port), "--connector",
                                f"http://127.0.0.1:{web_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.post(f"{url}/_sandbox/config", json={"faults": faults}, timeout=2).raise_for_status()
            return url, process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the sandbox did not start")


def process_tree_cpu_seconds(pids) -> float:
    """User + system CPU of these processes and all their descendants so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)  # ppid, cpu
    wanted, frontier = set(pids), list(pids)
    while frontier:
        frontier = [pid for pid, (ppid, _) in stats.items() if ppid in frontier and pid not in wanted]
        wanted.update(frontier)
    return sum(stats[pid][1] for pid in wanted if pid in stats)


def server_cpu_seconds(name: str) -> float:
    """User + system CPU so far of every process whose command is `name` (the database's backends)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    command, fields = handle.read().split(" (", 1)[1].rsplit(")", 1)
            except (OSError, IndexError, ValueError):
                continue
            if command == name:
                fields = fields.split()
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_until_ready(web_port: int, redis_url: str, workers: int, timeout: float = 60) -> None:
    """The clock starts once gunicorn answers and the RQ workers listen: throughput, not start-up."""
    from redis import Redis
    from rq import Worker

    connection, deadline = Redis.from_url(redis_url), time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            web_up = requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            web_up = False
        if web_up and Worker.count(connection=connection) >= workers:
            return
        time.sleep(0.2)
    raise RuntimeError("the web and worker processes did not start")


def stop(processes) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_scenario(label, database_url, redis_url, media, products: int, faults: dict, kill: bool) -> None:
    app = make_app(database_url, redis_url, media)
    web_port = free_port()
    sandbox_url, sandbox_process = start_sandbox(web_port, {"review_seconds": 0.2, "timeout_sleep_seconds": 1.5,
                                                            **faults})
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="x" * 40,
               SANDBOX_URL=sandbox_url, MEDIA_ROOT=media, CONNECTOR_INSTANCE_DIR=media,
               MARKETPLACE_READ_TIMEOUT="1", PUBLISH_MAX_ATTEMPTS="60", PUBLISH_BACKOFF_SECONDS="0.5",
               PUBLISH_BACKOFF_MAX_SECONDS="5", SYNC_LOCK_SECONDS="6", REVIEW_POLL_SECONDS="120")
    if kill:
        # Recovery on a short clock, so that the reliability run ends in minutes. The throughput run
        # keeps the production defaults (dispatcher every 15 s, re-dispatch after 60 s).
        env.update(WORKER_PERIODIC_SECONDS="2", OUTBOX_REDISPATCH_SECONDS="10")
    app.config["MARKETPLACES"] = marketplace_settings({"SANDBOX_URL": sandbox_url})
    with app.app_context():
        ids, agent_id = seed_products(products)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = start_processes(env, 2, web_port)
    wait_until_ready(web_port, redis_url, 2)
    # Their start-up (imports, the app, connection pools) is not the listings' cost.
    start_up_cpu = process_tree_cpu_seconds([process.pid for process in processes])
    others_before = (process_tree_cpu_seconds([sandbox_process.pid]), server_cpu_seconds("postgres"),
                     server_cpu_seconds("redis-server"))
    start = time.perf_counter()
    with app.app_context():
        from connector.auth.models import User

        agent = db.session.get(User, agent_id)
        for offset in range(0, len(ids), 100):
            for product in db.session.scalars(select(Product).where(Product.id.in_(ids[offset:offset + 100]))):
                publish_product(agent, product)
            db.session.commit()
        published = time.perf_counter() - start
        killed = False
        deadline = time.monotonic() + 900
        progress, next_mark = [], time.perf_counter() + 5
        while (now_live := live_count(ids)) < 2 * len(ids) and time.monotonic() < deadline:
            if time.perf_counter() >= next_mark:  # live listings every 5 s: where a run stalls, if it does
                progress.append(now_live)
                next_mark += 5
            if kill and not killed and now_live >= len(ids) // 2:
                processes[1].kill()  # SIGKILL a worker mid-run, then start a fresh one
                processes[1].wait()
                processes[1] = subprocess.Popen([sys.executable, "-m", "workers"], env=env,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                killed = True
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        others = [now - then for now, then in zip((process_tree_cpu_seconds([sandbox_process.pid]),
                                                   server_cpu_seconds("postgres"), server_cpu_seconds("redis-server")),
                                                  others_before, strict=True)]
        live = live_count(ids)
        states = dict(((row.product_id, row.marketplace), (row.state, row.remote_id)) for row in db.session.execute(
            select(Listing.product_id, Listing.marketplace, Listing.state, Listing.remote_id)
            .where(Listing.product_id.in_(ids))))
    stop(processes)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) - start_up_cpu
    problems = 0
    for name in ("postmart", "voso"):
        remote = [p for p in requests.get(f"{sandbox_url}/_sandbox/products/{name}", timeout=30).json()
                  if int(p["seller_sku"][3:]) in set(ids)]
        counts = Counter(p["seller_sku"] for p in remote)
        duplicates = sum(1 for c in counts.values() if c > 1)
        missing = len(ids) - len(counts)
        mismatched = sum(1 for p in remote if states.get((int(p["seller_sku"][3:]), name)) != ("live", p["id"])
                         or p["status"] != "LIVE")
        problems += duplicates + missing + mismatched
        print(f"  {name:<9} remote listings {len(remote):>5}  duplicates {duplicates}  missing {missing}  "
              f"state mismatches {mismatched}", flush=True)
    listings = 2 * len(ids)
    print(f"  {label}: {live:,}/{listings:,} live in {elapsed:.1f} s (publish requests {published:.1f} s) "
          f"= {listings / elapsed:.1f} listings/s end to end; connector CPU after start-up (web + 2 workers) "
          f"{cpu:.1f} s = {1000 * cpu / listings:.1f} ms per listing; {'OK' if problems == 0 else 'PROBLEMS'}",
          flush=True)
    print(f"    live every 5 s: {', '.join(map(str, progress))}; CPU per listing elsewhere: sandbox "
          f"{1000 * others[0] / listings:.1f} ms, PostgreSQL {1000 * others[1] / listings:.1f} ms (0 on SQLite), "
          f"redis-server {1000 * others[2] / listings:.1f} ms", flush=True)
    stop([sandbox_process])
    with app.app_context():
        db.engine.dispose()


def run(database_url_factory, redis_url: str, media: str, products: int = 1000) -> None:
    print(f"\n== publishing ({products:,} products x 2 marketplaces, 2 worker processes)", flush=True)
    with database_url_factory() as url:
        run_scenario("no faults", url, redis_url, media, products, {}, kill=False)
    with database_url_factory() as url:
        run_scenario("faults + SIGKILL", url, redis_url, media, products,
                     {"error_5xx": 0.2, "timeout_after_write": 0.1, "rate_limit_429": 0.05,
                      "token_ttl_seconds": 5.0, "seed": 11}, kill=True)
