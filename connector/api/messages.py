"""Vietnamese for marshmallow's built-in validation messages.

marshmallow formats its English messages before we see them, so we match them by pattern and
rebuild them through gettext. Our own validators raise messages that are already translated; those
pass through unchanged.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

# (pattern of marshmallow's English message, function giving the translated message)
_PATTERNS = [
    (r"Missing data for required field\.", lambda m: _("This field is required.")),
    (r"Field may not be null\.", lambda m: _("This field cannot be empty.")),
    (r"Unknown field\.", lambda m: _("This field is not recognised.")),
    (r"Not a valid string\.", lambda m: _("Must be text.")),
    (r"Not a valid integer\.", lambda m: _("Must be a whole number.")),
    (r"Not a valid number\.", lambda m: _("Must be a number.")),
    (r"Number too large\.", lambda m: _("The number is too large.")),
    (r"Special numeric values \(nan or infinity\) are not permitted\.", lambda m: _("Must be an ordinary number.")),
    (r"Not a valid aware datetime\.",
     lambda m: _("Must be a date and time with its time zone, e.g. 2026-12-03T09:30:00+07:00.")),
    (r"Not a valid naive datetime\.", lambda m: _("Must be a date and time without a time zone.")),
    (r"Not a valid boolean\.", lambda m: _("Must be yes or no.")),
    (r"Not a valid date\.", lambda m: _("Must be a date (YYYY-MM-DD).")),
    (r"Not a valid datetime\.", lambda m: _("Must be a date and time.")),
    (r"Not a valid email address\.", lambda m: _("Must be an email address.")),
    (r"Not a valid URL\.", lambda m: _("Must be a web address.")),
    (r"Not a valid list\.", lambda m: _("Must be a list.")),
    (r"Not a valid mapping type\.", lambda m: _("Must be an object.")),
    (r"Invalid input type\.", lambda m: _("The data has the wrong shape.")),
    (r"Invalid (input|value|type)\.", lambda m: _("This value is not valid.")),
    (r"Shorter than minimum length (\d+)\.", lambda m: _("Must be at least %(n)s characters.", n=m[1])),
    (r"Longer than maximum length (\d+)\.", lambda m: _("Must be at most %(n)s characters.", n=m[1])),
    (r"Length must be between (\d+) and (\d+)\.",
     lambda m: _("Must be between %(min)s and %(max)s characters.", min=m[1], max=m[2])),
    (r"Must be one of: (.*)\.", lambda m: _("Must be one of: %(choices)s.", choices=m[1])),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
     lambda m: _("Must be between %(min)s and %(max)s.", min=m[1], max=m[2])),
    (r"Must be greater than or equal to (\S+)\.", lambda m: _("Must be at least %(min)s.", min=m[1])),
    (r"Must be less than or equal to (\S+)\.", lambda m: _("Must be at most %(max)s.", max=m[1])),
    (r"String does not match expected pattern\.", lambda m: _("The format is not valid.")),
]
_COMPILED = [(re.compile(pattern + r"\Z"), build) for pattern, build in _PATTERNS]


def translate_message(message):
    """Translate one marshmallow message; anything unrecognised is returned as it is."""
    if not isinstance(message, str):
        return message
    for pattern, build in _COMPILED:
        match = pattern.match(message)
        if match:
            return build(match)
    return message


def translate_errors(errors, wrap: bool = True):
    """Walk marshmallow's nested error structure ({field: [msgs]} / {index: {...}}).

    A field's messages always come out as a list of strings, even when a validator raised a single
    (possibly lazy) message.
    """
    if isinstance(errors, dict):
        return {
            str(key): translate_errors(value if not wrap or isinstance(value, list | tuple | dict) else [value], wrap)
            for key, value in errors.items()
        }
    if isinstance(errors, list | tuple):  # records inside a list (e.g. import rows) keep their shape
        return [translate_errors(value, wrap=False) for value in errors]
    if isinstance(errors, int | float | bool) or errors is None:
        return errors
    return translate_message(str(errors))  # str() also resolves lazy translations
