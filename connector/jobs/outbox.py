"""Enqueue after commit, through an outbox table.

The intent to run a job is a row written in the same transaction as the change that needs it.
After commit it is pushed to RQ at once; if Redis was down or the process died in between,
`dispatch_outbox` (run by every worker every few seconds, or `flask jobs dispatch`) pushes it later.
The RQ job id is derived from the row, so a row is never queued twice at the same time, and the job
marks its row done in its own transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import JSON, String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.utils import import_string

from connector.db import UTCDateTime, utcnow
from connector.extensions import db
from connector.redis_client import get_redis

log = logging.getLogger(__name__)
JOB_ID_PREFIX = "outbox-"
_SESSION_KEY = "connector.outbox"


class OutboxJob(db.Model):
    __tablename__ = "outbox_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(String(40))
    function: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a delayed job (retry backoff)

    @property
    def rq_job_id(self) -> str:
        return f"{JOB_ID_PREFIX}{self.id}"


def enqueue_after_commit(job_function, *args, delay_seconds: float | None = None, **kwargs) -> OutboxJob:
    """Record that `job_function(*args, **kwargs)` must run once the current transaction commits,
    or `delay_seconds` after that.

    Arguments must be JSON values (ids, strings, numbers). Nothing is queued if the transaction
    rolls back.
    """
    not_before = utcnow() + timedelta(seconds=delay_seconds) if delay_seconds else None
    row = OutboxJob(
        queue=job_function.queue_name, function=job_function.import_path, args=list(args), kwargs=kwargs,
        not_before=not_before,
    )
    db.session.add(row)
    db.session.flush()
    # Keep plain values: after commit the row's attributes are expired and may not be loaded.
    db.session.info.setdefault(_SESSION_KEY, []).append(
        (row.id, row.function, row.queue, row.args, kwargs, not_before))
    return row


def _push(row_id: int, function: str, queue: str, args, kwargs, not_before: datetime | None = None) -> None:
    job_function = import_string(function)
    from connector.jobs.base import queue_for

    options = {
        "args": args, "kwargs": kwargs, "job_id": f"{JOB_ID_PREFIX}{row_id}", "retry": job_function.retry,
        "job_timeout": job_function.timeout,
        "description": function,  # never the arguments: keep data out of Redis listings
    }
    if not_before and not_before > utcnow():
        queue_for(queue).enqueue_at(not_before, function, **options)  # RQ's scheduler releases it
    else:
        queue_for(queue).enqueue(function, **options)


@event.listens_for(Session, "after_commit")
def _push_committed(session: Session) -> None:
    for row_id, function, queue, args, kwargs, not_before in session.info.pop(_SESSION_KEY, []):
        try:
            _push(row_id, function, queue, args, kwargs, not_before)
        except RedisError:
            log.warning("Redis unavailable; outbox job %s left for the dispatcher", row_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def mark_outbox_done(rq_job_id: str) -> None:
    if rq_job_id.startswith(JOB_ID_PREFIX):
        row_id = int(rq_job_id.removeprefix(JOB_ID_PREFIX))
        db.session.execute(update(OutboxJob).where(OutboxJob.id == row_id).values(completed_at=utcnow()))


def dispatch_outbox(limit: int = 500) -> int:
    """Push outbox rows that are still pending and not known to RQ; returns how many were pushed.

    A row younger than OUTBOX_REDISPATCH_AFTER is left alone: its after-commit push is probably
    still on its way. A row whose RQ job failed for good is marked failed and no longer pushed.
    """
    cutoff = utcnow() - current_app.config["OUTBOX_REDISPATCH_AFTER"]
    rows = db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.completed_at.is_(None), OutboxJob.failed_at.is_(None), OutboxJob.created_at < cutoff)
        .order_by(OutboxJob.id)
        .limit(limit)
    ).all()
    pushed = 0
    # One round trip for all the rows: which of their jobs does RQ still know?
    jobs = Job.fetch_many([row.rq_job_id for row in rows], connection=get_redis(), serializer=JSONSerializer)
    for row, rq_job in zip(rows, jobs, strict=True):
        status = rq_job.get_status(refresh=False) if rq_job is not None else None
        if status == JobStatus.FAILED:
            row.failed_at = utcnow()
        elif status is None:
            _push(row.id, row.function, row.queue, row.args, row.kwargs, row.not_before)
            pushed += 1
    db.session.flush()
    return pushed
