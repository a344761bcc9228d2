"""Import pages: templates to download, upload, preview with row errors, confirm."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.imports import background, services

bp = Blueprint("imports", __name__, url_prefix="/imports")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("")
@login_required("households.write")
def index():
    return render_template("imports/index.html", report=None)


@bp.route("/<kind>/template.<ext>")
@login_required("households.write")
def template(kind: str, ext: str):
    found = services.template_file(kind, ext)
    if found is None:
        return redirect(url_for("imports.index"))
    body, filename = found
    mimetype = XLSX_TYPE if ext == "xlsx" else "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/<kind>/preview", methods=["POST"])
@login_required("households.write")
def preview(kind: str):
    services.columns_for(kind)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV or Excel file."), "error")
        return redirect(url_for("imports.index"))
    data = upload.read()
    report = services.preview_import(current_user, kind, data)
    token = services.stash_upload(current_user, data, report.new) if report.clean and report.new else None
    return render_template("imports/index.html", report=report, token=token, filename=upload.filename), (
        200 if report.clean else 422)


@bp.route("/<kind>/run", methods=["POST"])
@login_required("households.write")
def run(kind: str):
    services.columns_for(kind)  # an unknown kind: 404
    token = request.form.get("token", "")
    data = services.load_upload(current_user, token)
    rows = services.stashed_rows(token)
    if background.in_background(rows):
        started = background.start_run(current_user, kind, token, rows)
        db.session.commit()
        return redirect(url_for("imports.progress", run_id=started.id), code=303)
    try:
        report = services.run_import(current_user, kind, data)
    except ValidationFailed:
        db.session.rollback()
        report = services.preview_import(current_user, kind, data)
        return render_template("imports/index.html", report=report, token=None), 422
    flash(_("Imported %(n)s rows; %(m)s were already there.", n=report.imported, m=report.unchanged), "success")
    return redirect(url_for("households.index"))


@bp.route("/runs/<int:run_id>")
@login_required("households.write")
def progress(run_id: int):
    run = background.get_run(current_user, run_id)
    checked = min(background.rows_checked(run), run.rows) if run.status == "running" else 0
    percent = round(100 * checked / run.rows) if run.rows else 0
    return render_template("imports/run.html", run=run, checked=checked, percent=percent)
