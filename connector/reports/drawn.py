"""The dashboard's figures as drawn, kept by each web process until they change.

Drawing a province's dashboard (the summary rows, the targets, the trend chart, the commune map and a
row per commune) is the costliest page a web process serves: under the load benchmark (issue 15) the
officers' few requests took half of the web processes' CPU and held the sync workers while agents
and farmers queued behind them. What is drawn depends only on the area and filters asked for, the
viewer's role (whether rows link to the households), the language, the day, and the figures. The
figures change when the worker's refresh recounts communes or staff save targets: both mark a new
figures version in report_state, in their own transaction, so a view that reads the new version
reads the new figures too. A view reads that version (one statement) and draws again only when it
moved. The few figures counted live (the staffed service points) are drawn again at least every
FIGURES_REDRAW_SECONDS, as fresh as the summary rows themselves (the refresh runs every tick).

The form token and the viewer's name are not part of what is kept: the page around it is rendered
for each request.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from markupsafe import Markup
from sqlalchemy import select

from connector.db import upsert
from connector.extensions import db
from connector.reports.summary_tables import report_state

VERSION_KEY = "figures_version"
FIGURES_REDRAW_SECONDS = 60
KEPT = 64  # drawings per web process (a province's dashboard is ~100 KB): filters, languages, areas

_VERSION = select(report_state.c.value).where(report_state.c.key == VERSION_KEY)


def figures_changed() -> None:
    """Mark the dashboards' figures changed, in the caller's transaction: a new random version, so two
    transactions marking at once both succeed."""
    upsert(db.session, report_state, {"key": VERSION_KEY, "value": secrets.token_hex(8)}, key=["key"])


def figures_version() -> str:
    return db.session.scalar(_VERSION) or ""


def drawn(key: tuple, draw: Callable[[], tuple[Markup, object]]) -> tuple[Markup, object]:
    """What `draw` returns (the drawn HTML and the moment its figures are exact as of), drawn again only
    when the figures, the period of FIGURES_REDRAW_SECONDS, or anything in `key` changed."""
    key = (figures_version(), int(time.time() // FIGURES_REDRAW_SECONDS), *key)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    found = draw()  # outside the lock: two threads may both draw once, neither waits for the other
    with _lock:
        _kept[key] = found
        while len(_kept) > KEPT:
            _kept.popitem(last=False)  # the drawing asked for least recently
    return found


# An OrderedDict as the least-recently-used store (functools.lru_cache would need the drawing function
# inside its key); the lock is for threaded servers (`flask run`), gunicorn's sync workers never wait.
_kept: OrderedDict[tuple, tuple[Markup, object]] = OrderedDict()
_lock = threading.Lock()


def forget() -> None:
    """Forget every drawing (the tests' rolled-back data; a database restored under a running process)."""
    _kept.clear()
