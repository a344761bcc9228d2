"""The job base: every job runs in a fresh app context, inside one transaction.

Jobs take ids and plain values (JSON-serialised), never ORM objects. The function's result is
committed when it returns and rolled back when it raises; RQ then applies the job's retry policy.
"""

from __future__ import annotations

import functools
import os

from flask import Flask
from rq import Queue, Retry, get_current_job
from rq.serializers import JSONSerializer

from connector.extensions import db
from connector.jobs.registry import is_declared
from connector.redis_client import get_redis

_worker_app: Flask | None = None
_worker_app_pid: int | None = None


def bind_worker_app(app: Flask | None) -> None:
    """Bind the app jobs run in: the worker entry does it once, after `create_app()`, and jobs then
    reuse it instead of building one each. `None` unbinds it."""
    global _worker_app, _worker_app_pid
    _worker_app, _worker_app_pid = app, os.getpid()


def _app_for_job() -> Flask:
    # The job base sits in the foundation, below the app factory, so it cannot build an app itself:
    # whoever runs jobs (`python -m workers`, a test) creates one and binds it.
    global _worker_app_pid
    if _worker_app is None:
        raise RuntimeError("a job ran with no app bound: call connector.jobs.base.bind_worker_app(create_app()) "
                           "before running jobs (python -m workers does)")
    if _worker_app_pid != os.getpid():
        # RQ forks a work horse per job: connections inherited from the parent must not be shared.
        with _worker_app.app_context():
            db.engine.dispose(close=False)
        _worker_app_pid = os.getpid()
    return _worker_app


def job(queue_name: str, *, retry: Retry | None = None, timeout: int = 300):
    """Declare a job on the queue named for its purpose. The queue must be declared first
    (`connector.jobs.registry.declare_queue`), by the feature that owns it."""
    if not is_declared(queue_name):
        raise ValueError(f"unknown queue {queue_name!r}; declare it with connector.jobs.registry.declare_queue")

    def decorator(func):
        @functools.wraps(func)
        def run_in_app_context(*args, **kwargs):
            with _app_for_job().app_context():
                try:
                    result = func(*args, **kwargs)
                    finish_current_job()
                    db.session.commit()
                    return result
                except BaseException:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()

        run_in_app_context.queue_name = queue_name
        run_in_app_context.retry = retry
        run_in_app_context.timeout = timeout
        run_in_app_context.import_path = f"{func.__module__}.{func.__qualname__}"
        return run_in_app_context

    return decorator


def finish_current_job() -> None:
    """Mark the running job's outbox row done in the current transaction. The job base does it when
    the job returns; a job that commits its own last step calls it first and saves a transaction."""
    from connector.jobs.outbox import mark_outbox_done

    current = get_current_job()
    if current is not None:
        mark_outbox_done(current.id)


def queue_for(name: str) -> Queue:
    """The RQ queue `name` on the app's Redis, with the JSON serializer every worker uses."""
    return Queue(name, connection=get_redis(), serializer=JSONSerializer)


def enqueue_singleton(queue_name: str, function: str, *args, job_id: str, description: str) -> None:
    """Queue a periodic job under a fixed id, unless one is already waiting or running (never two at once).
    Raises RedisError when Redis is down (the caller logs and tries next period)."""
    queue = queue_for(queue_name)
    existing = queue.fetch_job(job_id)
    if existing is not None and existing.get_status(refresh=True) not in ("finished", "failed", "canceled",
                                                                           "stopped"):
        return
    if existing is not None:
        from connector.jobs.outbox import forget_job

        forget_job(existing)
    queue.enqueue(function, *args, job_id=job_id, result_ttl=0, failure_ttl=3600, description=description)
