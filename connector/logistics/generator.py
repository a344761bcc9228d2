"""Demo service points where the operator's file is not available: one commune cultural post office
(BĐVHX) per commune near its coordinates, and a post office (bưu cục) for every ~10 communes.
Marked `generated`; re-running updates the same codes (nothing doubles)."""

from __future__ import annotations

import math
import random

from sqlalchemy import select

from connector.admin_units.models import Commune
from connector.extensions import db
from connector.logistics.hours import DEFAULT_HOURS, parse_hours
from connector.logistics.models import PointKind, ServicePoint
from connector.logistics.services import bump_index_version

COMMUNES_PER_POST_OFFICE = 10
POST_OFFICE_HOURS = parse_hours("T2-T6 07:00-18:00; T7 07:00-17:00; CN 07:30-11:30")


def _near(lat: float, lon: float, rng: random.Random, max_km: float = 1.5) -> tuple[float, float]:
    """A place within `max_km` of (lat, lon): a BĐVHX stands near, not on, the commune's centre."""
    distance, bearing = rng.uniform(0.2, max_km), rng.uniform(0, 2 * math.pi)
    return (round(lat + distance / 111.0 * math.cos(bearing), 6),
            round(lon + distance / (111.0 * math.cos(math.radians(lat))) * math.sin(bearing), 6))


def _unit(commune: Commune) -> str:
    """"xã Diên Sanh", "phường Đông Hà": the unit type once, in lower case, as it reads after a noun."""
    return f"{commune.unit_type.lower()} {commune.short_name}"


def generate_points(province_code: str | None = None) -> tuple[int, int]:
    """(created, updated). Deterministic: the same commune always gets the same place."""
    statement = select(Commune).where(Commune.lat.is_not(None)).order_by(Commune.province_code, Commune.code)
    if province_code:
        statement = statement.where(Commune.province_code == province_code)
    communes = db.session.scalars(statement).all()
    existing = {point.code: point for point in db.session.scalars(select(ServicePoint))}
    wanted = []
    for commune in communes:
        lat, lon = _near(commune.lat, commune.lon, random.Random(commune.code))  # noqa: S311 - placement, not secrets
        wanted.append({"code": f"BD{commune.code}", "name": f"Bưu điện văn hóa {_unit(commune)}",
                       "kind": PointKind.COMMUNE_POST, "commune_code": commune.code, "lat": lat, "lon": lon,
                       "opening_hours": dict(DEFAULT_HOURS), "daily_capacity": 30})
    by_province: dict[str, list] = {}
    for commune in communes:
        by_province.setdefault(commune.province_code, []).append(commune)
    for group_communes in by_province.values():
        for start in range(0, len(group_communes), COMMUNES_PER_POST_OFFICE):
            group = group_communes[start:start + COMMUNES_PER_POST_OFFICE]
            first = group[0]
            wanted.append({"code": f"BC{first.code}", "name": f"Bưu cục {first.short_name}",
                           "kind": PointKind.POST_OFFICE, "commune_code": first.code,
                           "lat": round(sum(c.lat for c in group) / len(group), 6),
                           "lon": round(sum(c.lon for c in group) / len(group), 6),
                           "opening_hours": dict(POST_OFFICE_HOURS), "daily_capacity": 200})
    created = updated = 0
    for values in wanted:
        point = existing.get(values["code"])
        if point is None:
            db.session.add(ServicePoint(**values, address="", active=True, generated=True))
            created += 1
        elif point.generated:  # never overwrite the operator's own data
            for key, value in values.items():
                setattr(point, key, value)
            updated += 1
    db.session.flush()
    bump_index_version()
    return created, updated
