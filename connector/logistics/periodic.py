"""Work every worker does every few seconds for logistics: ask the carrier about quiet shipments."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from connector.jobs.base import enqueue_singleton
from connector.jobs.registry import periodic
from connector.logistics.jobs import LOGISTICS

log = logging.getLogger(__name__)


@periodic("logistics periodic tasks")
def run_periodic() -> None:
    try:
        enqueue_singleton(LOGISTICS, "connector.logistics.jobs.poll_shipments_job", job_id="poll-shipments",
                          description="poll the carrier")
    except RedisError:
        log.warning("Redis unavailable: carrier poll not queued")
