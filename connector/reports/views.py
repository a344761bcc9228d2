"""The officer's and the national dashboards, their breakdowns and exports (issue 14).

An officer sees their province only (another province's figures: 404); admins and national viewers
choose a province or see every province, broken down by province.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from connector.admin_units.models import Commune, Province
from connector.auth.roles import province_scope
from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.reports import exports, svg
from connector.reports.breakdowns import COLUMNS, SORT_DEFAULT, area_from, breakdown, sort_rows
from connector.reports.indicators import (
    BY_KEY,
    INDICATORS,
    Area,
    Period,
    figures,
    onboarded,
    onboarding_target,
    rejection_reasons,
)
from connector.reports.periods import period_from

bp = Blueprint("reports", __name__, url_prefix="/reports")


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
               # No links inside the picture (a dot is too small to tap, and role="img" hides links
               # from screen readers): the table beside the map links every commune.
               "href": None} for row in rows if located.get(row["code"], (None,))[0] is not None]
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
                           chart=chart, map_svg=map_svg, reasons=rejection_reasons(area),
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
