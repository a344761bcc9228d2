"""Booking the carrier for an order's parcel and following it: booked -> received at the post office
-> in transit -> delivered / failed / returned (or cancelled before it was handed in).

The booking job is idempotent: the order code is the carrier's reference, and a retry looks the
shipment up by reference before booking again, so an unknown outcome never books twice. Status comes
by signed webhook and, for webhooks that were lost, by polling shipments not heard of for a while.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from connector.auth.roles import has_permission
from connector.db import utcnow
from connector.errors import PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.jobs import enqueue_after_commit
from connector.logistics.carrier import RemoteShipment, carrier_adapter
from connector.logistics.models import Pickup, PickupStatus, Shipment, ShipmentStatus
from connector.orders import money
from connector.orders.models import Order
from connector.orders.services import advance
from connector.remote import Refused, RemoteError

REMOTE_STATUS = {"BOOKED": ShipmentStatus.BOOKED, "RECEIVED_AT_POST_OFFICE": ShipmentStatus.RECEIVED,
                 "IN_TRANSIT": ShipmentStatus.IN_TRANSIT, "DELIVERED": ShipmentStatus.DELIVERED,
                 "FAILED": ShipmentStatus.FAILED, "RETURNED": ShipmentStatus.RETURNED,
                 "CANCELLED": ShipmentStatus.CANCELLED}
FINAL = {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED}


def request_booking(pickup: Pickup) -> Shipment | None:
    """An assigned pickup gets a shipment: drop-off at its service point, COD when unpaid."""
    if pickup.status == PickupStatus.FLAGGED or pickup.service_point is None:
        return None
    existing = db.session.scalar(select(Shipment).where(Shipment.order_id == pickup.order_id))
    if existing is not None:
        return existing
    return _book(pickup.order, mode="dropoff", post_office_code=pickup.service_point.code)


def book_door_pickup(user, pickup: Pickup) -> Shipment:
    """No service point within reach can take the parcel (the pickup is flagged): staff have the
    carrier collect it at the household's door instead."""
    if not has_permission(user, "pickups.manage"):
        raise PermissionDenied()
    if pickup.status != PickupStatus.FLAGGED:
        raise ValidationFailed(errors={"pickup": [_("This parcel goes to a service point; door pickup is for "
                                                    "parcels no point can take.")]})
    if db.session.scalar(select(Shipment.id).where(Shipment.order_id == pickup.order_id)) is not None:
        raise ValidationFailed(errors={"pickup": [_("This order already has a shipment.")]})
    return _book(pickup.order, mode="pickup", post_office_code=None)


def _book(order, mode: str, post_office_code: str | None) -> Shipment:
    """A new shipment, cash on delivery for what is unpaid (never for an order prepaid on the
    marketplace); the booking job calls the carrier."""
    cod = money.cod_to_collect(order)
    shipment = Shipment(order_id=order.id, mode=mode, post_office_code=post_office_code, cod_amount=cod,
                        status=ShipmentStatus.BOOKING, remote_version=0)
    money.set_cod(order, cod)
    db.session.add(shipment)
    db.session.flush()
    from connector.logistics.jobs import book_shipment_job

    enqueue_after_commit(book_shipment_job, shipment.id)
    return shipment


def _payload(shipment: Shipment) -> dict:
    order = shipment.order
    household = order.household
    weight = sum(item.quantity * (item.product.weight_grams if item.product else 0) for item in order.items)
    return {"reference": order.code, "mode": shipment.mode, "post_office_code": shipment.post_office_code,
            "cod_amount": shipment.cod_amount, "weight_grams": max(weight, 1),
            "sender": {"name": household.head_name, "phone": household.phone, "commune_code": household.commune_code,
                       # where the carrier collects a door pickup; a drop-off needs no address
                       **({"address": ", ".join(filter(None, (household.address_line, household.village)))}
                          if shipment.mode == "pickup" else {})},
            "receiver": {"name": order.buyer_name, "phone": order.buyer_phone, "address": order.buyer_address}}


def read_booking(shipment_id: int) -> dict | None:
    """The booking job's read step: what to send the carrier, or None when there is nothing to book."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or shipment.remote_id:
        return None
    return _payload(shipment)


def book(shipment_id: int) -> str:
    """The booking job's work: read, call (no transaction open), record."""
    payload = read_booking(shipment_id)
    if payload is None:
        return "done"
    db.session.commit()
    adapter = carrier_adapter()
    try:
        remote = adapter.find_by_reference(payload["reference"]) or adapter.create_shipment(payload)
    except Refused as refused:  # the carrier said no: staff must look, retrying will not help
        shipment = db.session.get(Shipment, shipment_id)
        shipment.last_error = refused.message[:200]
        return "refused"
    return record_booking(shipment_id, remote)


