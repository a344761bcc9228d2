"""Start an RQ worker with the connector's app bound, plus the outbox dispatcher.

    python -m workers [--burst] [--queues publishing,orders]

The app is built once per worker process; each job gets a fresh app context from the job base. The
queues, the periodic tasks and the worker's settings come from the app (connector/jobs/, config.py).
"""

from __future__ import annotations

import argparse
import logging

from rq.worker import DequeueStrategy

from connector import create_app
from connector.jobs.base import bind_worker_app
from connector.jobs.dispatcher import dispatch_once, start_dispatcher
from connector.jobs.registry import queue_declarations, queue_names
from connector.jobs.worker import (
    build_worker,
    children_die_with_this_process,
    wait_for_redis,
    yield_cpu_to_the_web,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", action="store_true", help="run the queued jobs, then exit")
    parser.add_argument("--queues", help="comma-separated queue names (default: every queue, in turn)")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log = logging.getLogger("workers")

    app = create_app()  # imports every feature's jobs: the queue registry is complete from here on
    bind_worker_app(app)
    declared = queue_names()
    wanted = [name.strip() for name in (options.queues or "").split(",") if name.strip()] or list(declared)
    unknown = set(wanted) - set(declared)
    if unknown:
        known = "; ".join(f"{queue.name} ({queue.purpose})" for queue in queue_declarations())
        parser.error(f"unknown queues: {', '.join(sorted(unknown))}. Known: {known}")

    children_die_with_this_process()  # RQ's scheduler and work horses must not outlive a SIGKILLed worker
    niceness = yield_cpu_to_the_web(app.config["WORKER_NICENESS"])
    connection = wait_for_redis(app.config["REDIS_URL"])
    worker = build_worker(app, wanted, connection)
    dispatch_once(app)  # send what was left behind while no worker ran
    stop = None if options.burst else start_dispatcher(app)
    log.info("worker ready on %s (RQ log level %s, CPU niceness %d)", ", ".join(wanted),
             app.config["WORKER_LOG_LEVEL"], niceness)
    try:
        # Round robin over the queues: an order never waits behind a thousand listings, and a steady
        # stream of order-side jobs (event pulls while a marketplace is failing) never starves publishing.
        # RQ's own lines (four per job, registry clean-ups) at WORKER_LOG_LEVEL: an idle `make run`
        # worker stays quiet; warnings and failed jobs are still logged.
        worker.work(burst=options.burst, with_scheduler=not options.burst,
                    dequeue_strategy=DequeueStrategy.ROUND_ROBIN, logging_level=app.config["WORKER_LOG_LEVEL"])
    finally:
        if stop is not None:
            stop.set()
    return 0
