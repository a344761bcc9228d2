"""A real round trip: outbox -> real redis-server -> `python -m workers` in another process -> database."""

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import delete, select

from connector.auth.jobs import purge_dead_tokens_job
from connector.auth.models import ApiToken, User
from connector.auth.services import create_user, issue_token
from connector.db import utcnow
from connector.extensions import db
from connector.jobs import MAINTENANCE, enqueue_after_commit, queue_for
from connector.jobs.outbox import OutboxJob


def test_worker_runs_the_job_in_its_own_app_context_and_its_write_is_visible(app, app_config):
    with app.app_context():
        user = create_user(username="roundtrip", password="mat-khau-dai-du", role="admin")
        _, dead = issue_token(user)
        dead.expires_at = utcnow() - timedelta(days=60)
        _, alive = issue_token(user)
        row = enqueue_after_commit(purge_dead_tokens_job, 30)
        db.session.commit()
        ids = {"user": user.id, "dead": dead.id, "alive": alive.id, "row": row.id}
        assert queue_for(MAINTENANCE).count == 1
        db.session.remove()
    try:
        environment = dict(
            os.environ,
            DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=app_config["REDIS_URL"],
            SECRET_KEY=app_config["SECRET_KEY"],
        )
        finished = subprocess.run(
            [sys.executable, "-m", "workers", "--burst", "--queues", MAINTENANCE],
            env=environment, capture_output=True, text=True, timeout=120,
        )
        assert finished.returncode == 0, finished.stderr
        with app.app_context():
            remaining = set(db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == ids["user"])))
            assert remaining == {ids["alive"]}  # the expired token is gone, the live one stays
            assert db.session.get(OutboxJob, ids["row"]).completed_at is not None
            assert queue_for(MAINTENANCE).count == 0
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxJob).where(OutboxJob.id == ids["row"]))
            db.session.execute(delete(ApiToken).where(ApiToken.user_id == ids["user"]))
            db.session.execute(delete(User).where(User.id == ids["user"]))
            db.session.commit()
            db.session.remove()


def test_workers_stay_registered_while_sending_heartbeats_only_every_few_seconds(redis_url):
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    from connector.jobs.worker import InProcessWorker

    connection = Redis.from_url(redis_url)
    worker = InProcessWorker([Queue(MAINTENANCE, connection=connection, serializer=JSONSerializer)],
                             connection=connection, serializer=JSONSerializer)
    worker.register_birth()
    try:
        worker.heartbeat()
        first = connection.hget(worker.key, "last_heartbeat")
        worker.heartbeat()  # a moment later: skipped, the key lives on for minutes
        assert connection.hget(worker.key, "last_heartbeat") == first
        assert connection.ttl(worker.key) > 60
        worker.heartbeat(timeout=3600)  # asks for a longer life: always sent
        assert connection.ttl(worker.key) > 3000
        assert worker.key.encode() in connection.smembers("rq:workers")  # `rq info` still lists it
    finally:
        worker.register_death()


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except OSError:
                continue
    return children


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_worker_killed_with_sigkill_takes_its_scheduler_process_with_it(app_config):
    """RQ runs its scheduler in a forked process; a worker lost to SIGKILL (the OOM killer, a deploy)
    must not leave it running alone, holding the scheduling lock."""
    import signal
    import time

    environment = dict(os.environ, DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
                       REDIS_URL=app_config["REDIS_URL"], SECRET_KEY=app_config["SECRET_KEY"])
    worker = subprocess.Popen([sys.executable, "-m", "workers", "--queues", MAINTENANCE], env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (scheduler := _children_of(worker.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler, "the worker started no scheduler process"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in scheduler) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in scheduler)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
