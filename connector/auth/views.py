"""Login and logout pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from connector.auth import services
from connector.auth.forms import LoginForm
from connector.auth.roles import ROLE_LABELS
from connector.auth.sessions import login_required
from connector.errors import AuthenticationFailed
from connector.extensions import limiter
from connector.i18n import LANGUAGE_SESSION_KEY

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site relative paths: never send someone to another site after a form (a backslash
    counts as a slash for browsers: "/\\evil.example" is another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default or url_for("home.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts count towards the limit: staff signing in normally are never blocked.
    return response.status_code in (400, 401)


def _account_tried() -> str:
    """The account being tried, for a limit per account as well as per address (an attacker with
    many addresses still gets a handful of tries at each account)."""
    return "login-account:" + (request.form.get("username") or "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.shared_limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], scope="login-account",
                      key_func=_account_tried, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    error = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.authenticate(form.username.data, form.password.data)
            except AuthenticationFailed as failure:
                error, status = failure.message, 401
            else:
                language = session.get(LANGUAGE_SESSION_KEY)
                session.clear()  # a fresh session on login: no fixation
                if language:
                    session[LANGUAGE_SESSION_KEY] = language
                session.permanent = True
                login_user(user)
                return redirect(safe_next(request.args.get("next")))
        else:
            status = 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user)  # a copy of this cookie elsewhere ends too
    logout_user()
    return redirect(url_for("auth.login", signed_out=1))


@bp.app_context_processor
def inject_messages():
    return {"signed_out_message": _("You have signed out.") if request.args.get("signed_out") else None}


@bp.route("/staff")
@login_required("users.manage")
def staff():
    """Administrators: every staff account with its role and area."""
    return render_template("auth/staff.html", users=services.list_staff(), role_labels=ROLE_LABELS)
