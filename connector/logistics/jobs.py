"""Logistics jobs: match a confirmed order to its pickup point, book and follow the carrier."""

from __future__ import annotations

from rq import Retry

from connector.extensions import db
from connector.jobs import job
from connector.jobs.registry import declare_queue

LOGISTICS = declare_queue("logistics", "pickup matching and carrier booking", rank=40)


@job(LOGISTICS, retry=Retry(max=3, interval=[5, 30, 120]))
def match_pickup_job(order_id: int) -> str | None:
    """Idempotent: an order already matched keeps its pickup."""
    from connector.logistics.services import assign_pickup
    from connector.logistics.shipping import request_booking
    from connector.orders.models import Order

    order = db.session.get(Order, order_id)
    if order is None:
        return None
    pickup = assign_pickup(order)
    request_booking(pickup)  # the carrier is booked for drop-off at that point
    return pickup.status


@job(LOGISTICS, retry=Retry(max=8, interval=[2, 5, 15, 30, 60, 120, 300, 600]), timeout=60)
def book_shipment_job(shipment_id: int) -> str:
    """Book the carrier (idempotent: looks up our reference first). Retryable errors raise: RQ retries."""
    from connector.logistics.shipping import book

    return book(shipment_id)


@job(LOGISTICS, timeout=120)
def poll_shipments_job() -> int:
    from connector.logistics.shipping import poll_stale

    return poll_stale()


@job(LOGISTICS, retry=Retry(max=8, interval=[2, 5, 15, 30, 60, 120, 300, 600]), timeout=60)
def update_cod_job(shipment_id: int) -> str:
    """Send the carrier a shipment's new cash-on-delivery amount (idempotent: it sets, not adds)."""
    from connector.logistics.shipping import update_cod

    return update_cod(shipment_id)
