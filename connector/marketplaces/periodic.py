"""Work every worker does every few seconds: pull missed events, revive stuck listings."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from connector.jobs.base import queue_for
from connector.marketplaces import MARKETPLACES
from connector.marketplaces.services import recover_stuck_listings
from workers.queues import ORDERS

log = logging.getLogger(__name__)


def run_periodic() -> None:
    """Queue one event pull per marketplace (a fixed job id: never two at once) and recover listings."""
    for marketplace in MARKETPLACES:
        job_id = f"pull-events-{marketplace}"
        queue = queue_for(ORDERS)
        try:
            existing = queue.fetch_job(job_id)
            if existing is None or existing.get_status(refresh=True) in ("finished", "failed", "canceled", "stopped"):
                if existing is not None:
                    existing.delete()
                queue.enqueue("connector.marketplaces.jobs.pull_events_job", marketplace, job_id=job_id,
                              result_ttl=0, failure_ttl=3600, description="pull marketplace events")
        except RedisError:
            log.warning("Redis unavailable: event pull for %s not queued", marketplace)
    recover_stuck_listings()
