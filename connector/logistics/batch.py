"""A day's pickups re-matched together: the assignment with the least total distance under every
point's capacity (a min-cost bipartite matching over capacity slots, SciPy), beside the greedy one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from sqlalchemy import select

from connector.extensions import db
from connector.logistics.hours import open_on
from connector.logistics.models import Pickup, PickupStatus
from connector.logistics.services import PointInfo, current_index, used_capacity

CANDIDATES = 10  # nearest points each order may go to
EPSILON = 1e-9


@dataclass
class Plan:
    points: list[PointInfo | None]  # per order; None: nowhere within reach with room
    km: list[float | None]

    @property
    def total_km(self) -> float:
        return float(sum(k for k in self.km if k is not None))

    @property
    def unassigned(self) -> int:
        return sum(1 for p in self.points if p is None)


def _candidate_arrays(lats, lons, day: date, max_km: float):
    """(infos, rows, kms, usable): each order's nearest points, and which are open and within reach."""
    index, infos = current_index()
    rows, kms = index.nearest_many(lats, lons, min(CANDIDATES, len(index)))
    open_that_day = np.array([open_on(info.hours, day) for info in infos], dtype=bool)
    return infos, rows, kms, (kms <= max_km) & open_that_day[rows]


def _candidates(lats, lons, day: date, max_km: float):
    infos, rows, kms, usable = _candidate_arrays(lats, lons, day, max_km)
    return infos, [list(zip(row[ok].tolist(), km[ok].tolist(), strict=True))
                   for row, km, ok in zip(rows, kms, usable, strict=True)]


def greedy_plan(lats, lons, day: date, max_km: float, room: dict[int, int]) -> Plan:
    """Each order in turn takes its nearest open point that still has room."""
    infos, rows, kms, usable = _candidate_arrays(lats, lons, day, max_km)
    left = [room.get(info.id, 0) for info in infos]
    # Plain lists in the sequential loop: NumPy's per-element access would be slower there.
    choices = np.where(usable, rows, -1).tolist()
    picked = []
    for candidates in choices:
        for position, row in enumerate(candidates):
            if row >= 0 and left[row] > 0:
                left[row] -= 1
                picked.append(position)
                break
        else:
            picked.append(-1)
    picked = np.array(picked)
    placed = picked >= 0
    chosen_rows = rows[np.arange(len(picked)), np.maximum(picked, 0)]
    chosen_km = kms[np.arange(len(picked)), np.maximum(picked, 0)]
    return Plan([infos[row] if ok else None for row, ok in zip(chosen_rows.tolist(), placed.tolist(), strict=True)],
                [km if ok else None for km, ok in zip(chosen_km.tolist(), placed.tolist(), strict=True)])


def optimal_plan(lats, lons, day: date, max_km: float, room: dict[int, int]) -> Plan:
    """Least total distance with each point under its room; an order with no place costs a penalty
    larger than any distance, so as many orders as possible are placed first."""
    infos, usable = _candidates(lats, lons, day, max_km)
    wanted: dict[int, int] = {}
    for options in usable:
        for r, _k in options:
            wanted[r] = wanted.get(r, 0) + 1
    slot_start, slot_point, columns = {}, [], 0
    for r, count in wanted.items():
        slots = min(count, room.get(infos[r].id, 0))
        slot_start[r] = (columns, slots)
        slot_point.extend([r] * slots)
        columns += slots
    order_rows, slot_cols, weights = [], [], []
    penalty = 10 * max_km + 1
    for i, options in enumerate(usable):
        for r, k in options:
            start, slots = slot_start[r]
            order_rows.extend([i] * slots)
            slot_cols.extend(range(start, start + slots))
            weights.extend([k + EPSILON] * slots)  # zero weights would read as "no edge"
        order_rows.append(i)  # the order's own "no place" slot
        slot_cols.append(columns + i)
        weights.append(penalty)
    graph = coo_array((weights, (order_rows, slot_cols)), shape=(len(usable), columns + len(usable))).tocsr()
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    plan = Plan([None] * len(usable), [None] * len(usable))
    for i, column in zip(matched_rows, matched_cols, strict=True):
        if column < columns:
            r = slot_point[column]
            plan.points[i] = infos[r]
            plan.km[i] = float(graph[i, column]) - EPSILON
    return plan


def rematch_day(day: date, max_km: float) -> dict:
    """Re-assign the day's pickups that are not received yet, at the least total distance."""
    pickups = db.session.scalars(select(Pickup).where(
        Pickup.pickup_date == day, Pickup.status.in_([PickupStatus.ASSIGNED, PickupStatus.FLAGGED]))
        .order_by(Pickup.id)).all()
    pickups = [p for p in pickups if p.order.household is not None]
    if not pickups:
        return {"orders": 0, "greedy_km": 0.0, "optimal_km": 0.0, "unassigned": 0}
    lats = np.array([p.order.household.lat for p in pickups])
    lons = np.array([p.order.household.lon for p in pickups])
    index, infos = current_index()
    taken = used_capacity([info.id for info in infos], day)
    mine: dict[int, int] = {}
    for pickup in pickups:
        if pickup.service_point_id and pickup.status == PickupStatus.ASSIGNED:
            mine[pickup.service_point_id] = mine.get(pickup.service_point_id, 0) + 1
    room = {info.id: info.capacity - taken.get(info.id, 0) + mine.get(info.id, 0) for info in infos}
    greedy = greedy_plan(lats, lons, day, max_km, room)
    best = optimal_plan(lats, lons, day, max_km, room)
    for pickup, point, km in zip(pickups, best.points, best.km, strict=True):
        if point is None:
            pickup.service_point_id, pickup.distance_km = None, None
            pickup.status, pickup.reason = PickupStatus.FLAGGED, "none_within_reach"
        else:
            pickup.service_point_id, pickup.distance_km = point.id, round(km, 3)
            pickup.status, pickup.reason = PickupStatus.ASSIGNED, "batch"
    db.session.flush()
    return {"orders": len(pickups), "greedy_km": round(greedy.total_km, 2), "optimal_km": round(best.total_km, 2),
            "unassigned": best.unassigned}
