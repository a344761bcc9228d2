"""/api/v1/service-points/nearest, and the carrier's signed status webhook."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from connector.api import WEBHOOK_DOC
from connector.auth.sessions import api_access
from connector.errors import AuthenticationFailed, BadRequest
from connector.logistics.carrier import carrier_adapter
from connector.logistics.geo import inside_vietnam
from connector.logistics.services import nearest_points
from connector.logistics.shipping import apply_event
from connector.remote.errors import MalformedWebhook

blp = Blueprint("logistics_api", __name__, url_prefix="", description="Postal service points and the carrier")


class CarrierReceiptSchema(Schema):
    received = fields.Boolean()
    applied = fields.Boolean(metadata={"description": "False when the shipment is unknown or the status old."})


class NearestArgs(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))

    @validates_schema
    def in_vietnam(self, data, **_kwargs):
        if -90 <= data["lat"] <= 90 and -180 <= data["lon"] <= 180 and not inside_vietnam(data["lat"], data["lon"]):
            raise ValidationError(_("This place is not in Vietnam (check latitude and longitude)."), "lat")


class NearestPoint(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    distance_km = fields.Float()
    open_now = fields.Boolean()


@blp.route("/service-points/nearest")
class Nearest(MethodView):
    @api_access("households.read")
    @blp.arguments(NearestArgs, location="query")
    @blp.response(200, NearestPoint(many=True))
    def get(self, args):
        """Active service points nearest to a place (great-circle km), nearest first, open now or not."""
        return nearest_points(args["lat"], args["lon"], args["limit"])


@blp.route("/webhooks/carrier")
class CarrierWebhook(MethodView):
    @blp.doc(**WEBHOOK_DOC)
    @blp.response(200, CarrierReceiptSchema)
    def post(self):
        """A shipment's status from the carrier, HMAC-signed. Bad signature: 401, nothing changed."""
        try:
            event = carrier_adapter().parse_webhook(request.path, request.headers, request.get_data())
        except MalformedWebhook:
            raise BadRequest(_("The body is not a JSON object.")) from None
        if not isinstance(event, dict):
            raise AuthenticationFailed(_("Invalid signature."))
        return {"received": True, "applied": apply_event(event)}
