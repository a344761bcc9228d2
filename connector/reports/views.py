"""The officer's and the national dashboards, their breakdowns and exports (issue 14).

An officer sees their province only (another province's figures: 404); admins and national viewers
choose a province or see every province, broken down by province.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from connector.admin_units.models import Commune, Province
from connector.auth.roles import has_permission, province_scope
from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.reports import exports, svg
from connector.reports.indicators import BY_KEY, INDICATORS, Area, Period, figures, onboarded, onboarding_target
from connector.reports.periods import period_from

bp = Blueprint("reports", __name__, url_prefix="/reports")
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
    province_of = dict(db.session.execute(select(Commune.code, Commune.province_code)).all())
    values = found.grouped(province_of.get)
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


def _report():
    try:
        kind, period = period_from(request.args)
    except ValidationFailed as failure:
        abort(400, failure.text())
    area = area_from(request.args)
    found = figures(area, period)
    rows, level = breakdown(found, area)
    sort = request.args.get("sort") if request.args.get("sort") in COLUMNS else SORT_DEFAULT
    return kind, period, area, found, sort_rows(rows, sort), level, sort


def trend(area: Area, period: Period):
    """Households onboarded by the end of each of the 12 months up to the period's end, against the
    area's onboarding target (the sum of its communes' targets for that year)."""
    last = date(period.last_day.year, period.last_day.month, 1)
    series = []
    for back in range(11, -1, -1):
        month = date(last.year + (last.month - 1 - back) // 12, (last.month - 1 - back) % 12 + 1, 1)
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        series.append((f"T{month.month}/{month.year}", sum(onboarded(area, Period(month, following)).values())))
    target = sum(onboarding_target(area, period).values()) or None
    return svg.trend_chart(series, title=_("Households onboarded, month by month"), target=target,
                           unit=_("households"))


def commune_map(area: Area, rows: list[dict]):
    located = {code: (lat, lon) for code, lat, lon in db.session.execute(select(
        Commune.code, Commune.lat, Commune.lon).where(Commune.province_code == area.province_code))}
    points = [{"code": row["code"], "name": row["name"], "lat": located[row["code"]][0],
               "lon": located[row["code"]][1], "percent": row["values"].get("onboarded_vs_target"),
               "href": row["href"]} for row in rows if located.get(row["code"], (None,))[0] is not None]
    return svg.commune_map(points, title=_("Onboarded against the target, by commune"))


@bp.route("")
@login_required("reports.read")
def dashboard():
    kind, period, area, found, rows, level, sort = _report()
    chart = trend(area, period)
    map_svg = commune_map(area, rows) if level == "commune" else None
    provinces = db.session.execute(select(Province.code, Province.name).order_by(Province.name)).all() \
        if province_scope(current_user) is None else []
    communes = db.session.execute(select(Commune.code, Commune.name).where(
        Commune.province_code == area.province_code).order_by(Commune.name)).all() if area.province_code else []
    return render_template("reports/dashboard.html", kind=kind, period=period, area=area, found=found, rows=rows,
                           level=level, sort=sort, columns=COLUMNS, indicators=INDICATORS, by_key=BY_KEY,
                           provinces=provinces, communes=communes, args=request.args.to_dict(),
                           chart=chart, map_svg=map_svg,
                           province=db.session.get(Province, area.province_code) if area.province_code else None)


@bp.route("/export.<any(csv, xlsx):file_format>")
@login_required("reports.read")
def export(file_format: str):
    """The breakdown as shown, or plain rows (area x period x indicator) for pivoting."""
    _kind, period, area, found, rows, level, _sort = _report()
    layout = "rows" if request.args.get("layout") == "rows" else "table"
    return exports.breakdown_file(file_format, layout, rows, level, period, found.as_of, COLUMNS)


@bp.route("/monthly.xlsx")
@login_required("reports.read")
def monthly():
    """The province's report upward: one sheet, one row per commune, indicators as columns, signed."""
    _kind, period, area, found, rows, level, _sort = _report()
    if area.province_code is None:
        abort(404)
    return exports.monthly_report(db.session.get(Province, area.province_code), period, found, rows)
