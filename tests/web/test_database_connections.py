import pytest
import sqlalchemy as sa

import connector.db


def test_a_pooled_connection_the_server_closed_while_idle_is_replaced_before_use(app_config, monkeypatch):
    """After a database restart or an idle timeout, the first request still gets its answer."""
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            first_backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with admin.begin() as connection:  # the server ends it while it waits in the pool
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first_backend})
        monkeypatch.setattr(connector.db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had idled long
        with engine.connect() as connection:
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        assert backend != first_backend  # a new connection, and no error reached the caller
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_the_server_ended_a_moment_after_its_last_use_is_replaced_too(app_config):
    """A restart ends connections used a second ago (issue 15, fault drill "PostgreSQL restarted"):
    the server's goodbye is already waiting on the socket, so the pool replaces the connection without
    a round trip, and the next request does not fail."""
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            first_backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with admin.begin() as connection:  # returns once the backend has gone, as a restart does
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first_backend})
        with engine.connect() as connection:  # at once: well within PING_AFTER_IDLE_SECONDS
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        assert backend != first_backend
    finally:
        engine.dispose()
        admin.dispose()
