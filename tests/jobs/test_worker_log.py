"""`make run` keeps the demo logins on screen: an idle worker says nothing at INFO, and it stops
quietly and with status 0 when Redis goes away during its shutdown."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e import SHOP_ENV

RQ_JOB_LINES = ("Job OK", "result discarded", "Successfully completed", "cleaning registries")


def run_burst(app_config, sandbox_url: str, **extra_env) -> subprocess.CompletedProcess:
    """`python -m workers --burst`: the dispatcher queues the periodic tasks (event pulls, carrier
    poll) against the sandbox, then the worker runs them and exits."""
    env = dict(os.environ, DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=app_config["REDIS_URL"],
               SECRET_KEY=app_config["SECRET_KEY"], SANDBOX_URL=sandbox_url, MEDIA_ROOT=app_config["MEDIA_ROOT"],
               CONNECTOR_INSTANCE_DIR=app_config["INSTANCE_DIR"], **SHOP_ENV, **extra_env)
    if "WORKER_LOG_LEVEL" not in extra_env:
        env.pop("WORKER_LOG_LEVEL", None)  # the default
    return subprocess.run([sys.executable, "-m", "workers", "--burst"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_an_idle_worker_logs_no_line_per_routine_job(app_config, sandbox):
    finished = run_burst(app_config, sandbox.url)
    assert finished.returncode == 0, finished.stderr
    output = (finished.stdout + finished.stderr).splitlines()
    assert not [line for line in output if any(words in line for words in RQ_JOB_LINES)], "\n".join(output)
    assert len(output) <= 2, "\n".join(output)  # at most the line saying the worker is ready


def test_the_job_lines_are_still_there_at_debug(app_config, sandbox):
    finished = run_burst(app_config, sandbox.url, WORKER_LOG_LEVEL="DEBUG")
    assert finished.returncode == 0, finished.stderr
    output = finished.stdout + finished.stderr
    assert "Job OK" in output and "pull-events-postmart" in output, output


def test_the_worker_gives_the_web_processes_the_cpu_first(app_config, sandbox):
    """On a machine shared with gunicorn, jobs take the CPU the pages leave (issue 15's load: the
    worker's share kept the pages' p95 over a second). The ready line says the niceness the
    operating system reports for the worker, not the setting."""
    finished = run_burst(app_config, sandbox.url, WORKER_LOG_LEVEL="WARNING", WORKER_NICENESS="7")
    assert finished.returncode == 0, finished.stderr
    assert "CPU niceness 7" in finished.stdout + finished.stderr
    default = run_burst(app_config, sandbox.url, WORKER_LOG_LEVEL="WARNING")
    assert "CPU niceness 0" in default.stdout + default.stderr


def test_a_niceness_out_of_range_is_refused_by_name():
    from connector.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="WORKER_NICENESS"):
        load_config({"WORKER_NICENESS": "-5"})
