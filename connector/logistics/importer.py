"""Service points from the operator's file (CSV, XLSX or GeoJSON): every row checked first, row
errors in Vietnamese, and a file with any error imports nothing. Re-importing updates by code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from connector.admin_units.models import Commune
from connector.extensions import db
from connector.households.validation import clean_phone
from connector.logistics.geo import inside_vietnam
from connector.logistics.hours import HoursError, parse_hours
from connector.logistics.models import PointKind, ServicePoint
from connector.logistics.services import bump_index_version
from connector.tables import Column, RowError, read_table
from connector.text import fold, to_nfc

COLUMNS = [
    Column("code", "code", required=True), Column("name", "name", required=True),
    Column("lat", "lat", required=True), Column("lon", "lon", required=True),
    Column("type", "kind"), Column("commune_code", "commune_code"), Column("address", "address"),
    Column("daily_capacity", "daily_capacity"), Column("opening_hours", "opening_hours"), Column("phone", "phone"),
]
KIND_NAMES = {"buu_cuc": PointKind.POST_OFFICE, "buu cuc": PointKind.POST_OFFICE, "bdvhx": PointKind.COMMUNE_POST,
              "buu dien van hoa xa": PointKind.COMMUNE_POST, "agent": PointKind.AGENT, "dai ly": PointKind.AGENT,
              "diem dai ly": PointKind.AGENT}
MAX_POINTS = 50_000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _rows_from_geojson(data: bytes) -> tuple[list[dict], list[RowError]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return [], [RowError(0, "", _("This GeoJSON file cannot be read."))]
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        return [], [RowError(0, "", _("A GeoJSON FeatureCollection is expected."))]
    rows = []
    for feature in features:
        properties = (feature or {}).get("properties") or {}
        geometry = (feature or {}).get("geometry") or {}
        coordinates = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        row = {column.field: "" if properties.get(column.header) is None else str(properties.get(column.header))
               for column in COLUMNS}
        if isinstance(coordinates, list) and len(coordinates) >= 2:  # GeoJSON order: longitude, latitude
            row["lon"], row["lat"] = str(coordinates[0]), str(coordinates[1])
        else:
            row["lat"] = row["lon"] = ""
        rows.append(row)
    return rows, []


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def check_rows(rows: list[dict]) -> tuple[list[dict], list[RowError]]:
    """Clean values for every row, or the errors of every bad row (row 2 is the first data row)."""
    errors: list[RowError] = []
    cleaned: list[dict] = []
    seen: dict[str, int] = {}
    known_communes = set(db.session.scalars(select(Commune.code)))
    for number, row in enumerate(rows, start=2):
        def fail(column: str, message: str, number=number) -> None:
            errors.append(RowError(number, column, message))

        code = row.get("code", "").strip()
        if not code:
            fail("code", _("Required."))
        elif len(code) > 20:
            fail("code", _("At most %(max)d characters.", max=20))
        elif code in seen:
            fail("code", _("Code %(code)s is already on row %(row)d.", code=code, row=seen[code]))
        else:
            seen[code] = number
        name = to_nfc(row.get("name", ""))
        if not name:
            fail("name", _("Required."))
        elif len(name) > 160:
            fail("name", _("At most %(max)d characters.", max=160))
        lat, lon = _number(row.get("lat", "").strip()), _number(row.get("lon", "").strip())
        if lat is None:
            fail("lat", _("Coordinates are required, as decimal degrees (e.g. 16.75)."))
        if lon is None:
            fail("lon", _("Coordinates are required, as decimal degrees (e.g. 107.19)."))
        if lat is not None and lon is not None and not inside_vietnam(lat, lon):
            fail("lat", _("This place is not in Vietnam (check latitude and longitude)."))
        kind_text = fold(row.get("kind", "")).replace("đ", "d")
        kind = KIND_NAMES.get(kind_text) if kind_text else PointKind.COMMUNE_POST
        if kind is None:
            fail("type", _("Type must be buu_cuc, bdvhx or agent."))
        commune = row.get("commune_code", "").strip() or None
        if commune and commune not in known_communes:
            fail("commune_code", _("Unknown commune code %(code)s.", code=commune))
        capacity_text = row.get("daily_capacity", "").strip()
        capacity = 30
        if capacity_text:
            if not capacity_text.lstrip("-").isdigit():
                fail("daily_capacity", _("A whole number of parcels per day."))
            elif int(capacity_text) < 0:
                fail("daily_capacity", _("Capacity cannot be negative."))
            else:
                capacity = int(capacity_text)
        try:
            hours = parse_hours(row.get("opening_hours", ""))
        except HoursError:
            fail("opening_hours", _("Opening hours are not readable. Write e.g. "
                                    "\"T2-T6 07:00-17:00; T7 07:00-11:30\"."))
            hours = None
        phone = None
        if row.get("phone", "").strip():
            try:
                phone = clean_phone(row["phone"])
            except ValidationError as error:
                fail("phone", " ".join(error.messages))
        cleaned.append({"code": code, "name": name, "kind": kind, "commune_code": commune,
                        "address": to_nfc(row.get("address", ""))[:250], "lat": lat, "lon": lon,
                        "daily_capacity": capacity, "opening_hours": hours, "phone": phone})
    return cleaned, errors


def import_points(data: bytes, filename: str = "") -> ImportResult:
    """Validate everything, then write everything (or nothing). Flushes; the caller commits."""
    if filename.lower().endswith((".geojson", ".json")) or data.lstrip()[:1] == b"{":
        rows, errors = _rows_from_geojson(data)
    else:
        table = read_table(data, COLUMNS, max_rows=MAX_POINTS)
        rows, errors = table.rows, table.errors
    result = ImportResult(errors=errors)
    if errors:
        return result
    cleaned, result.errors = check_rows(rows)
    if result.errors:
        return result
    existing = {point.code: point for point in db.session.scalars(select(ServicePoint))}
    for row in cleaned:
        point = existing.get(row["code"])
        if point is None:
            db.session.add(ServicePoint(**row, active=True, generated=False))
            result.created += 1
        else:
            for key, value in row.items():
                setattr(point, key, value)
            point.generated = False
            result.updated += 1
    db.session.flush()
    bump_index_version()
    return result