def record_booking(shipment_id: int, remote: RemoteShipment) -> str:
    """The booking job's record step: the carrier's shipment for ours, and its cash on delivery
    brought in line with what is still unpaid (a payment may have arrived while we were booking)."""
    shipment = db.session.get(Shipment, shipment_id)
    record_remote(shipment, remote)
    if remote.cod_amount != shipment.cod_amount:  # a payment arrived while we were booking
        if shipment.status == ShipmentStatus.BOOKED:
            request_cod_update(shipment)
        else:  # handed in before we heard: the carrier collects what it was told at booking
            _keep_carriers_cod(shipment, remote.cod_amount)
    return shipment.status


def _keep_carriers_cod(shipment: Shipment, amount: int) -> None:
    """The carrier would not change the parcel's cash on delivery: for a parcel still on its way,
    it collects `amount`, and orders counts what that is beyond the total as a refund to make. A
    delivered, returned or cancelled parcel collects nothing more (a delivered one's cash comes
    as the carrier's remittance)."""
    if shipment.status in FINAL:
        return
    shipment.cod_amount = amount
    money.set_cod(shipment.order, amount)


def record_remote(shipment: Shipment, remote: RemoteShipment) -> None:
    shipment.remote_id, shipment.tracking_code = remote.id, remote.tracking_code
    shipment.checked_at, shipment.last_error = utcnow(), None
    apply_status(shipment, remote.status, remote.version)


def apply_status(shipment: Shipment, remote_status: str, version: int) -> bool:
    """Newer carrier news only (by the carrier's version), so late or repeated events change nothing."""
    if version <= shipment.remote_version or remote_status not in REMOTE_STATUS:
        return False
    shipment.status, shipment.remote_version = REMOTE_STATUS[remote_status], version
    if shipment.status == ShipmentStatus.RECEIVED:
        pickup = db.session.scalar(select(Pickup).where(Pickup.order_id == shipment.order_id))
        if pickup is not None and pickup.status == PickupStatus.ASSIGNED:
            pickup.status, pickup.received_at = PickupStatus.RECEIVED, utcnow()
    if shipment.status in (ShipmentStatus.CANCELLED, ShipmentStatus.RETURNED):
        money.set_cod(shipment.order, 0)  # nothing will be collected for this parcel
    db.session.flush()
    advance(shipment.order, "carrier", remote_status)
    return True


def _shipment_for_event(event: dict) -> Shipment | None:
    """The shipment the carrier's event is about: by the carrier's id, or, when the booking's answer
    is not recorded yet (the job is still waiting for it, or retrying), by our reference, the order's
    code, so that news (a remittance above all) sent meanwhile is not lost."""
    shipment = db.session.scalar(select(Shipment).where(Shipment.remote_id == str(event.get("shipment_id"))))
    if shipment is not None or not event.get("reference"):
        return shipment
    # The carrier's id is left to the booking's answer, which records it with the tracking code.
    return db.session.scalar(select(Shipment).join(Order, Order.id == Shipment.order_id).where(
        Order.code == str(event["reference"]), Shipment.remote_id.is_(None)))


def apply_event(event: dict) -> bool:
    """A carrier webhook: a shipment's new status, or the remittance of the cash it collected."""
    shipment = _shipment_for_event(event)
    if shipment is None:
        return False
    if event.get("type") == "cod.remitted":
        amount = event.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return False
        return money.cod_remitted(shipment.order, amount, f"carrier:{event.get('remittance_id')}") is not None
    shipment.checked_at = utcnow()
    return apply_status(shipment, str(event.get("status")), int(event.get("sequence", 0)))


