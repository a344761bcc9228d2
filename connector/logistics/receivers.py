"""Logistics reacts to orders: a new order is matched to a pickup point (in a job), and money
received for an order changes what the carrier collects on delivery."""

from connector.jobs import enqueue_after_commit
from connector.signals import order_paid, order_received


@order_received.connect
def _order_received(order, **_):
    from connector.logistics.jobs import match_pickup_job

    enqueue_after_commit(match_pickup_job, order.id)


@order_paid.connect
def _order_paid(order, **_):
    from connector.logistics.shipping import follow_payment

    follow_payment(order)
