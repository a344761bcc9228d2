"""Logistics figures at the national scale (27,000 service points), each beside a NumPy brute-force
haversine baseline run here too: index build, one lookup, 100,000 orders matched greedily under
capacity, the nearest API; and greedy against the min-cost batch on the generated demo network."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import sqlalchemy as sa

from connector.extensions import db
from connector.logistics.batch import greedy_plan, optimal_plan
from connector.logistics.generator import generate_points
from connector.logistics.geo import PointIndex, haversine_km
from connector.logistics.hours import DEFAULT_HOURS
from connector.logistics.models import ServicePoint
from connector.logistics.services import bump_index_version, current_index
from tests.benchmarks.harness import measure

POINTS = 27_000
ORDERS = 100_000
MONDAY = date(2026, 11, 23)


def _timed(operation) -> float:
    start = time.perf_counter()
    operation()
    return time.perf_counter() - start


def _brute_nearest(lats, lons, lat, lon, k=5):
    distances = haversine_km(lat, lon, lats, lons)
    rows = np.argpartition(distances, k)[:k]
    return rows[np.argsort(distances[rows])]


class BruteForceIndex:
    """The baseline for the API: PointIndex's interface, answered by a haversine scan of every point."""

    def __init__(self, index: PointIndex):
        self.lats, self.lons, self.version = index.lats, index.lons, index.version

    def __len__(self) -> int:
        return len(self.lats)

    def nearest(self, lat: float, lon: float, k: int = 5, max_km: float | None = None) -> list[tuple[int, float]]:
        distances = haversine_km(lat, lon, self.lats, self.lons)
        rows = _brute_nearest(self.lats, self.lons, lat, lon, k)
        return [(row, float(distances[row])) for row in rows.tolist() if max_km is None or distances[row] <= max_km]


