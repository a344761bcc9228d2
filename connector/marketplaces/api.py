"""Marketplace webhooks in, and publishing actions for the API."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from connector.api import WEBHOOK_DOC, error_doc, json_body
from connector.auth.sessions import api_access, api_user
from connector.catalogue.services import get_product
from connector.errors import AuthenticationFailed, BadRequest, NotFound, ValidationFailed
from connector.marketplaces import MARKETPLACES, services
from connector.marketplaces.adapters import adapter_for, storefronts
from connector.marketplaces.event_checks import event_problems
from connector.marketplaces.events import record_event
from connector.remote.errors import MalformedWebhook

blp = Blueprint("marketplaces_api", __name__, url_prefix="", description="Marketplace publishing and webhooks")


class PublishSchema(Schema):
    marketplaces = fields.List(fields.String(validate=validate.OneOf(MARKETPLACES)),
                               load_default=list(MARKETPLACES))


class WebhookReceiptSchema(Schema):
    received = fields.Boolean()
    duplicate = fields.Boolean(metadata={"description": "The same event came before: nothing new stored."})


class ListingSchema(Schema):
    id = fields.Integer()
    marketplace = fields.String()
    state = fields.String()
    seller_sku = fields.String()
    remote_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    synced_price = fields.Integer(allow_none=True)
    synced_stock = fields.Integer(allow_none=True)


@blp.route("/webhooks/<marketplace>")
@blp.route("/webhooks/<marketplace>/<storefront>")
class Webhook(MethodView):
    @blp.doc(**WEBHOOK_DOC)
    @blp.doc(responses={"404": error_doc("No such marketplace or shop.")})
    @blp.response(200, WebhookReceiptSchema)
    def post(self, marketplace, storefront=""):
        """A marketplace's event, signed (HMAC-SHA256) with the secret of the national account or of the
        province's shop (`/webhooks/<marketplace>/<province code>`). Bad signature: 401, nothing stored."""
        if marketplace not in MARKETPLACES or storefront not in storefronts(marketplace):
            raise NotFound()
        adapter = adapter_for(marketplace, storefront)
        try:
            event = adapter.parse_webhook(request.path, request.headers, request.get_data())
        except MalformedWebhook:
            raise BadRequest(_("The body is not a JSON object.")) from None
        if event is None:
            raise AuthenticationFailed(_("Invalid signature."))
        problems = event_problems(event)
        if problems:
            raise ValidationFailed(errors={"event": problems})  # nothing stored, so no job retried for ever
        stored = record_event(marketplace, event)
        return {"received": True, "duplicate": stored is None}


@blp.route("/products/<int:product_id>/listings")
class ProductListings(MethodView):
    @api_access("households.read")
    @blp.response(200, ListingSchema(many=True))
    def get(self, product_id):
        """Each marketplace's listing of the product: state, reason, remote id."""
        return list(services.listings_of(get_product(api_user(), product_id)).values())


@blp.route("/products/<int:product_id>/publish")
class Publish(MethodView):
    @api_access("households.write")
    @blp.doc(requestBody={"content": {"application/json": {"schema": PublishSchema}}})
    @blp.response(202, ListingSchema(many=True))
    def post(self, product_id):
        """Publish ("Đăng lên sàn") to the chosen marketplaces; the work happens in background jobs."""
        body = json_body() if request.get_data() else {}  # no body: both marketplaces
        try:
            choice = PublishSchema().load(body)
        except ValidationError as error:
            raise ValidationFailed(errors=error.messages) from error
        user = api_user()
        return services.publish_product(user, get_product(user, product_id, for_write=True), choice["marketplaces"])
