"""Trainings: an agent records that a household was trained (selling online, photos, packing...)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from connector.auth.roles import has_permission
from connector.errors import NotFound, PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.households.models import HouseholdStatus
from connector.households.services import get_household
from connector.reports.models import Training
from connector.text import to_nfc

FIRST_DAY = date(2020, 1, 1)
MAX_TOPIC = 120
# Offered in the topic field's list; any other topic may be typed.
COMMON_TOPICS = (
    _l("Selling on the marketplaces"),
    _l("Taking product photos"),
    _l("Packing and sending parcels"),
    _l("Getting paid through VietQR"),
)


def local_today() -> date:
    """Today where the staff work (the agent's "today", not the server's)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def record_training(user, household_id: int, trained_on: str, topic: str) -> Training:
    """Record a training of a household in `user`'s area; every problem at once (ValidationFailed,
    errors keyed trained_on / topic). Another area's household is "not found"."""
    household = get_household(user, household_id, for_write=True)
    if not has_permission(user, "trainings.record"):
        raise PermissionDenied()
    if household.status == HouseholdStatus.ARCHIVED:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    day = None
    try:
        day = date.fromisoformat((trained_on or "").strip())
    except ValueError:
        errors["trained_on"] = [_("Enter the date of the training.")]
    if day is not None and day > local_today():
        errors["trained_on"] = [_("The date cannot be in the future.")]
    elif day is not None and day < FIRST_DAY:
        errors["trained_on"] = [_("The date cannot be before %(day)s.", day="01/01/2020")]
    topic = to_nfc(topic or "")
    if not topic:
        errors["topic"] = [_("Enter the topic of the training.")]
    elif len(topic) > MAX_TOPIC:
        errors["topic"] = [_("At most %(n)s characters.", n=MAX_TOPIC)]
    if errors:
        raise ValidationFailed(_("The training was not recorded."), errors=errors)
    training = Training(household_id=household.id, trained_on=day, topic=topic, recorded_by_id=user.id)
    db.session.add(training)
    db.session.flush()
    return training


def trainings_of(household_id: int) -> list[Training]:
    """The household's trainings, the latest first."""
    return list(db.session.scalars(select(Training).where(Training.household_id == household_id)
                                   .order_by(Training.trained_on.desc(), Training.id.desc())))
