from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate


class ProvinceSchema(Schema):
    code = fields.String()
    name = fields.String()
    short_name = fields.String()
    unit_type = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class CommuneSchema(Schema):
    code = fields.String()
    name = fields.String()
    short_name = fields.String()
    unit_type = fields.String()
    province_code = fields.String()
    province_name = fields.Function(lambda commune: commune.province.name)
    lat = fields.Float()
    lon = fields.Float()
    area_km2 = fields.Float(allow_none=True)


class CommuneSearchArgsSchema(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=2, max=100, error=_l("Type between 2 and 100 characters.")),
        metadata={"description": "Name with or without diacritics, any case: 'Hải Lăng', 'hai lang'."},
    )
    province = fields.String(load_default=None, metadata={"description": "Limit to one province code."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class LegacyAddressSchema(Schema):
    """A pre-2025 address: the three old levels, names with or without diacritics or type words."""

    province = fields.String(required=True, validate=validate.Length(min=2, max=100))
    district = fields.String(load_default="", validate=validate.Length(max=100))
    commune = fields.String(required=True, validate=validate.Length(min=1, max=100))  # "2": Phường 2


class LegacyUnitSchema(Schema):
    province = fields.String()
    district = fields.String(allow_none=True)
    commune = fields.String()
    commune_code = fields.String()


class ConversionSchema(Schema):
    commune = fields.Nested(CommuneSchema)
    legacy = fields.Nested(LegacyUnitSchema)
