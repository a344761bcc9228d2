from datetime import timedelta

import pytest
from rq.serializers import JSONSerializer
from sqlalchemy import select

from connector.auth.jobs import purge_dead_tokens_job
from connector.db import utcnow
from connector.jobs import dispatch_outbox, enqueue_after_commit, job, queue_for
from connector.jobs.outbox import OutboxJob
from workers.queues import MAINTENANCE


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


def test_dispatcher_stops_pushing_jobs_that_failed_for_good(db_session, maintenance_queue):
    row = enqueue_after_commit(purge_dead_tokens_job, 7)
    db_session.commit()
    queued = maintenance_queue.fetch_job(row.rq_job_id)
    queued.set_status("failed")
    row.created_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    assert dispatch_outbox() == 0
    assert db_session.scalar(select(OutboxJob.failed_at).where(OutboxJob.id == row.id)) is not None


def test_jobs_are_declared_on_known_queues_only():
    with pytest.raises(ValueError, match="unknown queue"):
        job("emails")(lambda: None)


def test_queues_use_the_json_serializer(maintenance_queue):
    assert maintenance_queue.serializer is JSONSerializer
