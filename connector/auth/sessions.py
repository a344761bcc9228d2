"""Who is asking: the page session (Flask-Login) and API bearer tokens."""

from __future__ import annotations

import functools

from flask import g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from connector.api import error_doc
from connector.auth.models import User
from connector.auth.roles import PERMISSIONS, Role, has_permission
from connector.errors import AuthenticationFailed, PermissionDenied
from connector.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        """The staff member of a page session, unless it has ended since: signed out, a new
        password, deactivated (User.session_version moved on, or the account is off)."""
        user_id, _dot, version = session_id.partition(".")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user


def login_required(permission: str | None = None):
    """For pages: anonymous visitors go to the login page; staff without `permission` get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if permission and not has_permission(current_user, permission):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def api_user() -> User:
    """The staff member calling the API: a bearer token, or for reads only, a signed-in page session.

    Cookies are accepted for reads only so that pages can fetch data; writes need a token, so a
    forged cross-site form can never change anything.
    """
    from connector.auth.services import user_for_token

    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user, g.api_token = user_for_token(header[7:].strip())
    elif request.method in SAFE_METHODS and current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        raise AuthenticationFailed()
    g.api_user = user
    return user


def api_auth(permission: str | None = None):
    """For API views: 401 without valid credentials, 403 without `permission`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = api_user()
            if permission and not has_permission(user, permission):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def access_doc(permission: str | None = None) -> dict:
    """The OpenAPI of an operation behind a bearer token and `permission`: the roles that may call it
    (x-roles), 401 without a valid token, 403 for the other roles."""
    roles = sorted(PERMISSIONS[permission]) if permission else sorted(Role)
    responses = {"401": error_doc("No valid bearer token.")}
    if permission:
        responses["403"] = error_doc("The token's role may not do this (see x-roles).")
    return {"security": [{"bearerAuth": []}], "x-roles": [str(role) for role in roles], "responses": responses}


def api_access(permission: str | None = None):
    """For API operations: api_auth(permission) checked before anything else is read, and documented
    (access_doc). Put it above the flask-smorest decorators that read the request."""
    from flask_smorest import Blueprint

    def decorator(view):
        return Blueprint.doc(**access_doc(permission))(api_auth(permission)(view))

    return decorator
