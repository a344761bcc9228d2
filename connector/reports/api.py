"""The monthly onboarding report as JSON, for a ministry portal pulling it with a national viewer's
token (or an officer's, for their province)."""

from __future__ import annotations

from flask import abort, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from connector.admin_units.models import Province
from connector.auth.sessions import api_access, api_user
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.reports.breakdowns import area_from, breakdown
from connector.reports.exports import MONTHLY_COLUMNS, monthly_rows
from connector.reports.indicators import figures
from connector.reports.periods import period_from

blp = Blueprint("reports_api", __name__, url_prefix="/reports", description="Reports: onboarding progress")


class OnboardingQuery(Schema):
    province = fields.String(required=True, metadata={"description": "Province code (2025 units), e.g. 44"})
    from_ = fields.Date(data_key="from", required=True, metadata={"description": "First day, YYYY-MM-DD"})
    to = fields.Date(required=True, metadata={"description": "Last day, YYYY-MM-DD (included)"})


@blp.route("/onboarding")
class OnboardingReport(MethodView):
    @api_access("reports.read")
    @blp.doc(parameters=[
        {"in": "query", "name": name, "required": True, "schema": {"type": "string"}, "description": text}
        for name, text in (("province", "Province code, e.g. 44"), ("from", "First day, YYYY-MM-DD"),
                           ("to", "Last day, YYYY-MM-DD (included)"))])
    @blp.response(200)
    def get(self):
        """The province's monthly report: one row per commune, the indicators as columns, the province's
        totals, the period and the time the figures were counted. Another province than the caller's
        (an officer's) is 404."""
        if not request.args.get("province") or not request.args.get("from") or not request.args.get("to"):
            raise ValidationFailed(errors={"province": ["province, from and to are required"]})
        _kind, period = period_from({**request.args, "period": "range"})
        area = area_from(request.args, api_user())
        if area.province_code is None:
            abort(404)
        found = figures(area, period)
        rows, _level = breakdown(found, area)
        province = db.session.get(Province, area.province_code)
        return {"province": {"code": province.code, "name": province.name},
                "period": {"from": period.start.isoformat(), "to": period.last_day.isoformat()},
                "as_of": found.as_of.isoformat(), "columns": MONTHLY_COLUMNS,
                "rows": monthly_rows(found, rows),
                "totals": {key: found.totals.get(key) for key in MONTHLY_COLUMNS}}
