"""The base of the schemas the API answers with."""

from marshmallow import Schema


class OutputSchema(Schema):
    """A schema that reads model objects. marshmallow's own accessor tries `obj[name]` first (for
    dicts) through three helper calls for every field; a page of 20 households is 440 fields, and
    that lookup was a third of their serialising in issue 15's load profile. Objects without
    `__getitem__` are read as marshmallow would read them, with one getattr."""

    def get_attribute(self, obj, attr, default):
        if "." not in attr and not hasattr(obj, "__getitem__"):
            return getattr(obj, attr, default)
        return super().get_attribute(obj, attr, default)
