"""The officer's and the national dashboards, their breakdowns and exports (issue 14).

An officer sees their province only (another province's figures: 404); admins and national viewers
choose a province or see every province, broken down by province.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from connector.admin_units.models import Commune, Province
from connector.auth.roles import province_scope
from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.reports import by_staff, drawn, exports, summary_read, svg
from connector.reports.breakdowns import COLUMNS, SORT_DEFAULT, area_from, breakdown, sort_rows
from connector.reports.indicators import BY_KEY, INDICATORS, figures
from connector.reports.measures import Area
from connector.reports.periods import period_from
from connector.reports.trends import trend

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _report():
    try:
        kind, period = period_from(request.args)
    except ValidationFailed as failure:
        abort(400, failure.text())
    area = area_from(request.args)
    # Nationally the breakdown is by province, and so is the counting.
    found = figures(area, period, level="commune" if area.province_code else "province")
    by = request.args.get("by") if request.args.get("by") in by_staff.KINDS and area.province_code else None
    if by:  # by agent or by service point, within a province
        return kind, period, area, found, by_staff.staff_breakdown(by, area, period), by, None
    rows, level = breakdown(found, area)
    sort = request.args.get("sort") if request.args.get("sort") in COLUMNS else SORT_DEFAULT
    return kind, period, area, found, sort_rows(rows, sort), level, sort


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
    try:
        kind, period = period_from(request.args)
    except ValidationFailed as failure:
        abort(400, failure.text())
    area = area_from(request.args)
    args = request.args.to_dict()
    # Everything the drawing depends on besides the figures (see reports/drawn.py).
    key = (area, kind, period, tuple(sorted(args.items())), current_user.role, str(get_locale()))
    figures_html, as_of = drawn.drawn(key, _draw_figures)
    provinces = db.session.execute(select(Province.code, Province.name).order_by(Province.name)).all() \
        if province_scope(current_user) is None else []
    return render_template("reports/dashboard.html", kind=kind, period=period, area=area, as_of=as_of,
                           provinces=provinces, communes=communes_of(area.province_code), args=args,
                           figures_html=figures_html,
                           province=db.session.get(Province, area.province_code) if area.province_code else None)


def _draw_figures():
    """The dashboard's figures, chart, map and breakdown as HTML, and the moment they are exact as of."""
    kind, period, area, found, rows, level, sort = _report()
    trend_by = "week" if request.args.get("trend") == "week" else "month"
    chart = trend(area, period, trend_by)
    map_rows = rows if level == "commune" else breakdown(found, area)[0] if area.province_code else None
    map_svg = commune_map(area, map_rows) if map_rows is not None else None
    html = render_template("reports/_dashboard_figures.html", found=found, rows=rows, level=level, sort=sort,
                           indicators=INDICATORS, by_key=BY_KEY,
                           columns=by_staff.COLUMNS if level in by_staff.KINDS else COLUMNS,
                           args=request.args.to_dict(), chart=chart, trend_by=trend_by, map_svg=map_svg,
                           reasons=summary_read.rejection_reasons(area), province=area.province_code)
    return Markup(html), found.as_of  # noqa: S704 - the output of an autoescaping template


def communes_of(province_code: str | None) -> list:
    if not province_code:
        return []
    return db.session.execute(select(Commune.code, Commune.name).where(
        Commune.province_code == province_code).order_by(Commune.name)).all()


@bp.route("/export.<any(csv, xlsx):file_format>")
@login_required("reports.read")
def export(file_format: str):
    """The breakdown as shown, or plain rows (area x period x indicator) for pivoting."""
    _kind, period, area, found, rows, level, _sort = _report()
    layout = "rows" if request.args.get("layout") == "rows" else "table"
    columns = by_staff.COLUMNS if level in by_staff.KINDS else COLUMNS
    return exports.breakdown_file(file_format, layout, rows, level, period, found.as_of, columns)


@bp.route("/monthly.xlsx")
@login_required("reports.read")
def monthly():
    """The province's report upward: one sheet, one row per commune, indicators as columns, signed."""
    _kind, period, area, found, _rows, _level, _sort = _report()
    if area.province_code is None:
        abort(404)
    rows, _level = breakdown(found, area)
    return exports.monthly_report(db.session.get(Province, area.province_code), period, found, rows)
