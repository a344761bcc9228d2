"""Service points in memory, nearest search, and matching orders to a pickup point and day.

Every process keeps a `PointIndex` of the active points. Any change to the points bumps
`IndexVersion` in the same transaction; a process compares versions at most every
SERVICE_POINT_INDEX_CHECK_SECONDS and rebuilds when they differ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from connector.audit.services import record
from connector.auth.roles import Role, has_permission
from connector.clock import VIETNAM, vietnam_now
from connector.errors import NotFound, PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.logistics.geo import PointIndex, haversine_km
from connector.logistics.hours import open_at, open_on
from connector.logistics.models import IndexVersion, Pickup, PickupStatus, ServedCommune, ServicePoint
from connector.orders.services import advance
from connector.signals import pickup_planned

_INDEX_KEY = "connector.service_point_index"


def bump_index_version() -> None:
    db.session.execute(update(IndexVersion).where(IndexVersion.id == 1).values(version=IndexVersion.version + 1))
    # Other processes notice the new version within SERVICE_POINT_INDEX_CHECK_SECONDS; this one must
    # see its own change at once (a rolled-back change only costs a rebuild).
    current_app.extensions.pop(_INDEX_KEY, None)


@dataclass(frozen=True)
class PointInfo:
    id: int
    code: str
    name: str
    kind: str
    lat: float
    lon: float
    hours: dict
    capacity: int


def _build(version: int) -> tuple[PointIndex, list[PointInfo]]:
    rows = db.session.execute(select(
        ServicePoint.id, ServicePoint.code, ServicePoint.name, ServicePoint.kind, ServicePoint.lat, ServicePoint.lon,
        ServicePoint.opening_hours, ServicePoint.daily_capacity).where(ServicePoint.active.is_(True))
        .order_by(ServicePoint.id)).all()
    infos = [PointInfo(*row) for row in rows]
    return PointIndex([p.id for p in infos], [p.lat for p in infos], [p.lon for p in infos], version), infos


def current_index() -> tuple[PointIndex, list[PointInfo]]:
    """This process's index of active points, rebuilt when another process changed them."""
    cached = current_app.extensions.get(_INDEX_KEY)
    now = time.monotonic()
    if cached and now - cached[2] < current_app.config["SERVICE_POINT_INDEX_CHECK_SECONDS"]:
        return cached[0], cached[1]
    version = db.session.scalar(select(IndexVersion.version).where(IndexVersion.id == 1)) or 0
    if cached and cached[0].version == version:
        current_app.extensions[_INDEX_KEY] = (cached[0], cached[1], now)
        return cached[0], cached[1]
    index, infos = _build(version)
    current_app.extensions[_INDEX_KEY] = (index, infos, now)
    return index, infos


def nearest_points(lat: float, lon: float, limit: int = 5) -> list[dict]:
    index, infos = current_index()
    now = vietnam_now()
    return [{"code": infos[row].code, "name": infos[row].name, "kind": infos[row].kind, "lat": infos[row].lat,
             "lon": infos[row].lon, "distance_km": round(km, 3), "open_now": open_at(infos[row].hours, now)}
            for row, km in index.nearest(lat, lon, limit)]


def next_working_day(after: date) -> date:
    """Pickups happen the next day, Monday to Saturday (post offices' working week)."""
    day = after + timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day


# -- matching ---------------------------------------------------------------------------------------
class Reason:
    """Why a pickup is not at the nearest point, or why it is flagged (codes; pages word them)."""

    NEAREST_FULL = "nearest_full"
    NEAREST_CLOSED = "nearest_closed"
    HOME_FULL = "home_full"  # the point serving the household's commune
    HOME_CLOSED = "home_closed"
    NONE_WITHIN_REACH = "none_within_reach"
    NO_LOCATION = "no_location"


def used_capacity(point_ids: list[int], day: date) -> dict[int, int]:
    rows = db.session.execute(select(Pickup.service_point_id, func.count(Pickup.id)).where(
        Pickup.service_point_id.in_(point_ids), Pickup.pickup_date == day,
        Pickup.status != PickupStatus.FLAGGED).group_by(Pickup.service_point_id)).all()
    return dict(rows)


