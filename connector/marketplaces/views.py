"""Staff pages: publish, retry and delist per product; publishing problems and re-drive; category
mapping; orders."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from connector.auth.roles import Role, has_permission
from connector.auth.sessions import login_required
from connector.auth.views import safe_next
from connector.catalogue.choices import CATEGORIES
from connector.catalogue.models import Product
from connector.catalogue.services import get_product
from connector.errors import NotFound, ValidationFailed, act_and_flash
from connector.extensions import db
from connector.households.models import Household
from connector.jobs.outbox import OutboxJob, failed_outbox_jobs, redrive
from connector.marketplaces import services
from connector.marketplaces.categories import current_mapping, remote_categories, save_mapping
from connector.marketplaces.models import Listing
from connector.marketplaces.states import IN_PROGRESS, ListingState
from connector.orders.models import Order
from connector.orders.services import orders_in_scope
from connector.remote import RemoteError

bp = Blueprint("marketplaces", __name__)

MARKETPLACE_NAMES = {"postmart": "PostMart", "voso": "VoSo"}
STATE_LABELS = {
    ListingState.DRAFT: _l("Not published"), ListingState.QUEUED: _l("Waiting to send"),
    ListingState.SUBMITTING: _l("Sending"), ListingState.PENDING_REVIEW: _l("Under review"),
    ListingState.LIVE: _l("On sale"), ListingState.REJECTED: _l("Rejected"),
    ListingState.DELISTED: _l("Taken down"), ListingState.SUSPENDED: _l("Suspended"),
    ListingState.FAILED: _l("Failed"),
}
# The marketplaces' order statuses (their codes, upper case); an unknown code is shown as it came.
ORDER_STATUS_LABELS = {
    "CREATED": _l("New"), "CONFIRMED": _l("Confirmed"), "PACKED": _l("Packed"), "SHIPPING": _l("Shipping"),
    "DELIVERED": _l("Delivered"), "COMPLETED": _l("Completed"), "CANCELLED": _l("Cancelled"),
    "RETURNED": _l("Returned"),
}
REASONS = {
    "NO_IMAGE": _l("The marketplace needs a photo."),
    "INVALID_PRICE": _l("The marketplace refused the price."),
    "BANNED_WORD": _l("The name contains a word the marketplace does not allow."),
    f"ERROR: {services.CATEGORY_NOT_MAPPED}": _l(
        "The product's category is not mapped to a category of this marketplace yet: an admin maps it "
        "on the Marketplace categories page, then retry."),
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
    return _panel(services.listings_of(product))


@bp.app_template_global()
def listings_by_product(products) -> dict[int, list]:
    """product_listings for a page of products, read in one query."""
    found = services.listings_of_products([product.id for product in products])
    return {product_id: _panel(listings) for product_id, listings in found.items()}


def _panel(listings: dict) -> list:
    return [(name, MARKETPLACE_NAMES[name], listings.get(name)) for name in MARKETPLACE_NAMES]


@bp.app_template_global()
def listings_settled(listings: list) -> bool:
    """No listing of the panel will change by itself (no sync or review under way)."""
    return not any(listing and (listing.state in IN_PROGRESS or listing.sync_pending) for _, _, listing in listings)


@bp.route("/products/<int:product_id>/listings-panel")
@login_required("households.read")
def panel(product_id: int):
    """The product's marketplace panel alone, fetched by the page while a listing is on its way."""
    product = get_product(current_user, product_id)
    return render_template("marketplaces/panel.html", product=product,
                           page_path=url_for("catalogue.edit", product_id=product.id))


@bp.app_template_global()
def listing_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@bp.app_template_global()
def order_status_label(status: str) -> str:
    return str(ORDER_STATUS_LABELS.get((status or "").upper(), status))


@bp.app_template_global()
def listing_reason(reason: str | None) -> str:
    return reason_text(reason)


