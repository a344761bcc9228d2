import functools
from pathlib import Path

from flask import Blueprint, current_app, make_response, redirect, render_template, request, session
from flask_login import current_user

from connector.auth.roles import CAPABILITIES, ROLE_LABELS, Role, has_permission
from connector.auth.sessions import login_required
from connector.auth.views import safe_next
from connector.i18n import LANGUAGE_SESSION_KEY

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required()
def index():
    role = Role(current_user.role)
    return render_template(
        "home/index.html",
        role_label=ROLE_LABELS[role],
        capabilities=CAPABILITIES[role],
        province=current_user.province,
    )


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page whatever the page links: without it, each page
    logs a 404 in the console. Cached for a week. Served from memory (a few hundred bytes): a file
    response left open when the browser drops the connection would only be closed by the garbage
    collector."""
    response = make_response(_favicon_bytes())
    response.mimetype = "image/vnd.microsoft.icon"
    response.cache_control.public, response.cache_control.max_age = True, 7 * 24 * 3600
    return response


@functools.cache
def _favicon_bytes() -> bytes:
    return (Path(current_app.static_folder) / "favicon.ico").read_bytes()


@bp.route("/language", methods=["POST"])
def switch_language():
    """Remember the chosen language for this browser session (Vietnamese by default)."""
    language = request.form.get("language")
    if language in current_app.config["LANGUAGES"]:
        session[LANGUAGE_SESSION_KEY] = language
    return redirect(safe_next(request.form.get("next")))


@bp.app_context_processor
def permission_helper():
    """`can("users.manage")` in templates, for the signed-in staff member."""
    return {"can": lambda permission: has_permission(current_user, permission)}
