"""Start an RQ worker with the connector's app bound, plus the outbox dispatcher.

    python -m workers [--burst] [--queues publishing,orders]

The app is built once per worker process; each job gets a fresh app context from the job base.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import threading
import time

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker
from rq.serializers import JSONSerializer
from rq.worker import DequeueStrategy

from workers.queues import ALL_QUEUES

log = logging.getLogger("workers")
DISPATCH_EVERY_SECONDS = float(os.environ.get("WORKER_PERIODIC_SECONDS", "15"))


def wait_for_redis(url: str, timeout: float = 20.0) -> Redis:
    """The dev runner starts redis-server beside the worker: give it a moment to listen."""
    connection = Redis.from_url(url, socket_connect_timeout=2)
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.ping()
            return connection
        except RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def dispatch_once(app) -> int:
    """The outbox, then the periodic tasks, each in its own transaction: one failing (Redis down, a
    database error) does not undo or hold up the others. Returns how many outbox jobs were pushed."""
    from connector.jobs import dispatch_outbox
    from connector.logistics.periodic import run_periodic as logistics_periodic
    from connector.marketplaces.periodic import run_periodic

    with app.app_context():
        pushed = _in_own_transaction("outbox dispatch", dispatch_outbox) or 0
        _in_own_transaction("publishing periodic tasks", run_periodic)
        _in_own_transaction("logistics periodic tasks", logistics_periodic)
    return pushed


def _in_own_transaction(name: str, task):
    from connector.extensions import db

    try:
        result = task()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("%s failed; will try again", name)
        return None
    finally:
        db.session.remove()


def _dispatch_forever(app, stop: threading.Event) -> None:
    while not stop.wait(DISPATCH_EVERY_SECONDS):
        dispatch_once(app)


class SparseHeartbeats:
    """RQ sends a worker heartbeat (three Redis round trips) several times per job, around 9 round
    trips of a job's ~30: at publishing rates that was 40% of RQ's own CPU per job. Each heartbeat
    keeps the worker's key alive for a minute or more, so one every few seconds loses nothing; a
    heartbeat asking for a longer life than the last one, or sent inside one of RQ's pipelines, is
    never skipped."""

    HEARTBEAT_EVERY_SECONDS = 5.0
    _last_heartbeat: tuple[float, int] = (0.0, 0)  # monotonic time, timeout it set

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        timeout = timeout or self.worker_ttl + 60
        if pipeline is None:
            sent_at, lasting = self._last_heartbeat
            if time.monotonic() - sent_at < self.HEARTBEAT_EVERY_SECONDS and timeout <= lasting:
                return
            self._last_heartbeat = (time.monotonic(), timeout)
        super().heartbeat(timeout, pipeline)


class InProcessWorker(SparseHeartbeats, SimpleWorker):
    pass


class ForkingWorker(SparseHeartbeats, Worker):
    pass


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """Make a forked child (RQ's scheduler, a work horse) get SIGTERM when this worker dies, even
    by SIGKILL, which gives the worker no chance to stop them: else RQ's scheduler lives on alone,
    holding the scheduling lock. Linux only; elsewhere nothing changes."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the worker died before the call above
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="run the queued jobs, then exit")
    parser.add_argument("--queues", default=",".join(ALL_QUEUES), help="comma-separated queue names")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    from connector import create_app
    from connector.jobs.base import bind_worker_app

    app = create_app()
    bind_worker_app(app)
    worker_pid = os.getpid()

    def after_fork_in_child() -> None:
        if os.getppid() == worker_pid:  # this worker's own children only
            die_with_parent()

    os.register_at_fork(after_in_child=after_fork_in_child)
    connection = wait_for_redis(app.config["REDIS_URL"])
    queue_names = [name.strip() for name in options.queues.split(",") if name.strip()]
    unknown = set(queue_names) - set(ALL_QUEUES)
    if unknown:
        parser.error(f"unknown queues: {', '.join(sorted(unknown))}")
    queues = [Queue(name, connection=connection, serializer=JSONSerializer) for name in queue_names]

    dispatch_once(app)  # send what was left behind while no worker ran
    stop = threading.Event()
    if not options.burst:
        threading.Thread(target=_dispatch_forever, args=(app, stop), daemon=True, name="outbox").start()
    # SimpleWorker runs jobs in this process: the app, its connection pool and the marketplace
    # sessions and tokens are reused from job to job (forking a work horse per job cost ~10x the
    # CPU per listing). WORKER_CLASS=fork brings back RQ's fork-per-job isolation.
    worker_class = ForkingWorker if os.environ.get("WORKER_CLASS") == "fork" else InProcessWorker
    # RQ's maintenance (registry clean-up, and taking over the scheduler of a worker that died) runs
    # every 10 minutes by default: delayed retries would wait that long after a worker is lost.
    worker = worker_class(queues, connection=connection, serializer=JSONSerializer,
                          maintenance_interval=int(os.environ.get("WORKER_MAINTENANCE_SECONDS", "60")))
    try:
        # Round robin over the queues: an order never waits behind a thousand listings, and a steady
        # stream of order-side jobs (event pulls while a marketplace is failing) never starves publishing.
        worker.work(burst=options.burst, with_scheduler=not options.burst, dequeue_strategy=DequeueStrategy.ROUND_ROBIN)
    finally:
        stop.set()
    return 0
