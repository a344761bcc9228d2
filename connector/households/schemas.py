from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from connector.api.fields import CleanedString
from connector.api.schemas import OutputSchema
from connector.households import validation
from connector.households.models import HouseholdStatus


def _text(max_length):
    return CleanedString(lambda value: validation.clean_text(value, max_length), load_default="")


class HouseholdInputSchema(Schema):
    """What an agent types for a household, from the form, the API or an import row."""

    head_name = CleanedString(validation.clean_person_name, required=True)
    phone = CleanedString(validation.clean_phone, required=True)
    commune_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$", error=_l(
        "A commune code has 5 digits.")))
    # A pre-2025 address, converted to today's commune when no commune code is given.
    legacy_province = _text(100)
    legacy_district = _text(100)
    legacy_commune = _text(100)
    village = _text(120)
    address_line = _text(200)
    lat = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    lon = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    vpostcode = CleanedString(validation.clean_vpostcode, load_default=None, allow_none=True)
    main_products = _text(300)
    payout_bin = fields.String(load_default="")
    payout_account = fields.String(load_default="")
    payout_holder = fields.String(load_default="")
    consent = fields.Boolean(load_default=False)

    @validates_schema(skip_on_field_errors=False)
    def place_and_payout(self, data, **kwargs):
        errors = {}
        partial = kwargs.get("partial") or self.partial
        if partial:
            return  # updates are validated merged with the stored household (see services)
        if not data.get("commune_code") and not (data.get("legacy_province") and data.get("legacy_commune")):
            errors["commune_code"] = [_l("Choose the commune, or type the old (pre-2025) address.")]
        if (data.get("lat") is None) != (data.get("lon") is None):
            errors["lat"] = [_l("Give both latitude and longitude, or neither.")]
        try:
            validation.clean_payout(data.get("payout_bin"), data.get("payout_account"), data.get("payout_holder"))
        except ValidationError as error:
            errors.update(error.messages)
        if errors:
            raise ValidationError(errors)

    @post_load
    def clean_payout(self, data, **kwargs):
        if kwargs.get("partial") or self.partial:
            return data
        data.update(validation.clean_payout(data.pop("payout_bin"), data.pop("payout_account"),
                                            data.pop("payout_holder")))
        return data


class HouseholdUpdateSchema(HouseholdInputSchema):
    """Updates send only what changes."""

    class Meta:
        partial = True


class HouseholdSchema(OutputSchema):
    id = fields.Integer()
    head_name = fields.String()
    phone = fields.String()
    province_code = fields.String()
    commune_code = fields.String()
    commune_name = fields.Function(lambda h: h.commune.name)
    village = fields.String()
    address_line = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    location_approximate = fields.Boolean()
    vpostcode = fields.String(allow_none=True)
    main_products = fields.String()
    payout_bin = fields.String(allow_none=True)
    payout_account = fields.String(attribute="payout_account_masked", allow_none=True)
    payout_holder = fields.String(allow_none=True)
    consent_version = fields.String(allow_none=True)
    consent_at = fields.DateTime(allow_none=True)
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HouseholdListArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    commune_code = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in HouseholdStatus]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class HouseholdPageSchema(Schema):
    items = fields.List(fields.Nested(HouseholdSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
