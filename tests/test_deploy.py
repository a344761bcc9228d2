"""The image's layout, run as the Dockerfile runs it (issue 15, "Deploy and operate"): only what the
Dockerfile copies (no sandbox, no compiled catalogues but those its build compiles), production
settings, the `release` script against a fresh PostgreSQL schema, then gunicorn answering /healthz
and a Vietnamese login page. Docker itself is not on every machine, so this test builds the same tree
by hand and runs in every CI run (PostgreSQL mode, which production requires); tests/test_container.py
builds and runs the image itself where a Docker daemon is (`make container-check`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connector.config import PROJECT_ROOT
from tests.helpers import free_port, schema_of_its_own
from tests.test_config import PRODUCTION

DOCKER_COPIES = ("connector", "workers", "templates", "translations")


def _image_tree(target: Path) -> Path:
    """The files the Dockerfile copies, as .dockerignore leaves them."""
    for folder in DOCKER_COPIES:
        shutil.copytree(PROJECT_ROOT / folder, target / folder,
                        ignore=shutil.ignore_patterns("*.mo", "__pycache__", "sandbox"))
    shutil.copy(PROJECT_ROOT / "docker" / "release", target / "release")
    ignored = (PROJECT_ROOT / ".dockerignore").read_text()
    assert "connector/sandbox" in ignored and "tests" in ignored
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "compile", "--use-fuzzy", "-d",
                    str(target / "translations")], check=True, capture_output=True)
    return target


@pytest.fixture
def fresh_schema():
    given = os.environ.get("TEST_DATABASE_URL", "")
    if not given.startswith("postgres"):
        pytest.skip("production runs on PostgreSQL: this runs in CI's PostgreSQL mode")
    with schema_of_its_own(given, "deploy") as url:
        yield url


def test_the_image_layout_releases_then_serves_healthz_and_a_vietnamese_login(tmp_path, fresh_schema, redis_url):
    tree = _image_tree(tmp_path / "app")
    env = {**os.environ, **PRODUCTION, "DATABASE_URL": fresh_schema, "REDIS_URL": redis_url, "PYTHONPATH": str(tree),
           "CONNECTOR_INSTANCE_DIR": str(tmp_path / "var"), "MEDIA_ROOT": str(tmp_path / "var" / "media"),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    released = subprocess.run(["sh", str(tree / "release")], cwd=tree, env=env, capture_output=True, text=True,
                              timeout=300)
    assert released.returncode == 0, released.stderr[-3000:]
    port = free_port()
    log = (tmp_path / "web.log").open("w")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                            "connector:create_app()"], cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or its first answer slow
                time.sleep(0.3)
        assert health is not None and health.status_code == 200, (tmp_path / "web.log").read_text()[-3000:]
        login = requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login.status_code == 200 and "Đăng nhập" in login.text and "Tên đăng nhập" in login.text
        assert "Strict-Transport-Security" in login.headers  # production mode
        assert requests.get(f"http://127.0.0.1:{port}/_sandbox/sms/messages", timeout=5).status_code == 404
    finally:
        web.terminate()
        web.wait(timeout=30)
        log.close()
