"""POST /api/v1/imports/<kind>: validate (dry_run) or import a CSV/XLSX file; a file of 500 rows or
more is imported by a background job whose run is read at GET /api/v1/imports/runs/<id>."""

from flask import jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.api.uploads import UPLOAD_DOC, DryRunSchema, RowErrorSchema, refuse_unless_clean, uploaded_file
from connector.auth.sessions import api_access, api_user
from connector.imports import background, services

blp = Blueprint("imports_api", __name__, url_prefix="/imports", description="Bulk import (CSV, XLSX)")


class ImportReportSchema(Schema):
    kind = fields.String()
    rows = fields.Integer()
    new = fields.Integer()
    unchanged = fields.Integer()
    imported = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))


class ImportRunSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    rows = fields.Integer(metadata={"description": "rows to add, as the check of the upload counted them"})
    status = fields.String(metadata={"description": "queued, running, done (every row added) or failed (none)"})
    rows_checked = fields.Method("_checked")
    imported = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.Method("_errors", metadata={"description": "why nothing was imported, row by row"})

    def _checked(self, run) -> int:
        return run.rows if run.status == "done" else min(background.rows_checked(run), run.rows)

    def _errors(self, run) -> list[dict]:
        return [{"row": row, "column": column, "message": message} for row, column, message in run.errors or []]


@blp.route("/<kind>")
class Import(MethodView):
    @api_access("households.write")
    @blp.doc(**UPLOAD_DOC)
    @blp.arguments(DryRunSchema, location="query")
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(202, schema=ImportRunSchema, description="500 rows or more: imported by a background "
                      "job, all or none; the Location header gives the run to read")
    def post(self, args, kind):
        """`kind` is households or products. With dry_run, only the report; else all rows or none."""
        data = uploaded_file()
        user = api_user()
        report = services.preview_import(user, kind, data)
        if args["dry_run"]:
            return report
        refuse_unless_clean(report)
        if background.in_background(report.new):
            run = background.start_run(user, kind, services.stash_upload(user, data, report.new), report.new)
            answer = jsonify(ImportRunSchema().dump(run))
            answer.status_code = 202
            answer.headers["Location"] = url_for("imports_api.ImportRun", run_id=run.id)
            return answer
        return services.run_import(user, kind, data)


@blp.route("/runs/<int:run_id>")
class ImportRun(MethodView):
    @api_access("households.write")
    @blp.response(200, ImportRunSchema)
    def get(self, run_id):
        """A large import's progress and outcome; only whoever started it may read it."""
        return background.get_run(api_user(), run_id)
