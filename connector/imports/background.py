"""Large imports as background jobs (issue 15, finding 4): a file of BACKGROUND_ROWS rows or more is
not written while the agent's request waits (and, on SQLite, holds the write lock): the request
records an ImportRun and a worker validates and writes every row, all or nothing, in one transaction.
The run's page refreshes itself (no JavaScript) with how many rows have been checked, then the result.

Progress lives in Redis because the rows are written in one transaction that no one else sees before
its end; the run's final state is committed with the rows themselves.
"""

from __future__ import annotations

import contextlib
import logging

from redis.exceptions import RedisError

from connector.auth.models import User
from connector.db import utcnow
from connector.errors import NotFound, ValidationFailed
from connector.extensions import db
from connector.imports import services
from connector.imports.models import ImportRun
from connector.jobs import enqueue_after_commit, job
from connector.jobs.registry import declare_queue
from connector.redis_client import get_redis

log = logging.getLogger(__name__)
IMPORTS = declare_queue("imports", "large household and product imports, all rows or none", rank=70)
BACKGROUND_ROWS = 500
PROGRESS_EVERY = 100


def in_background(rows: int) -> bool:
    return rows >= BACKGROUND_ROWS


def start_run(user, kind: str, token: str, rows: int) -> ImportRun:
    services.load_upload(user, token)  # the file is still there and is this user's
    run = ImportRun(requested_by_id=user.id, kind=kind, upload_token=token, rows=rows)
    db.session.add(run)
    db.session.flush()
    enqueue_after_commit(run_import_job, run.id)
    return run


def get_run(user, run_id: int) -> ImportRun:
    """Only whoever started the run sees it."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.requested_by_id != user.id:
        raise NotFound()
    return run


def _progress_key(run_id: int) -> str:
    return f"connector:imports:{run_id}:checked"


def rows_checked(run: ImportRun) -> int:
    try:
        value = get_redis().get(_progress_key(run.id))
    except RedisError:
        return 0  # the page says "running" without a count until Redis answers
    return int(value or 0)


class _CountedRows(list):
    """The file's rows, telling Redis every PROGRESS_EVERY rows how far the checks have gone (the
    planners iterate over the rows once, checking each)."""

    def __init__(self, rows, run_id: int):
        super().__init__(rows)
        self.run_id = run_id

    def __iter__(self):
        for index, row in enumerate(super().__iter__(), start=1):
            if index % PROGRESS_EVERY == 0:
                with contextlib.suppress(RedisError):  # progress is a courtesy; the import goes on
                    get_redis().set(_progress_key(self.run_id), index, ex=86400)
            yield row


@job(IMPORTS, timeout=1800)
def run_import_job(run_id: int) -> int:
    run = db.session.get(ImportRun, run_id)
    if run is None or run.status in ("done", "failed"):
        return 0  # already run (a job sent twice after a lost worker)
    run.status = "running"
    db.session.commit()
    user = db.session.get(User, run.requested_by_id)
    try:
        data = services.load_upload(user, run.upload_token)
        report = services.run_import(user, run.kind, data, wrap_rows=lambda rows: _CountedRows(rows, run_id))
    except ValidationFailed as refused:
        db.session.rollback()
        run = db.session.get(ImportRun, run_id)
        run.status, run.finished_at = "failed", utcnow()
        run.errors = [line.split("|", 2) for line in refused.errors.get("rows", [])] or \
            [["", "", refused.text() or str(refused.message)]]
        db.session.commit()
        return 0
    run.status, run.finished_at = "done", utcnow()
    run.imported, run.unchanged = report.imported, report.unchanged
    db.session.commit()  # the run's result with its rows, in one transaction
    log.info("import run %s: %s rows added", run_id, report.imported)
    return report.imported