def run(app) -> None:
    print(f"\n== logistics ({POINTS:,} service points)", flush=True)
    rng = np.random.default_rng(2026)
    with app.app_context():
        created, _ = generate_points()  # the demo network: a BĐVHX per commune, a bưu cục per ~10
        db.session.commit()
        demo = created
        # Up to the national scale with agent points scattered near the generated ones.
        base = np.array(db.session.execute(sa.select(ServicePoint.lat, ServicePoint.lon)).all())
        extra = POINTS - len(base)
        picks = base[rng.integers(0, len(base), extra)] + rng.normal(0, 0.03, (extra, 2))
        db.session.execute(sa.insert(ServicePoint), [
            {"code": f"AG{i:06d}", "name": f"Điểm đại lý {i}", "kind": "agent", "lat": float(lat),
             "lon": float(lon), "opening_hours": DEFAULT_HOURS, "daily_capacity": 20, "active": True,
             "generated": True, "address": ""} for i, (lat, lon) in enumerate(picks)])
        bump_index_version()
        db.session.commit()
        lats, lons = (np.array(column) for column in zip(*db.session.execute(
            sa.select(ServicePoint.lat, ServicePoint.lon).order_by(ServicePoint.id)).all(), strict=True))
        print(f"  {demo:,} generated demo points + {extra:,} agent points = {len(lats):,}", flush=True)

        build = min(_timed(lambda: PointIndex(np.arange(len(lats)), lats, lons)) for _ in range(5))
        print(f"  index build (unit vectors + cKDTree)                 {build * 1000:8.1f} ms "
              "(brute force needs none)", flush=True)
        index = PointIndex(np.arange(len(lats)), lats, lons)
        queries = np.column_stack((rng.uniform(8.6, 23.3, 2000), rng.uniform(102.2, 109.4, 2000)))
        cycle = iter(range(10**9))

        def one():
            lat, lon = queries[next(cycle) % len(queries)]
            index.nearest(lat, lon, 5)

        def one_brute():
            lat, lon = queries[next(cycle) % len(queries)]
            _brute_nearest(lats, lons, lat, lon)

        tree_us = min(_timed(lambda: [one() for _ in range(2000)]) for _ in range(3)) / 2000 * 1e6
        brute_us = _timed(lambda: [one_brute() for _ in range(300)]) / 300 * 1e6
        print(f"  one nearest lookup (k=5), in process                 {tree_us:8.1f} µs  (target < 50 µs); "
              f"brute force {brute_us:,.0f} µs = {brute_us / tree_us:,.0f}x", flush=True)

        # 100,000 orders near the points, matched greedily under each point's capacity.
        homes = base[rng.integers(0, len(base), ORDERS)] + rng.normal(0, 0.05, (ORDERS, 2))
        current_index()
        room = {row.id: row.daily_capacity for row in db.session.execute(
            sa.select(ServicePoint.id, ServicePoint.daily_capacity))}
        start = time.perf_counter()
        plan = greedy_plan(homes[:, 0], homes[:, 1], MONDAY, 15, room)
        greedy_s = time.perf_counter() - start
        sample = 1000
        brute_s = _timed(lambda: [_brute_nearest(lats, lons, lat, lon, 10) for lat, lon in homes[:sample]])
        print(f"  {ORDERS:,} orders matched greedily under capacity      {greedy_s:8.2f} s   (target < 1 s); "
              f"{ORDERS - plan.unassigned:,} placed; brute-force candidates alone {brute_s / sample * ORDERS:,.0f} s "
              f"(from {sample:,}) = {brute_s / sample * ORDERS / greedy_s:,.0f}x", flush=True)

    client = app.test_client()
    from connector.auth.models import User
    from connector.auth.services import issue_token

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "bench.agent"))
        token, _ = issue_token(user)
        db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    def ask():
        lat, lon = queries[next(cycle) % len(queries)]
        return client.get("/api/v1/service-points/nearest", headers=auth, query_string={"lat": lat, "lon": lon})

    tree_p50, _ = measure("GET /api/v1/service-points/nearest (27k points)  target < 5 ms", ask, rounds=500)
    # The same endpoint with the process's index swapped for a brute-force scan (rows stay aligned).
    with app.app_context():
        from connector.logistics.services import _INDEX_KEY

        tree_index, infos = current_index()
        app.extensions[_INDEX_KEY] = (BruteForceIndex(tree_index), infos, time.monotonic())
        brute_p50, _ = measure("  the same API, brute-force haversine scan instead", ask, rounds=200)
        app.extensions.pop(_INDEX_KEY)
    print(f"  API p50: brute force / index = {brute_p50 / tree_p50:.1f}x", flush=True)

    # Greedy against the min-cost batch on the generated demo network (agent points left out), with a
    # busy day: 5,000 orders around Quảng Trị, where points fill up.
    with app.app_context():
        db.session.execute(sa.update(ServicePoint).where(ServicePoint.kind == "agent").values(active=False))
        bump_index_version()
        db.session.commit()
        current_index()
        province = np.array(db.session.execute(sa.text(
            "SELECT lat, lon FROM communes WHERE province_code = '44'")).all())
        homes = province[rng.integers(0, len(province), 5000)] + rng.normal(0, 0.04, (5000, 2))
        room = {row.id: row.daily_capacity for row in db.session.execute(
            sa.select(ServicePoint.id, ServicePoint.daily_capacity).where(ServicePoint.active.is_(True)))}
        # A busy day, where capacity binds and min-cost first places more parcels, and a lighter one,
        # where both place every parcel and only the distance differs.
        for orders in (5000, 2000):
            greedy = greedy_plan(homes[:orders, 0], homes[:orders, 1], MONDAY, 15, room)
            start = time.perf_counter()
            best = optimal_plan(homes[:orders, 0], homes[:orders, 1], MONDAY, 15, room)
            optimal_s = time.perf_counter() - start
            per_parcel = [plan.total_km / max(1, orders - plan.unassigned) for plan in (greedy, best)]
            print(f"  demo day, {orders:,} orders in Quảng Trị: greedy {greedy.total_km:,.0f} km, "
                  f"{greedy.unassigned:,} unplaced; min-cost {best.total_km:,.0f} km, {best.unassigned:,} unplaced "
                  f"({optimal_s:.1f} s); per placed parcel {per_parcel[0]:.2f} vs {per_parcel[1]:.2f} km: "
                  f"greedy {100 * (per_parcel[0] / per_parcel[1] - 1):.1f}% longer", flush=True)
