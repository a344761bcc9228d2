"""The SMS gateway's delivery reports (signed like every webhook here), and the farmer's phone
subscribing to Web Push."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from connector.api import WEBHOOK_DOC, json_body
from connector.db import utcnow
from connector.errors import AuthenticationFailed, ValidationFailed
from connector.extensions import db
from connector.notices.models import AttemptStatus, NoticeAttempt
from connector.signing import verify

blp = Blueprint("notices_api", __name__, url_prefix="", description="Notices: SMS delivery reports")
DELIVERED = 5  # eSMS's SendStatus for "delivered to the phone"


class DeliveryReportSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    SMSID = fields.String(required=True, validate=validate.Length(min=1, max=80))
    RequestId = fields.String(required=True, validate=validate.Length(min=1, max=40))
    SendStatus = fields.Integer(required=True, strict=True)


class DeliveryReceiptSchema(Schema):
    received = fields.Boolean()
    known = fields.Boolean(metadata={"description": "Whether the report's RequestId names an SMS we sent."})


@blp.route("/webhooks/sms")
class SmsDeliveryReport(MethodView):
    @blp.doc(**WEBHOOK_DOC)
    @blp.response(200, DeliveryReceiptSchema)
    def post(self):
        """The gateway's delivery report for one SMS. Bad signature: 401, nothing changed."""
        body = request.get_data()
        if not verify(current_app.config["NOTICES"]["sms"]["webhook_secret"], "POST", request.path,
                      request.headers, body):
            raise AuthenticationFailed(_("Invalid signature."))
        try:
            report = DeliveryReportSchema().load(json_body())
        except ValidationError as error:
            raise ValidationFailed(errors=error.messages) from error
        attempt = db.session.scalar(select(NoticeAttempt).where(NoticeAttempt.request_id == report["RequestId"],
                                                                NoticeAttempt.channel == "sms"))
        if attempt is None:
            return {"received": True, "known": False}
        if report["SendStatus"] == DELIVERED:
            attempt.status = AttemptStatus.DELIVERED
        else:
            attempt.error = f"delivery report: status {report['SendStatus']}"
        attempt.finished_at = attempt.finished_at or utcnow()
        return {"received": True, "known": True}
