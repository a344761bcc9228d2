"""Which area a viewer asks for (within their scope) and its figures row by row: per commune when a
province is chosen, per province for every province; shared by the pages, the files and the API."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from connector.admin_units.models import Commune, Province
from connector.auth.roles import has_permission, province_scope
from connector.extensions import db
from connector.reports.measures import Area

# The breakdown's columns, in order; the first ratio is what "furthest behind" sorts by.
COLUMNS = ["onboarded", "onboarded_vs_target", "onboarded_share", "trained", "active", "live_both", "orders",
           "order_value"]
SORT_DEFAULT = "onboarded_vs_target"


def area_from(args, user=None) -> Area:
    """The area asked for, within the viewer's scope: a province outside it is not found."""
    own = province_scope(user or current_user)
    province = (args.get("province") or "").strip() or own
    if own is not None and province != own:
        abort(404)
    if province is not None and db.session.get(Province, province) is None:
        abort(404)
    commune = (args.get("commune") or "").strip() or None
    if commune is not None:
        found = db.session.get(Commune, commune)
        if found is None or (province is not None and found.province_code != province):
            abort(404)
    return Area(province, commune)


def breakdown(found, area: Area) -> tuple[list[dict], str]:
    """Rows per commune (a province chosen) or per province (every province): name, link, figures."""
    if area.province_code:
        communes = db.session.execute(select(Commune.code, Commune.name).where(
            Commune.province_code == area.province_code).order_by(Commune.name)).all()
        values = found.communes
        can_list = has_permission(current_user, "households.read")
        rows = [{"code": code, "name": name, "values": values.get(code, {}),
                 "href": url_for("households.index", commune_code=code) if can_list else None}
                for code, name in communes if area.commune_code in (None, code)]
        return rows, "commune"
    values = found.communes if found.level == "province" else found.grouped(dict(db.session.execute(
        select(Commune.code, Commune.province_code)).all()).get)
    rows = [{"code": code, "name": name, "values": values.get(code, {}),
             "href": url_for("reports.dashboard", province=code, **_period_args())}
            for code, name in db.session.execute(select(Province.code, Province.name).order_by(Province.name))]
    return rows, "province"


def _period_args() -> dict:
    return {key: request.args[key] for key in ("period", "year", "month", "quarter", "half", "from", "to")
            if request.args.get(key)}


def sort_rows(rows: list[dict], key: str) -> list[dict]:
    """Furthest behind first: the smallest value of `key` first, rows with no value (no target) last."""
    return sorted(rows, key=lambda row: (row["values"].get(key) is None, row["values"].get(key) or 0, row["name"]))