@bp.route("/products/<int:product_id>/publish", methods=["POST"])
@login_required("households.write")
def publish(product_id: int):
    product = get_product(current_user, product_id, for_write=True)
    chosen = request.form.getlist("marketplace") or list(MARKETPLACE_NAMES)
    act_and_flash(lambda: services.publish_product(current_user, product, chosen),
                  _("Sent to the marketplaces. The status updates by itself."))
    return redirect(safe_next(request.form.get("next"), url_for("catalogue.edit", product_id=product_id)))


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
    return redirect(safe_next(request.form.get("next"), url_for("catalogue.edit", product_id=listing.product_id)))


@bp.route("/listings/<int:listing_id>/delist", methods=["POST"])
@login_required("households.write")
def delist(listing_id: int):
    listing = services.delist(current_user, _listing_for(listing_id))
    flash(_("The product will be taken down from the marketplace."), "info")
    return redirect(safe_next(request.form.get("next"), url_for("catalogue.edit", product_id=listing.product_id)))


def _area(statement, household_column):
    if current_user.role != Role.ADMIN:
        statement = statement.where(household_column.in_(
            select(Household.id).where(Household.province_code == current_user.province_code)))
    return statement


JOB_LABELS = {
    "connector.marketplaces.jobs.sync_listing_job": _l("Send a listing to a marketplace"),
    "connector.marketplaces.jobs.apply_event_job": _l("Apply a marketplace event (order, review result)"),
    "connector.marketplaces.jobs.pull_events_job": _l("Fetch missed marketplace events"),
    "connector.auth.jobs.purge_dead_tokens_job": _l("Remove expired sign-in tokens"),
    "connector.logistics.jobs.match_pickup_job": _l("Match an order to its pickup point"),
    "connector.logistics.jobs.book_shipment_job": _l("Book the carrier for a parcel"),
}


@bp.app_template_global()
def job_label(function: str) -> str:
    return str(JOB_LABELS.get(function, function))


@bp.route("/publishing/jobs/<int:row_id>/redrive", methods=["POST"])
@login_required("jobs.manage")
def redrive_job(row_id: int):
    row = db.session.get(OutboxJob, row_id)
    if row is None or row.failed_at is None:
        raise NotFound()
    redrive(row)
    flash(_("The job will run again."), "info")
    return redirect(url_for("marketplaces.problems"))


@bp.route("/publishing/categories", methods=["GET", "POST"])
@login_required("marketplaces.manage")
def categories():
    """Admins choose where each of our categories goes on each marketplace."""
    remote, unreachable = {}, []
    db.session.commit()  # the request's read (the signed-in user) ends: none stays open while marketplaces answer
    for name in MARKETPLACE_NAMES:
        try:
            remote[name] = remote_categories(name, refresh=request.args.get("refresh") == "1")
        except RemoteError:
            unreachable.append(name)
    errors, status = {}, 200
    if request.method == "POST":
        name = request.form.get("marketplace", "")
        if name not in remote:
            abort(400)
        chosen = {code: request.form.get(f"category-{code}", "") for code in CATEGORIES}
        try:
            changed = save_mapping(name, chosen, {c["id"] for c in remote[name]})
        except ValidationFailed as failure:
            db.session.rollback()
            errors, status = {name: failure.errors}, 422
        else:
            flash(_("Saved: %(count)d categories changed. New listings use them.", count=changed), "success")
            return redirect(url_for("marketplaces.categories"))
    mapping = {name: current_mapping(name) for name in remote}
    return render_template("marketplaces/categories.html", remote=remote, unreachable=unreachable,
                           mapping=mapping, errors=errors, categories=CATEGORIES, names=MARKETPLACE_NAMES), status


@bp.route("/publishing/problems")
@login_required("households.read")
def problems():
    listings = db.session.scalars(_area(
        select(Listing).join(Product).where(Listing.state.in_([ListingState.FAILED, ListingState.REJECTED])),
        Product.household_id).order_by(Listing.updated_at.desc()).limit(200)).all()
    exceptions = select(Order).where(Order.exception.is_not(None)).order_by(Order.id.desc()).limit(200)
    orders = db.session.scalars(orders_in_scope(current_user, exceptions)).all()
    jobs = failed_outbox_jobs() if has_permission(current_user, "jobs.manage") else []
    return render_template("marketplaces/problems.html", listings=listings, orders=orders, jobs=jobs,
                           names=MARKETPLACE_NAMES)
