"""Declarative base, naming convention and shared column types.

Every model subclasses `Model` (via `db.Model`). Timestamps are stored in UTC and always come back
timezone-aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import functools
import select
import sqlite3
import time
from datetime import UTC, datetime

import psycopg
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

# Stable constraint names so that Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp; SQLite hands back naive values, so re-attach UTC on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upsert(session, table, values: dict, key: list[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE: the row with `values`, whether or not it was there;
    two transactions writing the same key at once both succeed, the last to commit wins."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=key, set_={name: statement.excluded[name] for name in values if name not in key}))


def insert_unless_present(session, model, values: dict, unique: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None when a row with the
    same `unique` columns is there already. One statement instead of a look-up, a savepoint and an
    insert, and safe when two requests insert the same row at the same moment."""
    dialect = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    return session.execute(_insert_unless_present(dialect, model, tuple(unique)), values).scalar()


@functools.cache
def _insert_unless_present(dialect: str, model, unique: tuple[str, ...]):
    # Built once per table: the values come as parameters, so its cache key is computed once too.
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=list(unique)).returning(model.id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Make SQLite behave like a server database for the web, worker and tests sharing one file.

    - foreign keys enforced; WAL so that readers do not block the writer; a busy timeout instead of
      instant "database is locked" errors;
    - SQLAlchemy, not pysqlite, issues BEGIN: pysqlite's own transaction handling breaks SAVEPOINT,
      which the tests (and nested service calls) rely on.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    # IMMEDIATE: take the write lock at the start, so that the busy timeout applies. A deferred
    # transaction that reads, then writes after another process committed, fails at once with
    # "database is locked" (SQLite's snapshot rule in WAL mode). Transactions are kept short: no
    # remote call is ever made inside one.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# A pooled connection idle longer than this is tested before use. SQLAlchemy's pool_pre_ping tests
# every checkout, and a request or job checks out once per transaction: at publishing rates that
# was a round trip per transaction, for connections used a few milliseconds before. A connection
# that breaks while in steady use fails its statement, and SQLAlchemy then drops the whole pool.
PING_AFTER_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _remember_checkin(dbapi_connection, connection_record):
    connection_record.info["checked_in_at"] = time.monotonic()


def _ended_by_the_server(dbapi_connection) -> bool:
    """A connection waiting in the pool has nothing to read unless the server ended it: a restart, an
    idle timeout or pg_terminate_backend sends a FATAL message and closes the socket. Looking for that
    costs no round trip, so it is done at every checkout (a restart then costs no failed request)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)  # psycopg 3; other drivers: the idle ping only
    if pgconn is None:
        return False
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):
        return True  # no socket left
    return bool(readable)


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    """SQLAlchemy's documented pessimistic check, done only after idling: a dead connection raises
    DisconnectionError, and the pool replaces it and tries again."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return  # a local file: nothing to lose
    if _ended_by_the_server(dbapi_connection):
        raise DisconnectionError("the server ended this connection while it waited in the pool")
    checked_in_at = connection_record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()  # end the implicit transaction the ping opened
    except Exception as error:  # noqa: BLE001 - any failure means this connection is unusable
        raise DisconnectionError(str(error)) from error
