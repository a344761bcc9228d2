"""Logistics pages: the agent's pickups of the day at their service point (mark received, capacity
per day), the printable pickup slip, and where an order's parcel goes on the order page."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from connector.auth.sessions import login_required
from connector.errors import act_and_flash
from connector.extensions import db
from connector.logistics import services, shipping
from connector.logistics.models import Pickup, Shipment, ShipmentStatus
from connector.logistics.services import Reason
from connector.media.qr_images import render
from connector.orders.services import get_order

bp = Blueprint("logistics", __name__)
REASONS = {
    Reason.NEAREST_FULL: _l("The nearest point is full that day."),
    Reason.NEAREST_CLOSED: _l("The nearest point is closed that day."),
    Reason.HOME_FULL: _l("The point serving the household's commune is full that day: the nearest other point."),
    Reason.HOME_CLOSED: _l("The point serving the household's commune is closed that day: the nearest other point."),
    Reason.NONE_WITHIN_REACH: _l("No open point with room within reach: staff must arrange the pickup."),
    Reason.NO_LOCATION: _l("The seller's location is unknown: staff must arrange the pickup."),
    "batch": _l("Chosen by the day's re-matching (shortest total distance)."),
}


@bp.app_template_global()
def order_pickup(order) -> Pickup | None:
    return db.session.scalar(select(Pickup).where(Pickup.order_id == order.id))


@bp.app_template_filter()
def delivery_area(address: str | None) -> str:
    """The buyer's area, without the street: the last two parts of the address ("Phường Bến Thành,
    TP Hồ Chí Minh"). A slip travels on the parcel, so it carries no more of the buyer than the
    counter needs (the carrier prints the full address on its own label)."""
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    return ", ".join(parts[-2:]) if len(parts) > 2 else ", ".join(parts[-1:])


@bp.app_template_global()
def pickup_reason(reason: str | None) -> str:
    return str(REASONS.get(reason, reason or ""))


SHIPMENT_LABELS = {
    ShipmentStatus.BOOKING: _l("Booking the carrier"), ShipmentStatus.BOOKED: _l("Booked: bring the parcel"),
    ShipmentStatus.RECEIVED: _l("Received at the post office"), ShipmentStatus.IN_TRANSIT: _l("In transit"),
    ShipmentStatus.DELIVERED: _l("Delivered"), ShipmentStatus.FAILED: _l("Delivery failed"),
    ShipmentStatus.RETURNED: _l("Returned"), ShipmentStatus.CANCELLED: _l("Cancelled"),
}


@bp.app_template_global()
def order_shipment(order) -> Shipment | None:
    return db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))


@bp.app_template_global()
def shipment_statuses(orders) -> dict[int, str]:
    """Each listed order's latest shipment status, in one query (for the orders list)."""
    rows = db.session.execute(select(Shipment.order_id, Shipment.status).where(
        Shipment.order_id.in_([order.id for order in orders])).order_by(Shipment.id))
    return {order_id: status for order_id, status in rows}  # later shipments win


@bp.app_template_global()
def pickup_days(orders) -> dict[int, date]:
    """Each listed order's pickup day, in one query (for the orders list)."""
    rows = db.session.execute(select(Pickup.order_id, Pickup.pickup_date).where(
        Pickup.order_id.in_([order.id for order in orders])))
    return {order_id: day for order_id, day in rows}


@bp.app_template_global()
def shipment_label(status: str) -> str:
    return str(SHIPMENT_LABELS.get(status, status))


@bp.route("/shipments/<int:shipment_id>/cancel", methods=["POST"])
@login_required("pickups.manage")
def cancel_shipment(shipment_id: int):
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        abort(404)
    get_order(current_user, shipment.order_id)  # area check
    order_id = shipment.order_id

    def cancel():
        remote_id = shipping.plan_cancel(current_user, shipment)
        db.session.commit()  # the read ends here: no transaction stays open during the carrier's call
        shipping.record_cancel(shipment_id, shipping.perform_cancel(remote_id))

    act_and_flash(cancel, _("Shipment cancelled."), "info")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/orders/<int:order_id>/door-pickup", methods=["POST"])
@login_required("pickups.manage")
def door_pickup(order_id: int):
    order = get_order(current_user, order_id)  # area check
    pickup = db.session.scalar(select(Pickup).where(Pickup.order_id == order.id))
    if pickup is None:
        abort(404)
    act_and_flash(lambda: shipping.book_door_pickup(current_user, pickup),
                  _("The carrier will collect the parcel at the household."), "info")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/pickups")
@login_required("pickups.manage")
def today():
    """The agent's counter: parcels expected at their service point on a day, and room per day."""
    point = services.point_of(current_user)
    if point is None:
        return render_template("logistics/pickups.html", point=None), 200
    try:
        day = date.fromisoformat(request.args.get("date", "")) if request.args.get("date") else \
            services.vietnam_now().date()
    except ValueError:
        abort(400)
    if not date(2000, 1, 2) <= day <= date(2099, 12, 30):  # the page links the day before and after
        abort(400)
    return render_template("logistics/pickups.html", point=point, day=day, pickups=services.pickups_at(point, day),
                           capacity=services.capacity_by_day(point, services.vietnam_now().date()),
                           communes=services.communes_served(point),
                           previous=day - timedelta(days=1), following=day + timedelta(days=1))


@bp.route("/pickups/<int:pickup_id>/received", methods=["POST"])
@login_required("pickups.manage")
def received(pickup_id: int):
    pickup = db.session.get(Pickup, pickup_id)
    if pickup is None:
        abort(404)
    act_and_flash(lambda: services.mark_received(current_user, pickup),
                  _("Parcel received."), "success")
    return redirect(url_for("logistics.today", date=pickup.pickup_date.isoformat()))


@bp.route("/orders/<int:order_id>/pickup-slip")
@login_required("households.read")
def slip(order_id: int):
    """A printable slip for the parcel: order code (scannable), household, items, weight, point, date."""
    return render_slip(get_order(current_user, order_id), url_for("orders.detail", order_id=order_id))


def render_slip(order, back_url: str):
    """The slip page for `order` (whose reader the caller checked), or 404 before a point is chosen;
    staff and the farmer print the same slip."""
    pickup = order_pickup(order)
    if pickup is None or pickup.service_point is None:
        abort(404)
    code_svg = render(order.code, "svg", "Q").decode()
    weight = sum((item.quantity * (item.product.weight_grams if item.product else 0)) for item in order.items)
    return render_template("logistics/slip.html", order=order, pickup=pickup, code_svg=code_svg,
                           weight_grams=weight, back_url=back_url)
