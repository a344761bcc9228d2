"""Work every worker does every few seconds: pull missed events, revive stuck listings."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from connector.jobs.base import enqueue_singleton
from connector.jobs.registry import periodic
from connector.marketplaces import MARKETPLACES
from connector.marketplaces.adapters import storefronts
from connector.marketplaces.jobs import ORDERS
from connector.marketplaces.services import recover_stuck_listings

log = logging.getLogger(__name__)


@periodic("publishing periodic tasks")
def run_periodic() -> None:
    """Queue one event pull per marketplace (a fixed job id: never two at once) and recover listings."""
    for marketplace in MARKETPLACES:
        for storefront in storefronts(marketplace):
            try:
                enqueue_singleton(ORDERS, "connector.marketplaces.jobs.pull_events_job", marketplace, storefront,
                                  job_id=f"pull-events-{marketplace}-{storefront or 'national'}",
                                  description="pull marketplace events")
            except RedisError:
                log.warning("Redis unavailable: event pull for %s not queued", marketplace)
    recover_stuck_listings()
