"""The farmer's sign-in pages and a first page of their own (the farmers' pages build on it).

Every action is a form post; nothing needs JavaScript. Answers never tell whether a phone is a
household's: after any well-formed phone the next page says a code was sent if the number is
registered.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from connector.errors import ValidationFailed
from connector.extensions import db, limiter
from connector.farmers import codes, links
from connector.farmers.codes import TooMany
from connector.farmers.models import FarmerSession, SessionEnd
from connector.farmers.sessions import (
    clear_cookie,
    current_session,
    end_session,
    farmer_required,
    set_cookie,
    start_session,
)
from connector.households.models import Household
from connector.households.validation import display_phone
from connector.notices import services as notices

bp = Blueprint("farmers", __name__, url_prefix="/farmer")
PHONE_KEY = "farmer_sign_in_phone"
BASE64URL = re.compile(r"[A-Za-z0-9_-]+=*")


def _address_limit() -> str:
    return current_app.config["FARMER_ADDRESS_LIMIT"]


def _host() -> str:
    return current_app.config["PUBLIC_HOST"] or request.host.split(":")[0]


def _signed_in(household, via: str):
    farmer_session, token = start_session(household, via, request.headers.get("User-Agent", ""))
    session.pop(PHONE_KEY, None)
    return set_cookie(redirect(url_for("farmer_pages.today")), token)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def sign_in():
    if current_session() is not None:
        return redirect(url_for("farmer_pages.today"))
    phone, error, status = request.form.get("phone", ""), None, 200
    if request.method == "POST":
        try:
            session[PHONE_KEY] = codes.request_code(phone, _host())
        except ValidationFailed as failure:
            error, status = failure.text(), 400
        except TooMany as refused:
            error, status = refused.message, 429
        else:
            return redirect(url_for("farmers.enter_code"))
    return render_template("farmers/sign_in.html", phone=phone[:40], error=error), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def enter_code():
    phone = session.get(PHONE_KEY)
    if not phone:
        return redirect(url_for("farmers.sign_in"))
    error, status = None, 200
    if request.method == "POST":
        check = codes.check_code(phone, request.form.get("code", ""))
        if check.household is not None:
            return _signed_in(check.household, "code")
        db.session.commit()  # the wrong try counts, although the answer is a refusal
        error, status = check.message, 400
    return render_template("farmers/code.html", phone=display_phone(phone), error=error,
                           resent=request.args.get("resent")), status


@bp.route("/sign-in/resend", methods=["POST"])
@limiter.limit(_address_limit)
def resend():
    phone = session.get(PHONE_KEY)
    if not phone:
        return redirect(url_for("farmers.sign_in"))
    try:
        codes.request_code(phone, _host())
    except TooMany as refused:
        return render_template("farmers/code.html", phone=display_phone(phone), error=refused.message), 429
    return redirect(url_for("farmers.enter_code", resent=1))


@bp.route("/sign-in/other-phone", methods=["POST"])
def other_phone():
    session.pop(PHONE_KEY, None)
    return redirect(url_for("farmers.sign_in"))


@bp.route("/qr/<token>", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def qr_sign_in(token: str):
    """The printed QR opens this page; the farmer presses one button (the code is spent by the press,
    not by the scan, since chat apps open links on their own to preview them)."""
    try:
        if request.method == "POST":
            return _signed_in(links.use_link(token), "qr")
        link = links.find_link(token)
    except links.LinkRefused as refused:
        return render_template("farmers/qr.html", household=None, error=refused.message), refused.status
    return render_template("farmers/qr.html", household=db.session.get(Household, link.household_id), error=None)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    found = current_session()
    if found is not None:
        end_session(found, SessionEnd.SIGNED_OUT)
    return clear_cookie(redirect(url_for("farmers.sign_in", signed_out=1)))


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@farmer_required
def end_other_session(session_id: int):
    other = db.session.get(FarmerSession, session_id)
    if other is None or other.household_id != g.household.id:
        abort(404)
    end_session(other, SessionEnd.BY_FARMER)
    if other.id == current_session().id:
        return clear_cookie(redirect(url_for("farmers.sign_in", signed_out=1)))
    return redirect(url_for("farmer_pages.help_page", ended=1))


@bp.app_context_processor
def farmer_messages():
    return {"farmer_notice": _("You have signed out.") if request.args.get("signed_out") else
            _("That phone was signed out.") if request.args.get("ended") else None}


PUSH_SERVICES = (".googleapis.com", ".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com")


def _push_endpoint_allowed(endpoint: str) -> bool:
    """Our server will POST to this address: in production only a browser vendor's push service over
    HTTPS (anything else would let a farmer's session make the server call into our own network)."""
    parts = urlsplit(endpoint)
    if current_app.config["ENV_NAME"] != "production":
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    host = parts.hostname or ""
    return parts.scheme == "https" and any(host.endswith(suffix) for suffix in PUSH_SERVICES)


@bp.route("/push-subscription", methods=["POST"])
@farmer_required
def push_subscription():
    """The installed page's service worker subscribed this phone (JSON, with the CSRF header)."""
    body = request.get_json(silent=True) or {}
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    endpoint, p256dh, auth = body.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    if not (isinstance(endpoint, str) and len(endpoint) <= 500 and _push_endpoint_allowed(endpoint)
            and isinstance(p256dh, str) and 80 <= len(p256dh) <= 120 and BASE64URL.fullmatch(p256dh)
            and isinstance(auth, str) and 16 <= len(auth) <= 40 and BASE64URL.fullmatch(auth)):
        return jsonify(message=_("This phone cannot receive notifications this way.")), 422
    notices.subscribe(g.household.id, current_session().id, endpoint, p256dh, auth)
    return jsonify(subscribed=True), 201
