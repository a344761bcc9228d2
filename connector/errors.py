"""Domain exceptions and the one place where errors become responses.

API requests (paths under /api/) get the JSON body `{code, status, message, errors}`; pages get a
Vietnamese error page. Services raise `DomainError` subclasses and never build responses.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from connector.api.messages import translate_errors

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have permission to do this."),
    404: _l("The page or item you asked for does not exist."),
    405: _l("This action is not allowed here."),
    413: _l("The file is too large."),
    422: _l("Some of the information is not valid."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The service is temporarily unavailable. Please try again later."),
    507: _l("The server has no room left to store files. Nothing was saved; please tell the administrator."),
}
CSRF_MESSAGE = _l("This form has expired or lacks its security token. Reload the page and try again.")


class DomainError(Exception):
    """A rule of the business was broken; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message=None, errors: dict | None = None):
        super().__init__(str(message or MESSAGES.get(self.status, "")))
        self.message = message or MESSAGES.get(self.status)
        self.errors = translate_errors(errors or {})
        _mark_request_failed()


def _mark_request_failed() -> None:
    """A rule was broken while handling this request: its writes are undone at its end (see
    request_failed), even when the page catches the error to answer with a redirect and a message."""
    from flask import g, has_request_context

    if has_request_context():
        g.domain_error_raised = True


def request_failed() -> bool:
    """Whether a domain error was raised while handling the current request."""
    from flask import g

    return g.get("domain_error_raised", False)


class ValidationFailed(DomainError):
    """Input broke a rule; `errors` maps each field to its messages."""

    status = 422

    def text(self) -> str:
        """Every message in one line, for a flash message or a CLI error."""
        return " ".join(str(message) for messages in self.errors.values() for message in messages)


class StorageFull(ValidationFailed):
    """The server's disk (or quota) refused a file: nothing was saved, and trying again will not help
    until an administrator frees space (507 Insufficient Storage)."""

    status = 507


def act_and_flash(action, done_message: str, category: str = "success") -> bool:
    """Run a staff button's action: on success flash `done_message`; on refusal say why on the next
    page, and the request's writes are undone."""
    from flask import flash

    try:
        action()
    except ValidationFailed as failure:
        flash(failure.text(), "error")  # the request's end undoes the action's writes (request_failed)
        return False
    flash(done_message, category)
    return True


class BadRequest(DomainError):
    """The request itself cannot be read (a signed webhook whose body is not JSON)."""

    status = 400


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class AuthenticationFailed(DomainError):
    status = 401


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message=None, errors: dict | None = None, headers=None):
    """Render an error for the caller: JSON for the API, a Vietnamese page otherwise."""
    message = str(message or MESSAGES.get(status) or MESSAGES[500])
    if wants_json():
        body = {
            "code": status,
            "status": HTTPStatus(status).phrase,
            "message": message,
            "errors": translate_errors(errors or {}),
        }
        response = jsonify(body)
    else:
        response = current_app.make_response(
            render_template("errors/error.html", status=status, message=message, request_id=g.get("request_id"))
        )
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def handle_http_exception(error: HTTPException):
    """Every HTTP error, whether from abort(), webargs (422) or Flask itself, passes here."""
    if isinstance(error, CSRFError):
        return error_response(400, CSRF_MESSAGE)
    status = error.code or 500
    if status >= 500:
        # Undo the failed work first: the error page itself reads the session (the signed-in user).
        from connector.extensions import db

        db.session.rollback()
        # One line per error, with the request's id (the page shows it) and without request data:
        # bodies may hold personal data, and the engine hides statements' parameters.
        log.error("HTTP %s on %s %s [request %s]", status, request.method, request.path, g.get("request_id"),
                  exc_info=getattr(error, "original_exception", None))
    errors = getattr(error, "data", {}).get("messages")  # webargs puts field errors here
    message = MESSAGES.get(status) if errors or status in MESSAGES else error.description
    headers = None
    if status == 401 and wants_json():
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(status, message, errors, headers)


def handle_domain_error(error: DomainError):
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 and wants_json() else None
    return error_response(error.status, error.message, error.errors, headers)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    from sqlalchemy.exc import DataError

    if isinstance(error, DataError):
        # The database refused a value (a number out of range, text longer than its column): bad
        # input that slipped past the checks, so a 422 for the caller, but logged to be fixed.
        from connector.extensions import db

        db.session.rollback()
        log.warning("value refused by the database on %s %s [request %s]: %s", request.method, request.path,
                    g.get("request_id"), type(error.orig).__name__)
        return error_response(422)
    return handle_http_exception(InternalServerError(original_exception=error))  # logged there, once


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
