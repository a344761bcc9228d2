"""What a marketplace event must hold before it is stored (issue 15): a signed but malformed event
was stored, its job failed, and RQ retried it for ever. Checked at the door instead: a webhook with a
malformed event is answered 422 with what is wrong, a pulled one is logged and skipped, and nothing
of it is stored. Lengths are the columns' (an order id longer than ours would not fit)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

MONEY = validate.Range(min=0, max=10**12)


class _Open(Schema):
    class Meta:
        unknown = INCLUDE  # each marketplace adds fields of its own (payment words, timestamps)


class _Item(_Open):
    seller_sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=1_000_000))
    unit_price = fields.Integer(strict=True, load_default=0, validate=MONEY)


class _Buyer(_Open):
    name = fields.String(validate=validate.Length(max=120))
    phone = fields.String(validate=validate.Length(max=20))
    address = fields.String(validate=validate.Length(max=2000))


class _OrderCreated(_Open):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.Length(max=20))
    total = fields.Integer(strict=True, validate=MONEY)
    items = fields.List(fields.Nested(_Item), required=True, validate=validate.Length(min=1, max=500))
    buyer = fields.Nested(_Buyer)


class _OrderStatus(_Open):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(required=True, validate=validate.Length(min=1, max=20))


class _OrderSettled(_Open):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    settlement_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount = fields.Integer(strict=True, required=True, validate=MONEY)


class _ListingEvent(_Open):
    seller_sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.Length(max=30))
    reason = fields.String(allow_none=True, validate=validate.Length(max=200))
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=2**31 - 1))


class _Envelope(_Open):
    event_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    sequence = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=2**62))
    data = fields.Dict(load_default=dict)


DATA = {"order.created": _OrderCreated, "order.status": _OrderStatus, "order.settled": _OrderSettled,
        "product.reviewed": _ListingEvent, "product.status": _ListingEvent}


def event_problems(event) -> dict | None:
    """What is wrong with the event (field -> messages), or None when it can be stored."""
    if not isinstance(event, dict):
        return {"event": ["not an object"]}
    try:
        envelope = _Envelope().load(event)
        schema = DATA.get(envelope["type"])
        if schema is not None:
            schema().load(envelope["data"])
    except ValidationError as error:
        return error.messages
    return None
