import contextlib

import pytest
import sqlalchemy as sa

import connector.db


@contextlib.contextmanager
def pooled_connection_ended_by_the_server(url: str):
    """An engine with one pooled connection, which the server has just ended: (engine, its old pid)."""
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            first_backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with admin.begin() as connection:  # returns once the backend has gone, as a restart does
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first_backend})
        yield engine, first_backend
    finally:
        engine.dispose()
        admin.dispose()


def backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def test_a_pooled_connection_the_server_closed_while_idle_is_replaced_before_use(app_config, monkeypatch):
    """After a database restart or an idle timeout, the first request still gets its answer."""
    with pooled_connection_ended_by_the_server(app_config["SQLALCHEMY_DATABASE_URI"]) as (engine, ended):
        monkeypatch.setattr(connector.db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had idled long
        assert backend_of(engine) != ended  # a new connection, and no error reached the caller


def test_a_connection_the_server_ended_a_moment_after_its_last_use_is_replaced_too(app_config):
    """A restart ends connections used a second ago (issue 15, fault drill "PostgreSQL restarted"):
    the server's goodbye is already waiting on the socket, so the pool replaces the connection without
    a round trip, and the next request does not fail."""
    with pooled_connection_ended_by_the_server(app_config["SQLALCHEMY_DATABASE_URI"]) as (engine, ended):
        assert backend_of(engine) != ended  # at once: well within PING_AFTER_IDLE_SECONDS
