"""Payment pages: the buyer's public pay page, QR images under immutable URLs, the household's
printable QR poster, staff marking orders paid, unmatched payments, and the banks registry."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from connector.auth.sessions import login_required
from connector.banks.models import Acquirer, AcquirerKind
from connector.banks.registry import acquirers, add_acquirer, find_acquirer, set_enabled
from connector.catalogue.models import Product, ProductStatus
from connector.errors import ValidationFailed, act_and_flash
from connector.extensions import db, limiter
from connector.households.services import get_household
from connector.media import qr_images
from connector.orders.models import Order, PaymentStatus
from connector.orders.money import refunds_due
from connector.orders.services import find_by_code, get_order, orders_in_scope
from connector.payments import services
from connector.payments.api import image_response
from connector.payments.models import Payment, PaymentMethod

bp = Blueprint("payments", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"


def kind_labels() -> dict:
    return {AcquirerKind.BANK: _("Bank"), AcquirerKind.MOBILE_MONEY: _("Mobile money"),
            AcquirerKind.E_WALLET: _("E-wallet")}


@bp.app_template_global()
def payment_status_label(status: str) -> str:
    return {PaymentStatus.UNPAID: _("Not paid"), PaymentStatus.PARTIALLY_PAID: _("Partly paid"),
            PaymentStatus.PAID: _("Paid"), PaymentStatus.OVERPAID: _("Overpaid: return the difference")}.get(
        status, status)


@bp.app_template_global()
def payment_method_label(method: str) -> str:
    return {PaymentMethod.BANK_NOTICE: _("Bank transfer (bank notice)"), PaymentMethod.CASH: _("Cash"),
            PaymentMethod.TRANSFER_SEEN: _("Transfer seen by staff")}.get(method, method)


def _image_url(payload: str, image_format: str = "png", level: str = "M") -> str:
    token = qr_images.image_token(current_app.config["SECRET_KEY"], payload, level)
    return url_for("payments.qr_image", token=token, image_format=image_format)


@bp.route("/qr/<token>.<any(png, svg):image_format>")
def qr_image(token: str, image_format: str):
    """Public and immutable: the address is signed and names the payload, so the image never changes."""
    found = qr_images.read_image_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    payload, level = found
    return image_response(payload, image_format, level, IMMUTABLE)


@bp.route("/p/<code>")
@limiter.limit(lambda: current_app.config["PAY_PAGE_RATE_LIMIT"])
def pay(code: str):
    """The buyer's pay page: no login, nothing personal beyond the farmer's display name."""
    order = find_by_code(code) if len(code) <= 12 else None
    if order is None:
        abort(404)
    qr = payload = None
    if services.outstanding(order) and order.household is not None:
        try:
            qr, payload = services.order_qr(order)
        except ValidationFailed:
            qr = None  # no payout account yet: the page says so
    acquirer = find_acquirer(qr.bin) if qr else None
    return render_template("payments/pay.html", order=order, qr=qr, acquirer=acquirer,
                           image_url=_image_url(payload) if payload else None,
                           owed=services.outstanding(order))


@bp.route("/households/<int:household_id>/qr-poster")
@login_required("households.read")
def poster(household_id: int):
    """An A6 poster for a stall: the farmer's name, products with OCOP stars, the static QR."""
    household = get_household(current_user, household_id)
    try:
        _qr, payload = services.household_qr(household)
    except ValidationFailed as failure:
        flash(failure.text(), "error")
        return redirect(url_for("households.detail", household_id=household_id))
    products = db.session.scalars(select(Product).where(Product.household_id == household.id,
                                                        Product.status == ProductStatus.ACTIVE)
                                  .order_by(Product.name).limit(6)).all()
    return render_template("payments/poster.html", household=household, products=products,
                           acquirer=find_acquirer(household.payout_bin),
                           image_url=_image_url(payload, "svg", "Q"))


@bp.route("/orders/<int:order_id>/mark-paid", methods=["POST"])
@login_required("payments.record")
def mark_paid(order_id: int):
    order = get_order(current_user, order_id)
    raw = request.form.get("amount", "").replace(".", "").replace(" ", "").strip()
    amount = int(raw) if raw.isdigit() else -1
    act_and_flash(lambda: services.record_staff_payment(current_user, order, amount, request.form.get("method", "")),
                  _("Payment recorded."))
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/payments/unmatched")
@login_required("payments.manage")
def unmatched():
    # Overpaid orders, payments after hand-in, cancelled or returned orders that were paid.
    overpaid = refunds_due(orders_in_scope(current_user, select(Order)))
    return render_template("payments/unmatched.html", payments=services.unmatched_payments(), overpaid=overpaid)


@bp.route("/payments/<int:payment_id>/assign", methods=["POST"])
@login_required("payments.manage")
def assign(payment_id: int):
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    act_and_flash(lambda: services.assign_payment(current_user, payment, request.form.get("order_code", "")),
                  _("Payment matched to the order."), "success")
    return redirect(url_for("payments.unmatched"))


@bp.route("/payments/acquirers", methods=["GET", "POST"])
@login_required("payments.manage")
def acquirer_list():
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            acquirer = add_acquirer(current_user, values)
        except ValidationFailed as failure:
            db.session.rollback()
            errors, status = failure.errors, 422
        else:
            flash(_("%(name)s added.", name=acquirer.short_name), "success")
            return redirect(url_for("payments.acquirer_list"))
    return render_template("payments/acquirers.html", acquirers=acquirers(include_disabled=True).values(),
                           kinds=kind_labels(), errors=errors, values=values), status


@bp.route("/payments/acquirers/<bin_code>/<any(enable, disable):action>", methods=["POST"])
@login_required("payments.manage")
def toggle_acquirer(bin_code: str, action: str):
    acquirer = db.session.get(Acquirer, bin_code)
    if acquirer is None:
        abort(404)
    set_enabled(current_user, acquirer, action == "enable")
    return redirect(url_for("payments.acquirer_list"))
