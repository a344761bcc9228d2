"""Marshmallow fields shared by the features' schemas."""

from marshmallow import fields


class CleanedString(fields.String):
    """A string field whose value passes through a cleaner (normalise, check, convert) on load."""

    def __init__(self, cleaner, **kwargs):
        super().__init__(**kwargs)
        self.cleaner = cleaner

    def _deserialize(self, value, attr, data, **kwargs):
        return self.cleaner(super()._deserialize(value, attr, data, **kwargs))
