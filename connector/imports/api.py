"""POST /api/v1/imports/<kind>: validate (dry_run) or import a CSV/XLSX file."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.auth.sessions import api_auth, api_user
from connector.errors import ValidationFailed
from connector.imports import services

blp = Blueprint("imports_api", __name__, url_prefix="/imports", description="Bulk import (CSV, XLSX)")


class ImportArgsSchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class RowErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ImportReportSchema(Schema):
    kind = fields.String()
    rows = fields.Integer()
    new = fields.Integer()
    unchanged = fields.Integer()
    imported = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))


class FileSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


@blp.route("/<kind>")
class Import(MethodView):
    decorators = [api_auth("households.write")]

    @blp.doc(security=[{"bearerAuth": []}],
             requestBody={"content": {"multipart/form-data": {"schema": FileSchema}}})
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.response(200, ImportReportSchema)
    def post(self, args, kind):
        """`kind` is households or products. With dry_run, only the report; else all rows or none."""
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed(errors={"file": [_("Choose a CSV or Excel file.")]})
        data = upload.read()
        user = api_user()
        if args["dry_run"]:
            return services.preview_import(user, kind, data)
        report = services.preview_import(user, kind, data)
        if not report.clean:
            raise ValidationFailed(_("The file has errors: nothing was imported."), errors={
                "rows": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]})
        return services.run_import(user, kind, data)
