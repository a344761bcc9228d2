"""Queues and periodic tasks declared by their features, run by every worker's dispatcher; jobs run in
the app the worker bound."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from connector.auth.jobs import purge_dead_tokens_job
from connector.auth.models import ApiToken
from connector.auth.services import create_user, issue_token
from connector.db import utcnow
from connector.jobs import queue_for
from connector.jobs.base import bind_worker_app
from connector.jobs.dispatcher import dispatch_once
from connector.jobs.registry import declare_queue, periodic_tasks, queue_names
from connector.logistics.jobs import LOGISTICS
from connector.marketplaces.jobs import ORDERS


def test_after_create_app_workers_know_every_features_queue_in_round_robin_order(app):
    # A farmer waiting for a sign-in code first, then a buyer's order, then publishing; an agent's large
    # import before the dashboards' recounts; housekeeping last.
    assert queue_names() == ("notices", "orders", "publishing", "payments", "logistics", "imports", "reports",
                             "maintenance")
    assert {"publishing periodic tasks", "logistics periodic tasks", "certificates about to expire"} <= {
        name for name, _ in periodic_tasks()}


def test_a_queue_declared_twice_differently_is_refused():
    assert declare_queue("orders", "take orders back from the marketplaces", rank=10) == "orders"  # same: fine
    with pytest.raises(ValueError, match="already declared differently"):
        declare_queue("orders", "something else", rank=99)


def test_the_dispatcher_runs_each_features_periodic_tasks(app):
    dispatch_once(app)
    with app.app_context():
        # The marketplaces' task queues an event pull per account, the logistics task a carrier poll.
        assert {"pull-events-postmart-national", "pull-events-voso-national"} <= set(queue_for(ORDERS).job_ids)
        assert "poll-shipments" in queue_for(LOGISTICS).job_ids


@pytest.fixture
def bound_app(app):
    bind_worker_app(app)
    yield app
    bind_worker_app(None)  # the rest of the suite runs jobs only through real worker processes


def test_a_job_runs_in_the_bound_app_and_commits_its_work(bound_app, db_session):
    user = create_user(username="bound-job", password="mat-khau-dai-du", role="admin")
    _, dead = issue_token(user)
    dead.expires_at = utcnow() - timedelta(days=60)
    _, alive = issue_token(user)
    db_session.commit()
    assert purge_dead_tokens_job(30) == 1
    assert set(db_session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id))) == {alive.id}


def test_a_job_run_with_no_app_bound_says_how_to_bind_one(app):
    with pytest.raises(RuntimeError, match=r"no app bound.*bind_worker_app\(create_app\(\)\)"):
        purge_dead_tokens_job(30)