def home_point(commune_code: str | None) -> PointInfo | None:
    """The active point that serves a commune, where its agent knows the farmers: the one set by hand
    (`service-points serve`), else the point nearest to the commune's centre (as communes_served)."""
    from connector.admin_units.models import Commune

    if not commune_code:
        return None
    index, infos = current_index()
    if not len(index):
        return None
    by_id = {info.id: info for info in infos}
    by_hand = db.session.scalar(select(ServedCommune.service_point_id)
                                .where(ServedCommune.commune_code == commune_code))
    if by_hand is not None:
        return by_id.get(by_hand)  # None when that point was closed down: then the nearest rule applies
    centre = db.session.execute(select(Commune.lat, Commune.lon).where(Commune.code == commune_code)).first()
    if centre is None or centre.lat is None:
        return None
    (row, _km), = index.nearest(centre.lat, centre.lon, 1)
    return infos[row]


def choose_point(lat: float, lon: float, day: date, max_km: float, used: dict[int, int] | None = None,
                 home: PointInfo | None = None) -> tuple[PointInfo | None, float | None, str | None]:
    """The point for a pickup on `day`: the household's `home` point (serving its commune) when it is
    open, has room and is within `max_km`; else the nearest such point. Returns (point, km, reason)
    or (None, None, reason). `used` counts pickups per point id (read from the database when None)."""
    index, infos = current_index()
    k, skipped_reason = 8, None
    if home is not None:
        km = float(haversine_km(lat, lon, home.lat, home.lon))
        room = used if used is not None else used_capacity([home.id], day)
        if km <= max_km:
            if not open_on(home.hours, day):
                skipped_reason = Reason.HOME_CLOSED
            elif room.get(home.id, 0) >= home.capacity:
                skipped_reason = Reason.HOME_FULL
            else:
                return home, km, None
    while True:
        found = index.nearest(lat, lon, k, max_km=max_km)
        counts = used if used is not None else used_capacity([infos[row].id for row, _km in found], day)
        for position, (row, km) in enumerate(found):
            point = infos[row]
            if home is not None and point.id == home.id:
                continue  # looked at first, above
            if not open_on(point.hours, day):
                skipped_reason = skipped_reason or Reason.NEAREST_CLOSED
            elif counts.get(point.id, 0) >= point.capacity:
                skipped_reason = skipped_reason or Reason.NEAREST_FULL
            else:
                return point, km, (skipped_reason if position or home is not None else None)
        if len(found) < k:  # every point within reach was looked at
            return None, None, Reason.NONE_WITHIN_REACH
        k *= 4


def assign_pickup(order) -> Pickup:
    """Match a confirmed order to its pickup point and day (or flag it for staff), once."""
    existing = db.session.scalar(select(Pickup).where(Pickup.order_id == order.id))
    if existing is not None:
        return existing
    day = next_working_day(vietnam_now().date())
    household = order.household
    pickup = Pickup(order_id=order.id, pickup_date=day)
    if household is None:
        pickup.status, pickup.reason = PickupStatus.FLAGGED, Reason.NO_LOCATION
    else:
        point, km, reason = choose_point(household.lat, household.lon, day,
                                         current_app.config["PICKUP_MAX_DISTANCE_KM"],
                                         home=home_point(household.commune_code))
        if point is None:
            pickup.status, pickup.reason = PickupStatus.FLAGGED, reason
        else:
            # Two workers may pick the same point at once: lock its row, then count again.
            db.session.scalar(select(ServicePoint.id).where(ServicePoint.id == point.id).with_for_update())
            if used_capacity([point.id], day).get(point.id, 0) >= point.capacity:
                return assign_pickup(order)  # someone took the last place meanwhile: choose again
            pickup.service_point_id, pickup.distance_km, pickup.reason = point.id, round(km, 3), reason
            pickup.status = PickupStatus.ASSIGNED
    db.session.add(pickup)
    db.session.flush()
    if pickup.status == PickupStatus.ASSIGNED:
        advance(order, "pickup", "assigned")
    pickup_planned.send(pickup)
    return pickup


