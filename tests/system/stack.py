"""The whole connector as `make run` runs it, started by a test or a benchmark (issue 15): a fresh
database (a SQLite file, or a schema of its own on TEST_DATABASE_URL's PostgreSQL), a redis-server of
its own, the boot commands of the Makefile (migrations, administrative units, generated service
points, demo logins), then gunicorn, an RQ worker and the sandbox as separate processes talking over
loopback HTTP. Nothing is shared with the test process but the database file or schema, so what a
test sees is what a province running the Procfile would see.

Each process writes its log to a file under the stack's folder; `problems()` quotes their warnings
for a failure message. The fault drills stop and start processes one at a time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa

from connector.config import PROJECT_ROOT, normalise_database_url
from tests.helpers import free_port, schema_of_its_own

BIN = Path(sys.executable).parent
# The worker's clocks, shortened so that a test does not wait a production quarter-hour: the
# dispatcher's tick, how long a job lost with Redis's memory waits to be sent again, the retries' pace.
TEST_CLOCKS = {
    "WORKER_PERIODIC_SECONDS": "2", "OUTBOX_REDISPATCH_SECONDS": "10", "OUTBOX_REDRIVE_SECONDS": "2",
    "PUBLISH_BACKOFF_SECONDS": "1", "PUBLISH_BACKOFF_MAX_SECONDS": "5", "PUBLISH_MAX_ATTEMPTS": "200",
    "MARKETPLACE_READ_TIMEOUT": "2", "NOTICES_READ_TIMEOUT": "2",
}
REDIS_BINARY = BIN / "redis-server"


@contextmanager
def fresh_database(folder: Path):
    """A database nobody else uses: a schema of its own on TEST_DATABASE_URL, else a SQLite file."""
    given = os.environ.get("TEST_DATABASE_URL", "")
    if not given.startswith("postgres"):
        yield f"sqlite:///{folder / 'connector.sqlite3'}"
        return
    with schema_of_its_own(given, "stack") as url:
        yield url


@contextmanager
def started_stack(folder: Path):
    """A whole system booted over a fresh database, stopped at the end."""
    with fresh_database(folder) as database_url:
        running = Stack(folder, database_url)
        try:
            running.boot()
            yield running
        finally:
            running.close()


class Stack:
    """Web (gunicorn), worker, sandbox and Redis processes over one fresh database."""

    def __init__(self, folder: Path, database_url: str, *, web_workers: int = 2, extra_env: dict | None = None):
        self.folder = folder
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.redis_port, self.web_port, self.sandbox_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.database_url = database_url
        self.web_workers = web_workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url, "REDIS_URL": self.redis_url, "SANDBOX_URL": self.sandbox_url,
            "CONNECTOR_INSTANCE_DIR": str(folder / "instance"), "MEDIA_ROOT": str(folder / "media"),
            "PATH": f"{BIN}:{os.environ['PATH']}", "PYTHONUNBUFFERED": "1",
            **TEST_CLOCKS, "WORKER_LOG_LEVEL": "INFO", **(extra_env or {}),
        }
        for name in ("TEST_DATABASE_URL", "TEST_REDIS_URL"):
            self.env.pop(name, None)
        self.processes: dict[str, subprocess.Popen] = {}

    # -- the Makefile's `run` target, step by step ------------------------------------------------
    def boot(self) -> None:
        self.start_redis()
        for command in (["db", "upgrade"], ["admin-units", "sync"], ["service-points", "generate", "--province", "44"],
                        ["seed", "demo"]):
            self.flask(*command)
        self.start_sandbox()
        self.start_web()
        self.start_worker()

    def flask(self, *arguments: str) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "connector", *arguments], env=self.env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"flask {' '.join(arguments)}: {done.stderr[-3000:]}"
        return done.stdout

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(command, env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.processes[name] = process
        return process

    def start_redis(self) -> None:
        binary = str(REDIS_BINARY) if REDIS_BINARY.exists() else "redis-server"
        self._spawn("redis", [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(self.folder)])
        self._wait_for(self._redis_answers, "redis")

    def _redis_answers(self) -> bool:
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisDown

        client = Redis.from_url(self.redis_url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except RedisDown:
            return False
        finally:
            client.close()

    def start_sandbox(self) -> None:
        self._spawn("sandbox", [sys.executable, "-m", "connector.sandbox", "--port", str(self.sandbox_port),
                                "--connector", self.url])
        self._wait_for(lambda: self._answers(f"{self.sandbox_url}/_sandbox/sms/messages"), "sandbox")

    def start_web(self) -> None:
        self._spawn("web", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.web_port}",
                            "--workers", str(self.web_workers), "--access-logfile", "-", "connector:create_app()"])
        self._wait_for(lambda: self._answers(f"{self.url}/healthz"), "web")

    def start_worker(self, name: str = "worker") -> None:
        self._spawn(name, [sys.executable, "-m", "workers"])

    # -- faults -----------------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL, as the OOM killer or a lost machine does: no clean-up."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def close(self) -> None:
        for name in [n for n in self.processes if n != "redis"] + ["redis"]:
            self.stop(name)

    def connections_dropped(self) -> int:
        """Every PostgreSQL connection of the stack ended at once, as a server restart ends them."""
        schema = self.database_url.rsplit("application_name=", 1)[1]
        engine = sa.create_engine(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
        try:
            with engine.begin() as connection:
                return len(connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s",
                    (schema,)).all())
        finally:
            engine.dispose()

    # -- reading ----------------------------------------------------------------------------------
    def scalar(self, sql: str, **params):
        """One value read from the stack's database (the test's own connection, closed at once)."""
        engine = sa.create_engine(normalise_database_url(self.database_url))
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(sql), params).scalar()
        finally:
            engine.dispose()

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            return requests.get(url, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    def _wait_for(self, ready, name: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{name} did not start: {self.log(name)[-3000:]}")

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def problems(self, lines: int = 40) -> str:
        """The processes' latest warnings, errors and tracebacks' last lines, for a failure message."""
        found = []
        for path in sorted(self.logs.glob("*.log")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if "overcommit" in line:  # redis-server's advice about the machine, not a problem of ours
                    continue
                if " WARNING " in line or " ERROR " in line or (line[:1].isalpha() and (
                        "Error: " in line or "Exception: " in line)):
                    found.append(f"{path.stem}: {line}")
        return "\n".join(found[-lines:]) or "(no warnings in the logs)"

    def sandbox_get(self, path: str, **params):
        answer = requests.get(f"{self.sandbox_url}{path}", params=params, timeout=5)
        answer.raise_for_status()
        return answer.json()

    def sandbox_post(self, path: str, body: dict):
        answer = requests.post(f"{self.sandbox_url}{path}", json=body, timeout=5)
        answer.raise_for_status()
        return answer.json()
