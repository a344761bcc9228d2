"""Pages of the large exports: ask for one (from the dashboard's filters), follow its progress (the
page reloads itself every few seconds, no JavaScript needed), download it once written."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.reports.breakdowns import area_from
from connector.reports.large_exports import export_folder, request_export
from connector.reports.models import ReportExport
from connector.reports.periods import period_from

bp = Blueprint("report_exports", __name__, url_prefix="/reports/exports")


@bp.route("", methods=["POST"])
@login_required("reports.read")
def create():
    try:
        _kind, period = period_from(request.form)
    except ValidationFailed as failure:
        abort(400, failure.text())
    area = area_from(request.form)  # another province than the viewer's: 404, nothing recorded
    file_format = "xlsx" if request.form.get("file_format") == "xlsx" else "csv"
    export = request_export(current_user, area, period, file_format)
    db.session.commit()
    return redirect(url_for("report_exports.show", export_id=export.id), code=303)


def _own(export_id: int) -> ReportExport:
    export = db.session.get(ReportExport, export_id)
    if export is None or export.requested_by_id != current_user.id:
        abort(404)
    return export


@bp.route("/<int:export_id>")
@login_required("reports.read")
def show(export_id: int):
    export = _own(export_id)
    response = render_template("reports/export.html", export=export, last_day=export.end - timedelta(days=1),
                               percent=round(100 * export.months_done / export.months) if export.months else 100)
    return response, 200, {"Cache-Control": "private, no-store"}


@bp.route("/<int:export_id>/file")
@login_required("reports.read")
def download(export_id: int):
    export = _own(export_id)
    if export.status != "done" or not export.file_name:
        abort(404)
    return send_file(export_folder() / export.file_name, as_attachment=True, download_name=export.file_name,
                     max_age=0, conditional=False)