# -- the agent's day at a service point ---------------------------------------------------------
def point_of(user) -> ServicePoint | None:
    if not user.service_point_code:
        return None
    return db.session.scalar(select(ServicePoint).where(ServicePoint.code == user.service_point_code))


def pickups_at(point: ServicePoint, day: date) -> list[Pickup]:
    return list(db.session.scalars(select(Pickup).where(Pickup.service_point_id == point.id, Pickup.pickup_date == day)
                                   .order_by(Pickup.id)))


def capacity_by_day(point: ServicePoint, first: date, days: int = 7) -> list[tuple[date, int, bool]]:
    """(day, parcels booked, open that day) for the coming days."""
    last = first + timedelta(days=days - 1)
    booked = dict(db.session.execute(select(Pickup.pickup_date, func.count(Pickup.id)).where(
        Pickup.service_point_id == point.id, Pickup.pickup_date.between(first, last),
        Pickup.status != PickupStatus.FLAGGED).group_by(Pickup.pickup_date)).all())
    return [(first + timedelta(days=n), booked.get(first + timedelta(days=n), 0),
             open_on(point.opening_hours, first + timedelta(days=n))) for n in range(days)]


def mark_received(user, pickup: Pickup) -> Pickup:
    """The agent took the parcel in at the counter."""
    if not has_permission(user, "pickups.manage"):
        raise PermissionDenied()
    point = point_of(user)
    if user.role != Role.ADMIN and (point is None or pickup.service_point_id != point.id):
        raise NotFound()
    if pickup.status != PickupStatus.ASSIGNED:
        raise ValidationFailed(errors={"pickup": [_("This parcel is already received.")]})
    pickup.status, pickup.received_at = PickupStatus.RECEIVED, datetime.now(VIETNAM)
    db.session.flush()
    advance(pickup.order, "pickup", "received")
    record(user, "received", "order", pickup.order_id, {"pickup": ["assigned", "received"]})
    return pickup


def communes_served(point: ServicePoint) -> list:
    """The communes an agent at this point serves, by name: those whose centre is nearer to it than
    to any other active point, except communes set by hand to another point, plus those set by hand
    to this one."""
    from connector.admin_units.models import Commune

    index, infos = current_index()
    by_hand = dict(db.session.execute(select(ServedCommune.commune_code, ServedCommune.service_point_id)).all())
    mine = [code for code, point_id in by_hand.items() if point_id == point.id]
    communes = db.session.execute(select(Commune.code, Commune.name, Commune.lat, Commune.lon).where(
        (Commune.province_code == _province_of(point)) | Commune.code.in_(mine)).order_by(Commune.name)).all()
    if not communes or not len(index):
        return [commune for commune in communes if commune.code in mine]
    rows, _km = index.nearest_many([c.lat for c in communes], [c.lon for c in communes], 1)
    return [commune for commune, row in zip(communes, rows[:, 0].tolist(), strict=True)
            if by_hand.get(commune.code, infos[row].id) == point.id]


def set_served_communes(point: ServicePoint, commune_codes: list[str], *, by_nearest: bool = False) -> None:
    """Staff set by hand which point serves these communes (or, with `by_nearest`, hand them back to
    the nearest-point rule). An unknown commune code changes nothing."""
    from connector.admin_units.models import Commune

    known = set(db.session.scalars(select(Commune.code).where(Commune.code.in_(commune_codes))))
    unknown = [code for code in commune_codes if code not in known]
    if unknown:
        raise ValidationFailed(errors={"communes": [_("Unknown commune code: %(codes)s.", codes=", ".join(unknown))]})
    for code in commune_codes:
        row = db.session.get(ServedCommune, code)
        if by_nearest:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(ServedCommune(commune_code=code, service_point_id=point.id))
        else:
            row.service_point_id = point.id
    db.session.flush()


def _province_of(point: ServicePoint) -> str | None:
    from connector.admin_units.models import Commune

    if point.commune_code:
        return db.session.scalar(select(Commune.province_code).where(Commune.code == point.commune_code))
    return None
