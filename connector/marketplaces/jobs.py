"""Publishing jobs: sync one listing, apply one marketplace event, pull events since the cursor."""

from __future__ import annotations

import contextlib

from flask import current_app
from redis.exceptions import LockError
from rq import Retry

from connector.extensions import db
from connector.jobs import finish_current_job, job
from connector.jobs.registry import declare_queue
from connector.redis_client import get_redis

# Taken first, so that a buyer's order never waits behind a thousand listings being published.
ORDERS = declare_queue("orders", "take orders back from the marketplaces", rank=10)
PUBLISHING = declare_queue("publishing", "push listings, price and stock to the marketplaces", rank=20)


# 60 s covers a sync's few remote calls at their 10 s read timeout. A job abandoned by a killed worker
# is noticed once this timeout plus RQ's 60 s margin has passed, so shorter is recovered sooner.
@job(PUBLISHING, timeout=60)
def sync_listing_job(listing_id: int) -> str:
    """Make one listing on one marketplace match its product (idempotent; see services.sync_listing)."""
    from connector.marketplaces import services

    # One sync per listing at a time across all workers; a second one comes back shortly.
    lock = get_redis().lock(f"connector:listing-sync:{listing_id}",
                            timeout=current_app.config["SYNC_LOCK_SECONDS"], blocking_timeout=0)
    if not lock.acquire(blocking=False):
        listing = db.session.get(services.Listing, listing_id)
        if listing is not None:
            services.request_sync(listing, delay_seconds=2)
        return "busy"
    try:
        # Three steps, so that no database transaction stays open during a remote call.
        plan = services.plan_sync(listing_id)
        db.session.commit()
        if plan is None:
            return "gone"
        outcome = services.perform_sync(plan)
        listing = services.record_sync(plan, outcome)
        state = listing.state if listing else "gone"  # read now: after commit it would be a query
        finish_current_job()  # in the same transaction as the outcome
        db.session.commit()
        return state
    finally:
        with contextlib.suppress(LockError):  # expired meanwhile: another sync may hold it now
            lock.release()


@job(ORDERS, retry=Retry(max=6, interval=[1, 2, 5, 10, 30, 60]))
def apply_event_job(event_row_id: int) -> None:
    """Apply one stored marketplace event (review result, order, order status)."""
    from connector.marketplaces.events import apply_event

    apply_event(event_row_id)


@job(ORDERS, timeout=120)
def pull_events_job(marketplace: str, storefront: str = "") -> int:
    """Recover events whose webhook was lost: read the account's list since our cursor."""
    from connector.marketplaces.events import pull_events

    return pull_events(marketplace, storefront)
