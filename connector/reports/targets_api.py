"""POST /api/v1/reports/targets: check (dry_run) or import the national file of commune targets."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.auth.sessions import api_auth, api_user
from connector.errors import ValidationFailed
from connector.reports import targets

blp = Blueprint("targets_api", __name__, url_prefix="/reports/targets",
                description="Commune targets: agricultural households and onboarding targets (CSV, XLSX)")


class TargetImportArgsSchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class TargetRowErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class TargetImportReportSchema(Schema):
    rows = fields.Integer()
    new = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(TargetRowErrorSchema))


class TargetFileSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


@blp.route("")
class TargetImport(MethodView):
    decorators = [api_auth("targets.import")]

    @blp.doc(security=[{"bearerAuth": []}],
             requestBody={"content": {"multipart/form-data": {"schema": TargetFileSchema}}})
    @blp.arguments(TargetImportArgsSchema, location="query")
    @blp.response(200, TargetImportReportSchema)
    def post(self, args):
        """Columns commune_code, year, agricultural_households, onboarding_target (or the template's
        Vietnamese headers). With dry_run, only the report; else every row or none (422 with each error)."""
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed(errors={"file": [_("Choose a CSV or Excel file.")]})
        data = upload.read()
        report = targets.preview_targets(api_user(), data)
        if args["dry_run"]:
            return report
        if not report.clean:
            raise ValidationFailed(_("The file has errors: nothing was imported."), errors={
                "rows": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]})
        return targets.import_targets(api_user(), data)
