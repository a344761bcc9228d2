"""/api/v1: an order's payment QR (JSON, PNG, SVG), staff payments, and the bank's signed notices."""

from __future__ import annotations

from flask import current_app, make_response, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from connector.api import WEBHOOK_DOC, json_body
from connector.auth.sessions import api_access, api_user
from connector.errors import AuthenticationFailed, ValidationFailed
from connector.media import qr_images
from connector.orders.services import get_order
from connector.payments import services
from connector.payments.models import PaymentMethod
from connector.signing import verify

blp = Blueprint("payments_api", __name__, url_prefix="", description="Payments: VietQR and bank notices")


class NoticeSchema(Schema):
    """A bank-statement notice: one incoming transfer."""

    bank_reference = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    memo = fields.String(load_default="", validate=validate.Length(max=200))
    occurred_at = fields.AwareDateTime(required=True)
    account = fields.String(load_default=None, validate=validate.Length(max=19))
    bin = fields.String(load_default=None, validate=validate.Length(equal=6))


class NoticeReceiptSchema(Schema):
    received = fields.Boolean()
    duplicate = fields.Boolean(metadata={"description": "The same bank reference came before."})
    outcome = fields.String(metadata={"description": "The order's payment status, or unmatched (staff match it)."})


class StaffPaymentSchema(Schema):
    amount = fields.Integer(required=True, strict=True)
    method = fields.String(required=True, validate=validate.OneOf([PaymentMethod.CASH, PaymentMethod.TRANSFER_SEEN]))


class PaymentSchema(Schema):
    id = fields.Integer()
    amount_vnd = fields.Integer()
    method = fields.String()
    received_at = fields.DateTime()
    order_status = fields.Function(lambda p: p.order.payment_status if p.order else None)


class PaymentQRSchema(Schema):
    order_code = fields.String()
    payload = fields.String(metadata={"description": "The EMVCo text the banking apps read"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "The payload's fields, decoded"})
    png_url = fields.String()
    svg_url = fields.String()
    pay_url = fields.String(metadata={"description": "The public pay page for the buyer"})


_BINARY = {"schema": {"type": "string", "format": "binary"}}
QR_IMAGE_RESPONSES = {
    "200": {"description": "The QR code as an image",
            "content": {qr_images.FORMATS["png"]: _BINARY, qr_images.FORMATS["svg"]: _BINARY},
            "headers": {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}}},
    "304": {"description": "Not modified: If-None-Match named the image's ETag"},
}


def _load(schema: Schema, body: dict) -> dict:
    try:
        return schema.load(body)
    except ValidationError as error:
        raise ValidationFailed(errors=error.messages) from error


def qr_document(order) -> dict:
    qr, payload = services.order_qr(order)
    token = qr_images.image_token(current_app.config["SECRET_KEY"], payload)
    return {
        "order_code": order.code, "payload": payload, "fields_": qr.as_dict(),
        "png_url": url_for("payments.qr_image", token=token, image_format="png", _external=True),
        "svg_url": url_for("payments.qr_image", token=token, image_format="svg", _external=True),
        "pay_url": url_for("payments.pay", code=order.code, _external=True),
    }


def image_response(payload: str, image_format: str, level: str, cache_control: str):
    """The QR image with an ETag; a client that has it gets 304 without a new drawing."""
    tag = qr_images.etag(payload, image_format, level)
    if request.if_none_match.contains(tag):
        response = make_response("", 304)
    else:
        response = make_response(qr_images.render(payload, image_format, level))
        response.mimetype = qr_images.FORMATS[image_format]
    response.set_etag(tag)
    response.headers["Cache-Control"] = cache_control
    return response


@blp.route("/orders/<int:order_id>/payment-qr")
class OrderPaymentQR(MethodView):
    @api_access("households.read")
    @blp.response(200, PaymentQRSchema)
    def get(self, order_id):
        """The order's dynamic VietQR: payload, its fields, and image and pay-page links."""
        return qr_document(get_order(api_user(), order_id))


@blp.route("/orders/<int:order_id>/payment-qr.<any(png, svg):image_format>")
class OrderPaymentQRImage(MethodView):
    @api_access("households.read")
    @blp.doc(responses=QR_IMAGE_RESPONSES)
    def get(self, order_id, image_format):
        """The order's VietQR as PNG or SVG (error correction M; ETag)."""
        _qr, payload = services.order_qr(get_order(api_user(), order_id))
        return image_response(payload, image_format, "M", "private, no-cache")


@blp.route("/orders/<int:order_id>/payments")
class OrderPayments(MethodView):
    @api_access("payments.record")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": StaffPaymentSchema}}})
    @blp.response(201, PaymentSchema)
    def post(self, order_id):
        """Staff record cash received or a transfer they saw: `{"amount": 150000, "method": "cash"}`."""
        user = api_user()
        data = _load(StaffPaymentSchema(), json_body())
        return services.record_staff_payment(user, get_order(user, order_id), data["amount"], data["method"])


@blp.route("/webhooks/payments")
class PaymentNotice(MethodView):
    @blp.doc(**WEBHOOK_DOC)
    @blp.response(200, NoticeReceiptSchema)
    def post(self):
        """A bank notice, HMAC-signed like the marketplaces' webhooks. Bad signature: 401, nothing stored."""
        body = request.get_data()
        if not verify(current_app.config["PAYMENTS_WEBHOOK_SECRET"], "POST", request.path, request.headers, body):
            raise AuthenticationFailed(_("Invalid signature."))
        notice = _load(NoticeSchema(), json_body())
        payment, duplicate = services.receive_notice(notice)
        return {"received": True, "duplicate": duplicate,
                "outcome": payment.order.payment_status if payment.order else "unmatched"}
