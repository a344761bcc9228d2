"""What every request and response goes through (issue 15): a request id; control characters
refused before any view runs; security headers on every answer.

Control characters: NUL and the other C0 controls have no place in a name, an address or a search, PostgreSQL
refuses NUL in text outright (a 500 before this guard), and they hide text in logs and files. Tab,
line feed and carriage return stay allowed (descriptions have lines)."""

from __future__ import annotations

import re
import secrets

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import IntegerConverter

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
    # A multipart part that names no field comes with None for its name: nothing to look at there.
    texts = [text for pair in sent for text in pair if isinstance(text, str)]
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


# Only this site's own files: no inline script or style anywhere (the printable pages and the pay
# page load theirs from /static), no framing, forms post here only.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "worker-src 'self'", "manifest-src 'self'", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'",
])


def _personal() -> bool:
    """Whether the answer is for someone signed in (staff by cookie or token, or a farmer)."""
    if request.authorization is not None or g.get("household") is not None:
        return True
    # The staff member this request loaded (Flask-Login keeps it in g; its loader returns active staff
    # only). Asking it is_authenticated would read `active` again, which the request's commit has just
    # expired: one more SELECT on every staff page.
    loaded = g.get("_login_user")
    if loaded is not None:
        return not loaded.is_anonymous
    return current_user.is_authenticated


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("X-Request-ID", g.get("request_id", ""))
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # A personal page or answer is kept by no cache, shared or not (a shared phone's back button
    # included), unless its view chose otherwise (a private photo, cached by the browser only).
    if request.endpoint != "static" and "Cache-Control" not in headers and _personal():
        headers["Cache-Control"] = "private, no-store"
    return response


class DatabaseInteger(IntegerConverter):
    """`<int:...>` in every route: a number no database id can be (PostgreSQL's integer stops at
    2^31 - 1; SQLite's at 2^63 - 1, and Python refuses to send it more) is simply not found."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["int"] = DatabaseInteger
    app.before_request(tag_request)
    app.before_request(refuse_control_characters)
    app.after_request(add_security_headers)
