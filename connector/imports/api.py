"""POST /api/v1/imports/<kind>: validate (dry_run) or import a CSV/XLSX file."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.api.uploads import UPLOAD_DOC, DryRunSchema, RowErrorSchema, refuse_unless_clean, uploaded_file
from connector.auth.sessions import api_access, api_user
from connector.imports import services

blp = Blueprint("imports_api", __name__, url_prefix="/imports", description="Bulk import (CSV, XLSX)")


class ImportReportSchema(Schema):
    kind = fields.String()
    rows = fields.Integer()
    new = fields.Integer()
    unchanged = fields.Integer()
    imported = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))


@blp.route("/<kind>")
class Import(MethodView):
    @api_access("households.write")
    @blp.doc(**UPLOAD_DOC)
    @blp.arguments(DryRunSchema, location="query")
    @blp.response(200, ImportReportSchema)
    def post(self, args, kind):
        """`kind` is households or products. With dry_run, only the report; else all rows or none."""
        data = uploaded_file()
        user = api_user()
        report = services.preview_import(user, kind, data)
        if args["dry_run"]:
            return report
        refuse_unless_clean(report)
        return services.run_import(user, kind, data)
