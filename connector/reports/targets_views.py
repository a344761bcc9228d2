"""Target pages: a province's targets for a year, adjusted in one form; the admins' national file."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from connector.admin_units.models import Province
from connector.auth.roles import province_scope
from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.reports import targets
from connector.reports.trainings import local_today

bp = Blueprint("targets", __name__, url_prefix="/reports/targets")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chosen_year() -> int:
    """The year asked for, this year when none or an impossible one was."""
    year, problem = targets.parse_year(request.values.get("year", ""))
    return local_today().year if problem else year


def render_targets(province, year: int, values: dict | None = None, errors: dict | None = None,
                   status: int = 200):
    rows = targets.province_targets(province, year) if province else []
    provinces = [] if province_scope(current_user) else list(
        db.session.scalars(select(Province).order_by(Province.short_name)))
    return render_template(
        "reports/targets.html", province=province, year=year, rows=rows, values=values, errors=errors or {},
        provinces=provinces, years=range(targets.FIRST_YEAR, targets.LAST_YEAR + 1),
        total_agricultural=sum(t.agricultural_households for _c, t in rows if t),
        total_target=sum(t.onboarding_target for _c, t in rows if t),
    ), status


@bp.route("", methods=["GET", "POST"])
@login_required("targets.adjust")
def index():
    province = targets.target_province(current_user, request.values.get("province") or None)
    year = chosen_year()
    if request.method == "GET" or province is None:
        return render_targets(province, year)
    codes = {name.split("-", 1)[1] for name in request.form if name.startswith(("agricultural-", "target-"))}
    values = {code: (request.form.get(f"agricultural-{code}", ""), request.form.get(f"target-{code}", ""))
              for code in codes}
    try:
        changed = targets.adjust_targets(current_user, province, year, values)
    except ValidationFailed as failure:
        return render_targets(province, year, values, failure.errors, status=422)
    flash(_("Saved: %(n)s communes changed.", n=changed) if changed else _("Nothing changed."), "success")
    return redirect(url_for("targets.index", year=year, province=province.code))


@bp.route("/import", methods=["GET", "POST"])
@login_required("targets.import")
def import_file():
    if request.method == "GET":
        return render_template("reports/targets_import.html", report=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV or Excel file."), "error")
        return redirect(url_for("targets.import_file"))
    data = upload.read()
    if request.form.get("action") != "import":
        report = targets.preview_targets(current_user, data)
        return render_template("reports/targets_import.html", report=report, filename=upload.filename,
                               checked_only=True), 200 if report.clean else 422
    try:
        report = targets.import_targets(current_user, data)
    except ValidationFailed:
        db.session.rollback()
        report = targets.preview_targets(current_user, data)
        return render_template("reports/targets_import.html", report=report, filename=upload.filename), 422
    flash(_("Targets imported: %(new)s new, %(updated)s changed, %(unchanged)s unchanged.",
            new=report.new, updated=report.updated, unchanged=report.unchanged), "success")
    return redirect(url_for("targets.import_file"))


@bp.route("/template.<ext>")
@login_required("targets.import")
def template(ext: str):
    found = targets.template_file(ext)
    if found is None:
        return redirect(url_for("targets.import_file"))
    body, filename = found
    mimetype = XLSX_TYPE if ext == "xlsx" else "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})
