"""Staff pages: publish, retry and delist per product; publishing problems; orders."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from connector.auth.roles import Role
from connector.auth.sessions import login_required
from connector.catalogue.models import Product
from connector.catalogue.services import get_product
from connector.errors import NotFound, ValidationFailed
from connector.extensions import db
from connector.households.models import Household
from connector.marketplaces import services
from connector.marketplaces.models import Listing, ListingState, Order

bp = Blueprint("marketplaces", __name__)

MARKETPLACE_NAMES = {"postmart": "PostMart", "voso": "Voso"}
STATE_LABELS = {
    ListingState.DRAFT: _l("Not published"), ListingState.QUEUED: _l("Waiting to send"),
    ListingState.SUBMITTING: _l("Sending"), ListingState.PENDING_REVIEW: _l("Under review"),
    ListingState.LIVE: _l("On sale"), ListingState.REJECTED: _l("Rejected"),
    ListingState.DELISTED: _l("Taken down"), ListingState.SUSPENDED: _l("Suspended"),
    ListingState.FAILED: _l("Failed"),
}
REASONS = {
    "NO_IMAGE": _l("The marketplace needs a photo."),
    "INVALID_PRICE": _l("The marketplace refused the price."),
    "BANNED_WORD": _l("The name contains a word the marketplace does not allow."),
}


def reason_text(reason: str | None) -> str:
    """Marketplace reasons in Vietnamese; technical errors summed up, the detail kept for IT."""
    if not reason:
        return ""
    if reason in REASONS:
        return str(REASONS[reason])
    if reason.startswith("ERROR:"):
        return _("The marketplace did not answer properly (%(detail)s).", detail=reason[6:].strip())
    return reason


@bp.app_template_global()
def product_listings(product) -> list:
    listings = services.listings_of(product)
    return [(name, MARKETPLACE_NAMES[name], listings.get(name)) for name in MARKETPLACE_NAMES]


@bp.app_template_global()
def listing_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@bp.app_template_global()
def listing_reason(reason: str | None) -> str:
    return reason_text(reason)


@bp.route("/products/<int:product_id>/publish", methods=["POST"])
@login_required("households.write")
def publish(product_id: int):
    product = get_product(current_user, product_id, for_write=True)
    chosen = request.form.getlist("marketplace") or list(MARKETPLACE_NAMES)
    try:
        services.publish_product(current_user, product, chosen)
        flash(_("Sent to the marketplaces. The status updates by itself."), "success")
    except ValidationFailed as failure:
        db.session.rollback()
        flash(" ".join(str(m) for messages in failure.errors.values() for m in messages), "error")
    return redirect(request.form.get("next") or url_for("catalogue.edit", product_id=product_id))


def _listing_for(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound()
    get_product(current_user, listing.product_id, for_write=True)  # area check
    return listing


@bp.route("/listings/<int:listing_id>/retry", methods=["POST"])
@login_required("households.write")
def retry(listing_id: int):
    listing = services.retry(current_user, _listing_for(listing_id))
    flash(_("Trying again."), "info")
    return redirect(request.form.get("next") or url_for("catalogue.edit", product_id=listing.product_id))


@bp.route("/listings/<int:listing_id>/delist", methods=["POST"])
@login_required("households.write")
def delist(listing_id: int):
    listing = services.delist(current_user, _listing_for(listing_id))
    flash(_("The product will be taken down from the marketplace."), "info")
    return redirect(request.form.get("next") or url_for("catalogue.edit", product_id=listing.product_id))


def _area(statement, household_column):
    if current_user.role != Role.ADMIN:
        statement = statement.where(household_column.in_(
            select(Household.id).where(Household.province_code == current_user.province_code)))
    return statement


@bp.route("/publishing/problems")
@login_required("households.read")
def problems():
    listings = db.session.scalars(_area(
        select(Listing).join(Product).where(Listing.state.in_([ListingState.FAILED, ListingState.REJECTED])),
        Product.household_id).order_by(Listing.updated_at.desc()).limit(200)).all()
    orders = db.session.scalars(_order_scope(select(Order).where(Order.exception.is_not(None)))
                                .order_by(Order.id.desc()).limit(200)).all()
    return render_template("marketplaces/problems.html", listings=listings, orders=orders,
                           names=MARKETPLACE_NAMES)


def _order_scope(statement):
    if current_user.role == Role.ADMIN:
        return statement
    # Orders whose product is unknown have no area yet: only admins see them.
    return statement.where(Order.province_code == current_user.province_code)


@bp.route("/orders")
@login_required("households.read")
def orders():
    rows = db.session.scalars(_order_scope(select(Order)).order_by(Order.id.desc()).limit(100)).all()
    return render_template("marketplaces/orders.html", orders=rows, names=MARKETPLACE_NAMES)


@bp.route("/orders/<int:order_id>")
@login_required("households.read")
def order_detail(order_id: int):
    order = db.session.scalar(_order_scope(select(Order).where(Order.id == order_id)))
    if order is None:
        raise NotFound()
    return render_template("marketplaces/order.html", order=order, names=MARKETPLACE_NAMES)
