"""What notices to farmers cost and which reached nobody, for provincial staff (their province)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from connector.auth.roles import province_scope
from connector.auth.sessions import login_required
from connector.db import utcnow
from connector.extensions import db
from connector.households.models import Household
from connector.notices.models import AttemptStatus, Notice, NoticeAttempt, NoticeStatus

bp = Blueprint("notices", __name__)
CHANNEL_LABELS = {"push": _l("Web Push"), "zalo": _l("Zalo"), "sms": _l("SMS")}
KIND_LABELS = {"sign_in_code": _l("Sign-in code"), "new_order": _l("New order"),
               "parcel_received": _l("Parcel received"), "payment_received": _l("Payment received"),
               "listing_rejected": _l("Product not accepted"), "certificate_expiring": _l("OCOP certificate expiring")}
PERIOD_DAYS = 30


@bp.route("/notices")
@login_required("reports.read")
def costs():
    """Messages sent and what they cost per channel over the last 30 days, and notices that reached
    nobody (every channel refused them)."""
    since = utcnow() - timedelta(days=PERIOD_DAYS)
    province = province_scope(current_user)
    by_channel = (select(NoticeAttempt.channel, func.count(NoticeAttempt.id), func.sum(NoticeAttempt.cost_vnd))
                  .join(Notice, Notice.id == NoticeAttempt.notice_id)
                  .where(NoticeAttempt.status.in_([AttemptStatus.SENT, AttemptStatus.DELIVERED]),
                         NoticeAttempt.finished_at >= since).group_by(NoticeAttempt.channel))
    failed = (select(Notice).where(Notice.status == NoticeStatus.FAILED, Notice.created_at >= since)
              .order_by(Notice.id.desc()).limit(50))
    if province is not None:
        by_channel = by_channel.join(Household, Household.id == Notice.household_id).where(
            Household.province_code == province)
        failed = failed.join(Household, Household.id == Notice.household_id).where(Household.province_code == province)
    rows = {channel: (count, cost or 0) for channel, count, cost in db.session.execute(by_channel)}
    table = [(CHANNEL_LABELS[channel], *rows.get(channel, (0, 0))) for channel in CHANNEL_LABELS]
    return render_template("notices/costs.html", table=table, total=sum(cost for *_x, cost in table),
                           failed=db.session.scalars(failed).all(), kind_labels=KIND_LABELS, days=PERIOD_DAYS,
                           as_of=utcnow())
