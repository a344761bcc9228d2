"""The image itself (issue 15, "Deploy and operate"): built from the Dockerfile, its `release` run
against a fresh PostgreSQL schema, then its default command (gunicorn, production settings) answering
/healthz and a Vietnamese login page as the unprivileged user, and its worker command staying up.

It needs a Docker daemon and builds the image (minutes, packages from PyPI), so `make test` leaves it
to `make container-check`; tests/test_deploy.py checks the same layout without Docker in every CI run.
PYTHON_IMAGE names the base (docker/python-base makes one where Docker Hub is out of reach)."""

from __future__ import annotations

import os
import secrets
import subprocess
import time

import pytest
import requests

from connector.config import PROJECT_ROOT
from tests.helpers import free_port, schema_of_its_own
from tests.test_config import PRODUCTION

pytestmark = pytest.mark.skipif(os.environ.get("CONTAINER_CHECK") != "1",
                                reason="builds and runs the image: make container-check (needs Docker)")
IMAGE = "connector:container-check"


def docker(*arguments: str, timeout: float = 120) -> str:
    done = subprocess.run(["docker", *arguments], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"docker {arguments[0]}: {done.stderr[-3000:]}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def image() -> str:
    docker("build", "--build-arg", f"PYTHON_IMAGE={os.environ.get('PYTHON_IMAGE', 'python:3.11-slim')}",
           "--tag", IMAGE, str(PROJECT_ROOT), timeout=1800)
    return IMAGE


@pytest.fixture
def settings(redis_url):
    given = os.environ.get("TEST_DATABASE_URL", "")
    if not given.startswith("postgres"):
        pytest.skip("production runs on PostgreSQL: set TEST_DATABASE_URL (make container-check does)")
    with schema_of_its_own(given, "container") as url:
        yield {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": url, "REDIS_URL": redis_url,
               "PORT": str(free_port())}


def run(image: str, settings: dict, *command: str, detach: bool = False) -> str:
    # The host's network: the container reaches the PostgreSQL and Redis of this machine on loopback.
    environment = [part for name, value in settings.items() for part in ("--env", f"{name}={value}")]
    return docker("run", *(["--detach"] if detach else ["--rm"]), "--network", "host", *environment, image, *command,
                  timeout=300)


def test_the_image_releases_then_serves_vietnamese_in_production_as_an_unprivileged_user(image, settings):
    run(image, settings, "release")
    web = run(image, settings, detach=True)
    worker = run(image, settings, "python", "-m", "workers", detach=True)
    base = f"http://127.0.0.1:{settings['PORT']}"
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and health is None:
            try:
                health = requests.get(f"{base}/healthz", timeout=10)
            except (requests.ConnectionError, requests.Timeout):  # still starting
                time.sleep(0.5)
        assert health is not None and health.status_code == 200, docker("logs", web)[-3000:]
        login = requests.get(f"{base}/login", timeout=10)
        assert login.status_code == 200 and 'lang="vi"' in login.text and "Đăng nhập" in login.text
        assert "Strict-Transport-Security" in login.headers  # production settings
        assert requests.get(f"{base}/_sandbox/sms/messages", timeout=10).status_code == 404  # no sandbox inside
        assert docker("exec", web, "id", "-u") == "10001"
        time.sleep(5)
        assert docker("inspect", "--format", "{{.State.Running}}", worker) == "true", docker("logs", worker)[-3000:]
        assert "Traceback" not in docker("logs", web) + docker("logs", worker)
    finally:
        docker("rm", "--force", web, worker)
