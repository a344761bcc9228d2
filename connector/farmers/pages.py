"""The farmer's own pages (issue 13): today, products, orders, money, help. One idea a screen, for a
cheap phone on a weak connection; every action is a form post (JavaScript only adds: the offline
queue), answered with a redirect and a message, or JSON to the offline queue's fetch."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from connector.banks.registry import find_acquirer
from connector.db import utcnow
from connector.errors import NotFound, ValidationFailed
from connector.extensions import db
from connector.farmers import changes, queries
from connector.farmers.sessions import current_session, farmer_required, live_sessions
from connector.i18n import format_number
from connector.logistics.hours import describe_hours
from connector.logistics.models import ServicePoint
from connector.logistics.services import home_point
from connector.logistics.views import render_slip
from connector.media.storage import get_storage
from connector.orders.models import Fulfilment, PayBy
from connector.orders.services import advance
from connector.payments.api import image_response
from connector.payments.services import order_qr, outstanding

bp = Blueprint("farmer_pages", __name__, url_prefix="/farmer")


@bp.app_template_global()
def new_change_id() -> str:
    """The idempotency key a product form carries (the offline queue puts a fresh one per change)."""
    return str(uuid.uuid4())


def _from_fetch() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _done(applied: bool, message: str, to: str):
    if _from_fetch():
        return jsonify(applied=applied, message=message)
    flash(message if applied else _("This change was already made."), "success")
    return redirect(to, code=303)


def _refused(failure: ValidationFailed, to: str):
    if _from_fetch():
        return jsonify(applied=False, message=failure.text()), 422
    flash(failure.text(), "error")
    return redirect(to, code=303)


@bp.route("/")
@farmer_required
def today():
    return render_template("farmers/today.html", today=queries.today(g.household.id), household=g.household)


# -- products ------------------------------------------------------------------------------------
@bp.route("/products")
@farmer_required
def products():
    return render_template("farmers/products.html", products=queries.my_products(g.household.id))


def _product_anchor(product_id: int) -> str:
    return url_for("farmer_pages.products") + f"#product-{product_id}"


@bp.route("/products/<int:product_id>/stock", methods=["POST"])
@farmer_required
def change_stock(product_id: int):
    product = queries.my_product(g.household.id, product_id)
    try:
        applied = changes.change_stock(g.household.id, product, request.form)
    except ValidationFailed as failure:
        return _refused(failure, _product_anchor(product_id))
    return _done(applied, _("%(name)s: %(stock)s in stock.", name=product.name, stock=format_number(product.stock)),
                 _product_anchor(product_id))


@bp.route("/products/<int:product_id>/price", methods=["GET", "POST"])
@farmer_required
def price(product_id: int):
    """GET: type a new price. POST with `confirm`: save it; without: show it formatted and in words
    first (a slip of a zero is a tenfold price)."""
    product = queries.my_product(g.household.id, product_id)
    if request.method == "GET":
        return render_template("farmers/price.html", product=product, new_price=None)
    try:
        if not request.form.get("confirm"):
            return render_template("farmers/price.html", product=product,
                                   new_price=changes.parse_price(request.form.get("price")))
        applied = changes.change_price(g.household.id, product, request.form)
    except ValidationFailed as failure:
        if _from_fetch():
            return _refused(failure, _product_anchor(product_id))
        return render_template("farmers/price.html", product=product, new_price=None, error=failure.text(),
                               typed=(request.form.get("price") or "")[:20]), 422
    return _done(applied, _("%(name)s: new price saved.", name=product.name), _product_anchor(product_id))


@bp.route("/products/<int:product_id>/<any(pause, resume):action>", methods=["POST"])
@farmer_required
def pause(product_id: int, action: str):
    product = queries.my_product(g.household.id, product_id)
    try:
        applied = changes.set_paused(g.household.id, product, action == "pause", request.form.get("change_id"))
    except ValidationFailed as failure:
        return _refused(failure, _product_anchor(product_id))
    message = _("%(name)s is paused: buyers cannot order it.", name=product.name) if action == "pause" else \
        _("%(name)s is on sale again.", name=product.name)
    return _done(applied, message, _product_anchor(product_id))


# -- orders --------------------------------------------------------------------------------------
@bp.route("/orders")
@farmer_required
def orders():
    mine = queries.my_orders(g.household.id)
    return render_template("farmers/orders.html", orders=mine, pickups=queries.pickups_of(mine))


@bp.route("/orders/<int:order_id>")
@farmer_required
def order(order_id: int):
    found = queries.my_order(g.household.id, order_id)
    pickup = queries.pickups_of([found]).get(found.id)
    qr_image = url_for("farmer_pages.order_qr_image", order_id=found.id) if _buyer_qr(found) else None
    point = pickup.service_point if pickup else None
    return render_template("farmers/order.html", order=found, pickup=pickup, point=point,
                           hours=describe_hours(point.opening_hours) if point else "", qr_image=qr_image,
                           owed=outstanding(found))


def _buyer_qr(order) -> str | None:
    """The VietQR payload the buyer of a transfer order scans for what is still owed, if any."""
    if order.pay_by != PayBy.TRANSFER or not outstanding(order) or order.fulfilment in (Fulfilment.CANCELLED,
                                                                                        Fulfilment.RETURNED):
        return None
    try:
        return order_qr(order)[1]
    except ValidationFailed:
        return None  # no payout account: the page says nothing of a QR


@bp.route("/orders/<int:order_id>/qr.png")
@farmer_required
def order_qr_image(order_id: int):
    """The buyer's VietQR as an image of its own (the page stays small); the address names the order,
    never the account, so no access log carries it."""
    payload = _buyer_qr(queries.my_order(g.household.id, order_id))
    if payload is None:
        raise NotFound()
    return image_response(payload, "png", "M", "private, no-cache")


@bp.route("/orders/<int:order_id>/<any(confirm, packed):action>", methods=["POST"])
@farmer_required
def order_action(order_id: int, action: str):
    found = queries.my_order(g.household.id, order_id)
    back = url_for("farmer_pages.order", order_id=order_id)
    if found.fulfilment not in queries.OPEN:
        flash(_("This order is past that step."), "error")
        return redirect(back, code=303)
    if action == "confirm":
        advance(found, "farmer", "confirmed")
        flash(_("Order %(code)s confirmed. Pack it for the drop-off day.", code=found.code), "success")
    else:
        if found.packed_at is None:
            found.packed_at = utcnow()
        advance(found, "farmer", "confirmed")
        flash(_("Order %(code)s is packed. Take it to the post office on the drop-off day.", code=found.code),
              "success")
    return redirect(back, code=303)


@bp.route("/orders/<int:order_id>/slip")
@farmer_required
def slip(order_id: int):
    return render_slip(queries.my_order(g.household.id, order_id), url_for("farmer_pages.order", order_id=order_id))


# -- money and help ------------------------------------------------------------------------------
@bp.route("/money")
@farmer_required
def money():
    return render_template("farmers/money.html", money=queries.money(g.household.id), household=g.household,
                           bank=find_acquirer(g.household.payout_bin) if g.household.payout_bin else None)


@bp.route("/help")
@farmer_required
def help_page():
    household = g.household
    info = home_point(household.commune_code)
    point = db.session.get(ServicePoint, info.id) if info else None
    return render_template("farmers/help.html", household=household, point=point,
                           hours=describe_hours(point.opening_hours) if point else "",
                           agent=household.onboarded_by, this_session=current_session(),
                           sessions=live_sessions(household.id))


@bp.route("/media/products/<int:product_id>/<name>")
@farmer_required
def product_photo(product_id: int, name: str):
    """The farmer's own product photos (the staff route checks staff areas; this one the household)."""
    product = queries.my_product(g.household.id, product_id)
    path = get_storage().path_for_serving(f"products/{product.id}/{name}")
    if path is None:
        raise NotFound()
    response = send_file(path, mimetype="image/jpeg", max_age=7 * 24 * 3600, conditional=True)
    response.cache_control.public = False
    response.cache_control.private = True  # a personal photo: no shared cache keeps it
    return response
