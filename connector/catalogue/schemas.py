import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from connector.api.fields import CleanedString, WholeNumber
from connector.api.schemas import OutputSchema
from connector.catalogue.choices import CATEGORIES, UNITS
from connector.catalogue.models import ProductStatus
from connector.households.validation import clean_text

MAX_PRICE_VND = 10**12
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def parse_vnd(value) -> int:
    """A VND amount as typed: 150000, "150000", "150.000", "150,000", "150 000 ₫" -> 150000.

    Anything with decimals or mixed grouping is refused rather than guessed.
    """
    if isinstance(value, bool):
        raise ValidationError(_l("Type the price in đồng, e.g. 150000 or 150.000."))
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float) and value.is_integer():
        amount = int(value)
    else:
        text = re.sub(r"\s*(₫|đ|vnd|vnđ|đồng)\s*$", "", str(value or "").strip(), flags=re.IGNORECASE).strip()
        if text.isdigit():
            amount = int(text)
        elif _GROUPED.match(text) and len({ch for ch in text if not ch.isdigit()}) == 1:
            amount = int(re.sub(r"\D", "", text))
        else:
            raise ValidationError(_l("Type the price in đồng, e.g. 150000 or 150.000."))
    if amount <= 0:
        raise ValidationError(_l("The price must be more than 0 đ."))
    if amount > MAX_PRICE_VND:
        raise ValidationError(_l("The price is too large."))
    return amount


class VndField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        return parse_vnd(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class ProductInputSchema(Schema):
    name = CleanedString(lambda v: _require(clean_text(v, 150)), required=True)
    description = CleanedString(lambda v: clean_text(v, 4000, paragraphs=True), load_default="")
    category = fields.String(required=True, validate=validate.OneOf(
        list(CATEGORIES), error=_l("Choose a category from the list.")))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS, error=_l("Choose a unit from the list.")))
    price_vnd = VndField(required=True)
    stock = WholeNumber(load_default=0, validate=[
        validate.Range(min=0, error=_l("Stock must be 0 or more.")),
        validate.Range(max=10_000_000, error=_l("Stock can be at most 10,000,000."))])
    weight_grams = WholeNumber(required=True, validate=validate.Range(
        min=1, max=1_000_000, error=_l("Weight per unit: from 1 g to 1,000 kg.")))
    ocop_stars = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf(
        [3, 4, 5], error=_l("OCOP stars are 3, 4 or 5.")))
    ocop_certificate_no = CleanedString(lambda v: clean_text(v, 60) or None, load_default=None, allow_none=True)
    ocop_province_code = fields.String(load_default=None, allow_none=True)
    ocop_issued_on = fields.Date(load_default=None, allow_none=True)
    ocop_expires_on = fields.Date(load_default=None, allow_none=True)
    lot_code = CleanedString(lambda v: clean_text(v, 60), load_default="")
    status = fields.String(load_default=ProductStatus.DRAFT, validate=validate.OneOf(
        [ProductStatus.DRAFT, ProductStatus.ACTIVE, ProductStatus.PAUSED]))

    @validates_schema(skip_on_field_errors=False)
    def ocop_certificate(self, data, **kwargs):
        if not data.get("ocop_stars"):
            return
        errors = {}
        for field in ("ocop_certificate_no", "ocop_province_code", "ocop_issued_on", "ocop_expires_on"):
            if not data.get(field):
                errors[field] = [_l("Required for an OCOP product.")]
        issued, expires = data.get("ocop_issued_on"), data.get("ocop_expires_on")
        if issued and expires and expires <= issued:
            errors["ocop_expires_on"] = [_l("The expiry date must be after the issue date.")]
        if errors:
            raise ValidationError(errors)


def _require(text: str) -> str:
    if not text:
        raise ValidationError(_l("Enter the product name."))
    return text


class PhotoSchema(OutputSchema):
    id = fields.Integer()
    position = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    url = fields.Function(lambda photo: f"/media/{photo.key}")
    thumb_url = fields.Function(lambda photo: f"/media/{photo.thumb_key}")


class ProductSchema(OutputSchema):
    id = fields.Integer()
    household_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    unit = fields.String()
    price_vnd = fields.Integer()
    stock = fields.Integer()
    weight_grams = fields.Integer()
    ocop_stars = fields.Integer(allow_none=True)
    ocop_certificate_no = fields.String(allow_none=True)
    ocop_province_code = fields.String(allow_none=True)
    ocop_issued_on = fields.Date(allow_none=True)
    ocop_expires_on = fields.Date(allow_none=True)
    ocop_expired = fields.Boolean()
    ocop_advertised_stars = fields.Integer(allow_none=True)
    lot_code = fields.String()
    status = fields.String()
    photos = fields.List(fields.Nested(PhotoSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