def poll_stale(limit: int = 200) -> int:
    """Ask the carrier about shipments not heard of for CARRIER_POLL_SECONDS (a webhook may be lost).
    The poll job's work: read (short transaction), ask (none open), record."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["CARRIER_POLL_SECONDS"])
    stale = db.session.execute(select(Shipment.id, Shipment.remote_id).where(
        Shipment.remote_id.is_not(None), Shipment.status.not_in(list(FINAL)),
        (Shipment.checked_at.is_(None)) | (Shipment.checked_at < cutoff)).limit(limit)).all()
    db.session.commit()
    adapter = carrier_adapter()
    answers = []
    for shipment_id, remote_id in stale:
        try:
            answers.append((shipment_id, adapter.get_shipment(remote_id)))
        except RemoteError:
            continue  # asked again next time
    changed = 0
    for shipment_id, remote in answers:
        shipment = db.session.get(Shipment, shipment_id)
        if shipment is None:
            continue
        shipment.checked_at = utcnow()
        changed += apply_status(shipment, remote.status, remote.version)
    return changed


# Cancelling, in the listing sync's three steps: the page commits its read between plan and perform.
def plan_cancel(user, shipment: Shipment) -> str:
    """Check that `user` may cancel this parcel now (booked, not yet handed in); the carrier's id of it."""
    if not has_permission(user, "pickups.manage"):
        raise PermissionDenied()
    if shipment.status != ShipmentStatus.BOOKED:
        raise ValidationFailed(errors={"shipment": [_("Only a booked parcel not yet handed in can be cancelled.")]})
    if not shipment.remote_id:  # booked in our books, the carrier's answer still on its way
        raise ValidationFailed(errors={"shipment": [_("The carrier has not confirmed the booking yet: try again "
                                                      "in a minute.")]})
    return shipment.remote_id


def perform_cancel(remote_id: str) -> RemoteShipment:
    """The carrier's cancel call; no database transaction may be open."""
    try:
        return carrier_adapter().cancel(remote_id)
    except Refused as refused:  # handed in meanwhile: the carrier's webhook will tell us so
        raise ValidationFailed(errors={"shipment": [_("Only a booked parcel not yet handed in can be cancelled.")]}) \
            from refused
    except RemoteError as error:
        raise ValidationFailed(errors={"shipment": [_("The carrier did not answer; try again.")]}) from error


def record_cancel(shipment_id: int, remote: RemoteShipment) -> Shipment | None:
    """Write the carrier's answer (the shipment's new status and version)."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is not None:
        apply_status(shipment, remote.status, remote.version)
    return shipment


# -- cash on delivery follows payments --------------------------------------------------------------
def follow_payment(order) -> None:
    """Money came for `order`: before hand-in the carrier collects less (or nothing); after it, the
    amount is the carrier's and orders counts the difference as a refund to make."""
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    if shipment is None or shipment.status not in (ShipmentStatus.BOOKING, ShipmentStatus.BOOKED):
        return
    cod = money.cod_to_collect(order)
    if cod == shipment.cod_amount:
        return
    shipment.cod_amount = cod
    money.set_cod(order, cod)
    if shipment.remote_id:
        request_cod_update(shipment)
    # still booking: the booking job compares the carrier's amount with ours when it answers


def request_cod_update(shipment: Shipment) -> None:
    from connector.logistics.jobs import update_cod_job

    enqueue_after_commit(update_cod_job, shipment.id)


def read_cod_update(shipment_id: int) -> tuple[str, int] | None:
    """update_cod's read step: the carrier's id of the parcel and the amount to send, or None."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or not shipment.remote_id:
        return None
    return shipment.remote_id, shipment.cod_amount


def update_cod(shipment_id: int) -> str:
    """Tell the carrier the new cash-on-delivery amount: read, call (no transaction), record. When
    the parcel was handed in meanwhile, the carrier's amount stands and orders shows the refund."""
    read = read_cod_update(shipment_id)
    if read is None:
        return "gone"
    remote_id, wanted = read
    db.session.commit()
    adapter = carrier_adapter()
    try:
        remote = adapter.update_cod(remote_id, wanted)
    except Refused:  # handed in already: the carrier collects what it was told at booking
        remote = adapter.get_shipment(remote_id)
    return record_cod_answer(shipment_id, wanted, remote)


def record_cod_answer(shipment_id: int, wanted: int, remote: RemoteShipment) -> str:
    """update_cod's record step: the carrier took the amount we `wanted`, or kept its own."""
    shipment = db.session.get(Shipment, shipment_id)
    apply_status(shipment, remote.status, remote.version)
    if remote.cod_amount != wanted and shipment.cod_amount == wanted:  # no newer change meanwhile
        _keep_carriers_cod(shipment, remote.cod_amount)
    return "updated" if remote.cod_amount == wanted else "kept"
