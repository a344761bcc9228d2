"""Refusals made for every request before any view runs (issue 15): control characters in what was
sent. NUL and the other C0 controls have no place in a name, an address or a search, PostgreSQL
refuses NUL in text outright (a 500 before this guard), and they hide text in logs and files. Tab,
line feed and carriage return stay allowed (descriptions have lines)."""

from __future__ import annotations

import re
import secrets

from flask import g, request
from flask_babel import lazy_gettext as _l

from connector.errors import error_response

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _l("The text holds control characters (invisible characters such as NUL). Remove them and "
                     "try again.")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def refuse_control_characters():
    sent = [*request.args.items(multi=True), *request.form.items(multi=True)]
    texts = [text for pair in sent for text in pair]
    if request.is_json:
        texts.extend(_strings(request.get_json(silent=True)))
    field = next((text for text in texts if CONTROL.search(text)), None)
    if field is not None:
        return error_response(400, CONTROL_MESSAGE, {"input": [str(CONTROL_MESSAGE)]})
    return None


def tag_request():
    """A short id for each request: in the log line of an error, on the error page (staff can quote
    it) and in the X-Request-ID header."""
    g.request_id = secrets.token_hex(6)


def add_request_id(response):
    response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
    return response


def init_app(app) -> None:
    app.before_request(tag_request)
    app.before_request(refuse_control_characters)
    app.after_request(add_request_id)
