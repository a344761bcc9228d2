"""The dispatcher every worker runs beside RQ: push the outbox, then run the features' periodic tasks.

Every worker runs it, so there is no single scheduler to lose; two dispatchers cannot queue the same
outbox job twice (its RQ job id comes from the row), and periodic tasks queue singleton jobs.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from connector.extensions import db
from connector.jobs.outbox import dispatch_outbox
from connector.jobs.registry import periodic_tasks

log = logging.getLogger(__name__)


def dispatch_once(app: Flask) -> int:
    """The outbox, then each declared periodic task, each in its own transaction: one failing (Redis
    down, a database error) does not undo or hold up the others. Returns how many outbox jobs were pushed."""
    with app.app_context():
        pushed = _in_own_transaction("outbox dispatch", dispatch_outbox) or 0
        for name, task in periodic_tasks():
            _in_own_transaction(name, task)
    return pushed


def _in_own_transaction(name: str, task):
    try:
        result = task()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("%s failed; will try again", name)
        return None
    finally:
        db.session.remove()


def start_dispatcher(app: Flask) -> threading.Event:
    """Run `dispatch_once` every WORKER_PERIODIC_SECONDS in a daemon thread; set the returned event to stop."""
    stop = threading.Event()
    every = app.config["WORKER_PERIODIC_SECONDS"]

    def dispatch_forever() -> None:
        while not stop.wait(every):
            dispatch_once(app)

    threading.Thread(target=dispatch_forever, daemon=True, name="outbox").start()
    return stop
