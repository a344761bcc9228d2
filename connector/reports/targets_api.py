"""POST /api/v1/reports/targets: check (dry_run) or import the national file of commune targets."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.api.uploads import UPLOAD_DOC, DryRunSchema, RowErrorSchema, refuse_unless_clean, uploaded_file
from connector.auth.sessions import api_access, api_user
from connector.reports import targets

blp = Blueprint("targets_api", __name__, url_prefix="/reports/targets",
                description="Commune targets: agricultural households and onboarding targets (CSV, XLSX)")


class TargetImportReportSchema(Schema):
    rows = fields.Integer()
    new = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))


@blp.route("")
class TargetImport(MethodView):
    @api_access("targets.import")
    @blp.doc(**UPLOAD_DOC)
    @blp.arguments(DryRunSchema, location="query")
    @blp.response(200, TargetImportReportSchema)
    def post(self, args):
        """Columns commune_code, year, agricultural_households, onboarding_target (or the template's
        Vietnamese headers). With dry_run, only the report; else every row or none (422 with each error)."""
        data = uploaded_file()
        report = targets.preview_targets(api_user(), data)
        if args["dry_run"]:
            return report
        refuse_unless_clean(report)
        return targets.import_targets(api_user(), data)
