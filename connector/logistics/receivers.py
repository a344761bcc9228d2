"""Orders taken in from the marketplaces are matched to a pickup point, in a job."""

from connector.jobs import enqueue_after_commit
from connector.signals import order_received


@order_received.connect
def _order_received(order, **_):
    from connector.logistics.jobs import match_pickup_job

    enqueue_after_commit(match_pickup_job, order.id)
