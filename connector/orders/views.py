"""Order pages for staff: the list (search, filters) and one order with its money."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from connector.auth.sessions import login_required
from connector.errors import act_and_flash
from connector.orders import money, services
from connector.orders.models import Channel, Fulfilment, PayBy, PaymentStatus
from connector.orders.status import SETTLED

bp = Blueprint("orders", __name__)

SOURCE_NAMES = {"postmart": "PostMart", "voso": "VoSo", "counter": _l("Post office counter"), "phone": _l("Phone")}
FULFILMENT_LABELS = {
    Fulfilment.NEW: _l("New"), Fulfilment.CONFIRMED: _l("Confirmed"),
    Fulfilment.READY: _l("Ready for pickup"), Fulfilment.HANDED_IN: _l("Handed in at the post office"),
    Fulfilment.IN_TRANSIT: _l("In transit"), Fulfilment.DELIVERED: _l("Delivered"),
    Fulfilment.CANCELLED: _l("Cancelled"), Fulfilment.RETURNED: _l("Returned"),
    Fulfilment.FAILED: _l("Delivery failed"),
}
PAY_BY_LABELS = {PayBy.MARKETPLACE: _l("Paid on the marketplace"), PayBy.COD: _l("Cash on delivery"),
                 PayBy.TRANSFER: _l("Bank transfer (VietQR)")}
CHANNEL_LABELS = {Channel.TRANSFER: _l("Bank transfer"), Channel.CASH: _l("Cash at the counter"),
                  Channel.COD: _l("Cash on delivery, remitted by the carrier"),
                  Channel.MARKETPLACE: _l("Marketplace settlement")}


@bp.app_context_processor
def _order_states():
    return {"order_settled_states": SETTLED}


@bp.app_template_global()
def source_name(source: str) -> str:
    return str(SOURCE_NAMES.get(source, source))


@bp.app_template_global()
def fulfilment_label(status: str) -> str:
    return str(FULFILMENT_LABELS.get(status, status))


@bp.app_template_global()
def pay_by_label(pay_by: str) -> str:
    return str(PAY_BY_LABELS.get(pay_by, pay_by))


@bp.app_template_global()
def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


@bp.app_template_global()
def household_orders(household) -> list:
    """The household's latest orders, for its page (the households feature sits below orders)."""
    return services.search_orders(current_user, household_id=household.id, limit=20)


@bp.route("/orders")
@login_required("households.read")
def index():
    q = request.args.get("q", "")[:60]
    fulfilment = request.args.get("status", "")
    fulfilment = fulfilment if fulfilment in set(Fulfilment) else ""
    payment = request.args.get("payment", "")
    payment = payment if payment in set(PaymentStatus) else ""
    rows = services.search_orders(current_user, q=q, fulfilment=fulfilment, payment=payment)
    return render_template("orders/list.html", orders=rows, q=q, status=fulfilment, payment=payment,
                           statuses=FULFILMENT_LABELS, payment_statuses=list(PaymentStatus))


@bp.route("/orders/<int:order_id>")
@login_required("households.read")
def detail(order_id: int):
    order = services.get_order(current_user, order_id)
    return render_template("orders/detail.html", order=order, by_channel=money.received_by_channel(order),
                           outstanding=money.outstanding(order), settlement=money.expected_settlement(order))


@bp.route("/orders/<int:order_id>/facts")
@login_required("households.read")
def facts(order_id: int):
    """The order's status and money alone, fetched by its page until the order is settled."""
    order = services.get_order(current_user, order_id)
    return render_template("orders/_facts.html", order=order, by_channel=money.received_by_channel(order),
                           settlement=money.expected_settlement(order))


@bp.route("/orders/<int:order_id>/refund", methods=["POST"])
@login_required("payments.record")
def refund(order_id: int):
    order = services.get_order(current_user, order_id)
    raw = request.form.get("amount", "").replace(".", "").replace(" ", "").strip()
    amount = int(raw) if raw.isdigit() else -1
    act_and_flash(lambda: money.record_refund(current_user, order, amount), _("Refund recorded."))
    return redirect(url_for("orders.detail", order_id=order_id))
