from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from connector.auth.roles import Role

# Words a guess in Vietnam tries first, beside zxcvbn's own lists of common passwords, names and words.
LOCAL_WORDS = ["matkhau", "anhyeuem", "emyeuanh", "buudien", "vnpost", "viettelpost", "ketnoi", "postmart", "voso",
               "nongdan", "vietnam", "hanoi", "saigon", "quangtri", "ocop"]


def strong_enough(password: str) -> None:
    """Refuse a password found in the common-password lists or easily guessed ("aaaaaaaaaa",
    "1234567890", "matkhau123"): zxcvbn's estimate (Dropbox's, widely reviewed) must reach 2 of 4,
    "somewhat guessable" (about 10^8 guesses)."""
    from zxcvbn import zxcvbn

    if password and zxcvbn(password[:128], user_inputs=LOCAL_WORDS)["score"] < 2:
        raise ValidationError(str(_l("This password is too common or too easy to guess. Use a few words that "
                                     "belong together only for you.")))  # a str: marshmallow lists only strs


class UserCreateSchema(Schema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9._-]{2,63}$",
            error=_l("Use 3 to 64 lowercase letters, digits, dots, dashes or underscores."),
        ),
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=[validate.Length(min=10, max=128, error=_l("The password must have 10 to 128 characters.")),
                  strong_enough],
    )
    role = fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in Role],
                                error=_l("The role must be admin, officer, agent or national.")),
    )
    province_code = fields.String(load_default=None)
    full_name = fields.String(load_default="", validate=validate.Length(max=120))

    @validates_schema(skip_on_field_errors=False)
    def area_for_scoped_roles(self, data, **kwargs):
        if data.get("role") in (Role.OFFICER, Role.AGENT) and not data.get("province_code"):
            raise ValidationError(_l("Officers and agents need a province."), "province_code")


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
