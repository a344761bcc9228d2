import time
from datetime import timedelta

import pytest
from rq.serializers import JSONSerializer

from connector.auth.jobs import purge_dead_tokens_job
from connector.db import utcnow
from connector.jobs import MAINTENANCE, dispatch_outbox, enqueue_after_commit, job, queue_for
from connector.jobs.outbox import OutboxJob


@pytest.fixture
def maintenance_queue(app, db_session):
    return queue_for(MAINTENANCE)


def test_job_is_queued_only_after_commit(db_session, maintenance_queue):
    row = enqueue_after_commit(purge_dead_tokens_job, 30)
    assert maintenance_queue.count == 0  # nothing reaches Redis before the transaction commits
    db_session.commit()
    assert maintenance_queue.job_ids == [f"outbox-{row.id}"]
    queued = maintenance_queue.fetch_job(f"outbox-{row.id}")
    assert queued.func_name == "connector.auth.jobs.purge_dead_tokens_job"
    assert queued.args == [30]
    assert queued.retries_left == 3


def test_rolled_back_work_queues_nothing(db_session, maintenance_queue):
    enqueue_after_commit(purge_dead_tokens_job, 30)
    db_session.rollback()
    db_session.commit()
    assert maintenance_queue.count == 0


def test_intent_survives_redis_being_down_and_the_dispatcher_sends_it_later(app, db_session, maintenance_queue):
    working_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.extensions.pop("connector.redis", None)
    try:
        row = enqueue_after_commit(purge_dead_tokens_job, 7)
        db_session.commit()  # the change commits even though Redis is unreachable
    finally:
        app.config["REDIS_URL"] = working_url
        app.extensions.pop("connector.redis", None)
    assert db_session.get(OutboxJob, row.id).completed_at is None
    assert maintenance_queue.count == 0

    assert dispatch_outbox() == 0  # too young: its after-commit push may still be on its way
    row.created_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    assert dispatch_outbox() == 1
    assert maintenance_queue.job_ids == [f"outbox-{row.id}"]
    assert dispatch_outbox() == 0  # already queued: never twice


def _fail(queue, row) -> None:
    """What RQ leaves when it gives up on a job (retries used up, or its worker was SIGKILLed)."""
    queue.fetch_job(row.rq_job_id).set_status("failed")


def test_a_failed_job_is_pushed_again_later_a_few_times_then_marked_failed(app, db_session, maintenance_queue):
    row = enqueue_after_commit(purge_dead_tokens_job, 7)
    db_session.commit()
    row.created_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    base = app.config["OUTBOX_REDRIVE_SECONDS"]
    for attempt in range(1, app.config["OUTBOX_MAX_REDRIVES"] + 1):
        _fail(maintenance_queue, row)
        before = utcnow()
        assert dispatch_outbox() == 1
        assert row.redrives == attempt and row.failed_at is None
        # Later each time (1, 2, 4 x base), via RQ's scheduler, with the same job id.
        assert row.not_before >= before + timedelta(seconds=base * 2 ** (attempt - 1))
        assert maintenance_queue.scheduled_job_registry.get_job_ids() == [row.rq_job_id]
        maintenance_queue.scheduled_job_registry.remove(row.rq_job_id)
        maintenance_queue.enqueue_job(maintenance_queue.fetch_job(row.rq_job_id))
    _fail(maintenance_queue, row)
    assert dispatch_outbox() == 0
    assert row.failed_at is not None  # given up: now it waits for staff
    assert dispatch_outbox() == 0


def test_staff_re_drive_runs_a_failed_job_again_after_commit(app, db_session, maintenance_queue):
    from connector.jobs.outbox import failed_outbox_jobs, redrive

    row = enqueue_after_commit(purge_dead_tokens_job, 7)
    db_session.commit()
    _fail(maintenance_queue, row)
    row.failed_at, row.redrives = utcnow(), 3
    db_session.flush()
    assert failed_outbox_jobs() == [row]
    maintenance_queue.empty()
    redrive(row)
    assert maintenance_queue.count == 0  # not before the commit
    db_session.commit()
    assert maintenance_queue.job_ids == [row.rq_job_id]
    assert row.failed_at is None and row.redrives == 0
    assert failed_outbox_jobs() == []


def test_jobs_are_declared_on_known_queues_only():
    with pytest.raises(ValueError, match="unknown queue"):
        job("emails")(lambda: None)


def test_queues_use_the_json_serializer(maintenance_queue):
    assert maintenance_queue.serializer is JSONSerializer


