"""Staff side of the farmer's identity: the handover sheet printed at onboarding, and the farmer's
sessions on the household page (seen and ended by the agent, e.g. for a lost phone)."""

from __future__ import annotations

import base64

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.farmers.links import issue_link
from connector.farmers.models import FarmerSession, SessionEnd
from connector.farmers.sessions import end_session, live_sessions
from connector.households.services import get_household
from connector.logistics.hours import describe_hours
from connector.logistics.models import ServicePoint
from connector.logistics.services import home_point
from connector.media import qr_images
from connector.payments.services import household_qr

bp = Blueprint("handover", __name__)


def inline_svg(payload: str) -> str:
    """The QR as a data: address inside the page: a sign-in token never appears in an image URL
    (and so never in an access log or a browser history)."""
    svg = qr_images.render(payload, "svg", "Q")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


@bp.route("/households/<int:household_id>/handover", methods=["POST"])
@login_required("households.write")
def handover_sheet(household_id: int):
    """An A6 sheet for the farmer: the sign-in QR (single use, FARMER_LINK_DAYS), the household's
    payment QR and where to take parcels. Printing a new sheet voids the last one's sign-in code."""
    household = get_household(current_user, household_id, for_write=True)
    if household.status != "active":
        flash(_("Only an active household can sign in."), "error")
        return redirect(url_for("households.detail", household_id=household.id))
    token = issue_link(current_user, household)
    sign_in_url = url_for("farmers.qr_sign_in", token=token, _external=True)
    payment_image = None
    try:
        _qr, payload = household_qr(household)
        payment_image = url_for("payments.qr_image", image_format="svg",
                                token=qr_images.image_token(current_app.config["SECRET_KEY"], payload, "Q"))
    except ValidationFailed:
        payment_image = None  # no payout account yet: the sheet says so
    point_info = home_point(household.commune_code)
    point = db.session.get(ServicePoint, point_info.id) if point_info else None
    response = current_app.make_response(render_template(
        "farmers/handover.html", household=household, sign_in_image=inline_svg(sign_in_url),
        payment_image=payment_image, point=point, hours=describe_hours(point.opening_hours) if point else "",
        days=current_app.config["FARMER_LINK_DAYS"]))
    response.headers["Cache-Control"] = "no-store"  # the sheet carries a live sign-in code
    return response


@bp.route("/households/<int:household_id>/farmer-sessions/<int:session_id>/end", methods=["POST"])
@login_required("households.write")
def end_farmer_session(household_id: int, session_id: int):
    household = get_household(current_user, household_id, for_write=True)
    found = db.session.get(FarmerSession, session_id)
    if found is None or found.household_id != household.id:
        abort(404)
    end_session(found, SessionEnd.BY_STAFF)
    flash(_("The farmer was signed out on that phone."), "success")
    return redirect(url_for("households.detail", household_id=household.id) + "#farmer-sessions")


@bp.app_template_global()
def farmer_sessions(household_id: int) -> list[FarmerSession]:
    """For the household page (households cannot import farmers: it is the layer below)."""
    return live_sessions(household_id)
