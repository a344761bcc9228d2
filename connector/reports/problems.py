"""The reports' problems page: how far the summary rows are behind, and what the hourly recount found
when it compared them with a direct count (each viewer sees the differences of their own scope)."""

from __future__ import annotations

import json

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from connector.auth.roles import province_scope
from connector.auth.sessions import login_required
from connector.db import utcnow
from connector.extensions import db
from connector.reports.indicators import BY_KEY
from connector.reports.summary_tables import report_changes, report_recounts

bp = Blueprint("report_problems", __name__, url_prefix="/reports")
SHOWN = 10


@bp.route("/problems")
@login_required("reports.read")
def problems():
    own = province_scope(current_user)
    waiting, oldest = db.session.execute(select(func.count(), func.min(report_changes.c.marked_at))).one()
    recounts = []
    for row in db.session.execute(select(report_recounts).order_by(report_recounts.c.id.desc()).limit(SHOWN)):
        differences = [d for d in json.loads(row.differences or "[]") if own is None or d.get("province") == own]
        recounts.append({"checked_at": row.checked_at, "communes": row.communes, "seconds": row.seconds,
                         "ok": row.ok, "differences": differences})
    return render_template("reports/problems.html", waiting=waiting,
                           behind=(utcnow() - oldest).total_seconds() if oldest else 0, recounts=recounts,
                           labels={key: indicator.label for key, indicator in BY_KEY.items()})
