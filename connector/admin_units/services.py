"""Administrative units: loading the official list, lookup, search and pre-2025 conversion."""

from __future__ import annotations

import csv
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from connector.admin_units import choices, legacy
from connector.admin_units.models import Commune, Province
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.text import fold

UNITS_FILE = Path(__file__).parent / "data" / "units_2025.csv"  # from vietnamadminunits (MIT): derive.py


def sync_admin_units() -> dict[str, int]:
    """Insert or update the 34 provinces and 3,321 communes from the packaged official list.

    Idempotent: run at every release and by `make run`. Only flushes; the caller commits.
    """
    with UNITS_FILE.open(encoding="utf-8") as handle:
        rows = [{**row, **{field: float(row[field]) if row[field] else None
                           for field in ("provinceLat", "provinceLon", "wardLat", "wardLon", "wardAreaKm2")}}
                for row in csv.DictReader(handle)]
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    communes = {c.code: c for c in db.session.scalars(select(Commune))}
    for row in rows:
        province = provinces.get(row["provinceCode"])
        if province is None:
            province = provinces[row["provinceCode"]] = Province(code=row["provinceCode"])
            db.session.add(province)
        province.name = row["province"]
        province.short_name = row["provinceShort"]
        province.unit_type = row["province"].removesuffix(row["provinceShort"]).strip()
        province.lat, province.lon = row["provinceLat"], row["provinceLon"]
        province.search_key = fold(f'{row["provinceShort"]} | {row["province"]}')

        commune = communes.get(row["wardCode"])
        if commune is None:
            commune = communes[row["wardCode"]] = Commune(code=row["wardCode"])
            db.session.add(commune)
        commune.province_code = row["provinceCode"]
        commune.name = row["ward"]
        commune.short_name = row["wardShort"]
        commune.unit_type = row["wardType"]
        commune.lat, commune.lon = row["wardLat"], row["wardLon"]
        commune.area_km2 = row["wardAreaKm2"]
        commune.search_key = fold(f'{row["wardShort"]} | {row["ward"]}')
    db.session.flush()
    choices.forget()
    return {"provinces": len(provinces), "communes": len(communes)}


def list_provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.code)))


def get_province(code: str, field: str = "province_code") -> Province:
    """The province with this 2025 code, or a validation error naming `field`."""
    province = db.session.get(Province, code) if code else None
    if province is None:
        raise ValidationFailed(errors={field: [_("Unknown province code: %(code)s.", code=code)]})
    return province


def get_commune(code: str, field: str = "commune_code") -> Commune:
    """The commune with this 2025 code, or a validation error naming `field`."""
    commune = db.session.get(Commune, code) if code else None
    if commune is None:
        raise ValidationFailed(errors={field: [_("Unknown commune code: %(code)s.", code=code)]})
    return commune


def list_communes(province_code: str) -> list[Commune]:
    province = get_province(province_code)
    return list(db.session.scalars(
        select(Commune).where(Commune.province_code == province.code).order_by(Commune.code)
    ))


def search_communes(query: str, province_code: str | None = None, limit: int = 20) -> list[Commune]:
    """Communes whose name matches `query` ignoring diacritics and case, best matches first.

    "Hải Lăng", "hai lang" and "HAI LANG" give the same answer: exact short name first, then names
    that start with the query, then names containing it.
    """
    key = fold(query)
    statement = (
        select(Commune)
        .options(joinedload(Commune.province))  # the answer names each commune's province
        .where(Commune.search_key.contains(key, autoescape=True))
    )
    if province_code:
        statement = statement.where(Commune.province_code == get_province(province_code, "province").code)
    rank = case(
        (Commune.search_key.startswith(key + " |", autoescape=True), 0),
        (Commune.search_key.startswith(key, autoescape=True), 1),
        else_=2,
    )
    return list(db.session.scalars(statement.order_by(rank, Commune.short_name).limit(limit)))


def convert_legacy_address(province: str, district: str, commune: str) -> dict:
    """Map a pre-2025 address (63 provinces, districts, communes) to today's commune.

    Names may come with or without diacritics and type words ("Xã", "Huyện"). Raises a validation
    error naming the field that could not be matched.
    """
    try:
        ward = legacy.find_ward(commune or "", district, province or "")
    except legacy.NotMatched as missing:
        if missing.level == "province":
            raise ValidationFailed(errors={"province": [_("This province was not found in the pre-2025 list.")]}) \
                from None
        raise ValidationFailed(errors={"commune": [_("This commune was not found in the pre-2025 list.")]}) from None
    return {
        "commune": get_commune(ward.commune_2025, "commune"),
        "legacy": {"province": ward.province, "district": ward.district, "commune": ward.name,
                   "commune_code": ward.code},
    }
