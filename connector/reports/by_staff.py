"""The province's breakdowns by agent and by service point (issue 14): who onboarded how many
households, how many in the period, trained and live on both marketplaces. Counted directly over
the base tables (a province's households, grouped by who onboarded them): the summary rows are kept
per commune, and agents move between points while households stay put.

Each row links to the households behind it, in the households list the viewer may already read.
"""

from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import distinct, func, select

from connector.auth.models import User
from connector.auth.roles import has_permission
from connector.extensions import db
from connector.households.models import Household
from connector.logistics.models import ServicePoint
from connector.reports.measures import ONBOARDED, Area, Period, live_on
from connector.reports.models import Training

COLUMNS = ["onboarded", "onboarded_in_period", "trained", "live_both"]
KINDS = ("agent", "point")


def _counts(area: Area, period: Period, group) -> dict:
    clauses = [Household.province_code == area.province_code, Household.status.in_(ONBOARDED),
               Household.consent_at.is_not(None), Household.consent_at < period.end_at]
    if area.commune_code:
        clauses.append(Household.commune_code == area.commune_code)
    base = select(group).outerjoin(User, User.id == Household.onboarded_by_id).where(*clauses).group_by(group)
    found: dict = defaultdict(dict)
    for name, statement in (
        ("onboarded", base.add_columns(func.count(Household.id))),
        ("onboarded_in_period", base.add_columns(func.count(Household.id))
         .where(Household.consent_at >= period.start_at)),
        ("trained", base.add_columns(func.count(distinct(Household.id)))
         .join(Training, Training.household_id == Household.id).where(Training.trained_on < period.end)),
        ("live_both", base.add_columns(func.count(Household.id))
         .where(Household.id.in_(live_on("postmart")), Household.id.in_(live_on("voso")))),
    ):
        for key, value in db.session.execute(statement):
            found[key][name] = int(value)
    return found


def staff_breakdown(kind: str, area: Area, period: Period) -> list[dict]:
    """Rows for each agent (or service point) with households in the area, least onboarded in the
    period first: name, values, link."""
    can_list = has_permission(current_user, "households.read")
    if kind == "agent":
        found = _counts(area, period, Household.onboarded_by_id)
        name = func.coalesce(func.nullif(User.full_name, ""), User.username)
        names = dict(db.session.execute(select(User.id, name).where(
            User.id.in_([key for key in found if key is not None]))).all())
        rows = [{"code": key, "name": names.get(key) or _("Not recorded"), "values": values,
                 "href": url_for("households.index", agent=key) if can_list and key is not None else None}
                for key, values in found.items()]
    else:
        found = _counts(area, period, User.service_point_code)
        names = dict(db.session.execute(select(ServicePoint.code, ServicePoint.name).where(ServicePoint.code.in_(
            [key for key in found if key is not None]))).all())
        rows = [{"code": key, "name": names.get(key, key) if key else _("No service point"), "values": values,
                 "href": url_for("households.index", point=key) if can_list and key else None}
                for key, values in found.items()]
    return sorted(rows, key=lambda row: (row["values"].get("onboarded_in_period", 0), row["name"]))
