"""How the connector runs RQ: worker classes with sparse heartbeats, children that die with their worker.

`python -m workers` (workers/run.py) builds the app, binds it for jobs and starts one of these.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker
from rq.serializers import JSONSerializer


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


def build_worker(app: Flask, queue_names: list[str], connection: Redis) -> Worker:
    """An RQ worker on `queue_names` (taken in that order, in turn), as the app's settings say."""
    queues = [Queue(name, connection=connection, serializer=JSONSerializer) for name in queue_names]
    # SimpleWorker runs jobs in this process: the app, its connection pool and the marketplace
    # sessions and tokens are reused from job to job (forking a work horse per job cost ~10x the
    # CPU per listing). WORKER_CLASS=fork brings back RQ's fork-per-job isolation.
    worker_class = ForkingWorker if app.config["WORKER_CLASS"] == "fork" else InProcessWorker
    # RQ's maintenance (registry clean-up, and taking over the scheduler of a worker that died) runs
    # every 10 minutes by default: delayed retries would wait that long after a worker is lost.
    return worker_class(queues, connection=connection, serializer=JSONSerializer,
                        maintenance_interval=app.config["WORKER_MAINTENANCE_SECONDS"])


def yield_cpu_to_the_web(niceness: int) -> int:
    """Lower this process's CPU priority to `niceness` (never raise it: that needs privileges, and a
    worker started already nicer stays so); RQ's scheduler and the jobs inherit it. Returns the
    niceness the operating system now reports."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    return os.getpriority(os.PRIO_PROCESS, 0)


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


def children_die_with_this_process() -> None:
    """Every child this process forks from now on (not grandchildren) calls `die_with_parent`."""
    worker_pid = os.getpid()

    def after_fork_in_child() -> None:
        if os.getppid() == worker_pid:  # this worker's own children only
            die_with_parent()

    os.register_at_fork(after_in_child=after_fork_in_child)
