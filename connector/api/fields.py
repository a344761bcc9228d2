"""Marshmallow fields shared by the features' schemas."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields


class CleanedString(fields.String):
    """A string field whose value passes through a cleaner (normalise, check, convert) on load."""

    def __init__(self, cleaner, **kwargs):
        super().__init__(**kwargs)
        self.cleaner = cleaner

    def _deserialize(self, value, attr, data, **kwargs):
        return self.cleaner(super()._deserialize(value, attr, data, **kwargs))


class WholeNumber(fields.Integer):
    """A count typed in a form ("12") or sent as JSON (12, 12.0): 1.5 is refused, not cut to 1 as
    marshmallow's Integer does (issue 15: a stock of 1.5 was saved as 1)."""

    default_error_messages = {"invalid": _l("Must be a whole number.")}

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)
