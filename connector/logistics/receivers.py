"""Logistics reacts to orders: a new order is matched to a pickup point (in a job), and money
received for an order, or its cancelling or return, changes what the carrier collects on delivery."""

from connector.jobs import enqueue_after_commit
from connector.orders.status import UNDELIVERED
from connector.signals import order_paid, order_received, order_status_changed


@order_received.connect
def _order_received(order, **_):
    from connector.logistics.jobs import match_pickup_job

    enqueue_after_commit(match_pickup_job, order.id)


@order_paid.connect
def _order_paid(order, **_):
    from connector.logistics.shipping import follow_payment

    follow_payment(order)


@order_status_changed.connect
def _order_status_changed(order, after=None, **_):
    # A cancelled or returned order owes nothing: a parcel still booked is sent with no cash to collect.
    if after in UNDELIVERED:
        from connector.logistics.shipping import follow_payment

        follow_payment(order)