def test_a_job_left_started_by_a_killed_worker_is_sent_again_once_its_heartbeat_expired(app, db_session):
    from connector.marketplaces.jobs import PUBLISHING, sync_listing_job  # no RQ retry policy: the outbox re-drives it

    queue = queue_for(PUBLISHING)
    row = enqueue_after_commit(sync_listing_job, 12345)
    db_session.commit()
    row.created_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    # What a worker leaves when it is SIGKILLed right after taking the job: the job "started", in the
    # started registry under an execution whose heartbeat deadline (score) has passed.
    rq_job = queue.fetch_job(row.rq_job_id)
    queue.remove(rq_job)
    rq_job.set_status("started")
    registry = queue.started_job_registry
    registry.connection.zadd(registry.key, {f"{rq_job.id}:dead-execution": time.time() - 1})
    assert dispatch_outbox() == 1  # no 10-minute wait for RQ's own maintenance
    assert row.redrives == 1 and queue.scheduled_job_registry.get_job_ids() == [row.rq_job_id]


def test_a_delayed_job_whose_scheduler_died_is_queued_once_overdue(app, db_session, maintenance_queue):
    late = enqueue_after_commit(purge_dead_tokens_job, 1, delay_seconds=60)
    soon = enqueue_after_commit(purge_dead_tokens_job, 2, delay_seconds=60)
    db_session.commit()
    for row in (late, soon):
        row.created_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    registry = maintenance_queue.scheduled_job_registry
    assert sorted(registry.get_job_ids()) == sorted([late.rq_job_id, soon.rq_job_id])
    # No worker runs RQ's scheduler here, as after the one holding it was killed. One job is a minute
    # overdue, past the grace; the other is only just due.
    registry.connection.zadd(registry.key, {late.rq_job_id: time.time() - 60, soon.rq_job_id: time.time() - 1})
    assert dispatch_outbox() == 1
    assert maintenance_queue.job_ids == [late.rq_job_id] and registry.get_job_ids() == [soon.rq_job_id]
    assert dispatch_outbox() == 0  # never pushed twice


def test_a_failed_job_whose_execution_record_expired_is_still_re_driven(app, db_session, maintenance_queue):
    row = enqueue_after_commit(purge_dead_tokens_job, 7)
    other = enqueue_after_commit(purge_dead_tokens_job, 8)
    db_session.commit()
    for each in (row, other):
        each.created_at = utcnow() - timedelta(minutes=5)
        _fail(maintenance_queue, each)
    db_session.flush()
    # A killed worker's job keeps listing its execution after that execution's record expired; RQ's
    # own delete then raises "Execution ... not found in Redis".
    rq_job = maintenance_queue.fetch_job(row.rq_job_id)
    rq_job.connection.zadd(rq_job.execution_registry.key, {"expired-execution": time.time()})
    assert dispatch_outbox() == 2  # both sent again; neither holds the other up
    assert (row.redrives, other.redrives) == (1, 1)


def test_a_job_taken_by_a_worker_killed_before_it_started_is_sent_again(app, db_session, maintenance_queue):
    from connector.jobs.outbox import ORPHAN_GRACE_SECONDS, ORPHAN_KEY

    row = enqueue_after_commit(purge_dead_tokens_job, 7)
    waiting = enqueue_after_commit(purge_dead_tokens_job, 8)
    taken = enqueue_after_commit(purge_dead_tokens_job, 9)
    db_session.commit()
    for each in (row, waiting, taken):
        each.created_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    # A worker on several queues takes a job with a plain LPOP; SIGKILLed before marking it started,
    # it leaves the job "queued" in no queue at all.
    redis = maintenance_queue.connection
    redis.lrem(maintenance_queue.key, 1, row.rq_job_id)
    assert maintenance_queue.fetch_job(row.rq_job_id).get_status() == "queued"
    # A single-queue worker moves the job it takes to RQ's intermediate list, which RQ itself cleans up.
    redis.lmove(maintenance_queue.key, maintenance_queue.intermediate_queue_key, "RIGHT", "LEFT")

    assert dispatch_outbox() == 0  # seen missing once: a live worker may be just about to start it
    for each in (row, taken):
        redis.set(ORPHAN_KEY + each.rq_job_id, time.time() - ORPHAN_GRACE_SECONDS - 1)  # a pass later
    assert dispatch_outbox() == 1
    assert maintenance_queue.job_ids == [waiting.rq_job_id, row.rq_job_id]  # the waiting one untouched
    assert dispatch_outbox() == 0  # queued again, and only once
