"""The single-use sign-in QR on the handover sheet: valid FARMER_LINK_DAYS, and a newer sheet
replaces the older one's code. Scanning opens a page with one button; the code is spent only when
the farmer presses it (chat apps and QR readers open links on their own to preview them)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from connector.db import utcnow
from connector.errors import DomainError
from connector.extensions import db
from connector.farmers.models import SignInLink
from connector.households.models import Household, HouseholdStatus
from connector.signing import keyed_hash


class LinkRefused(DomainError):
    status = 410

    def __init__(self):
        super().__init__(_("This sign-in code was used already or has expired. Sign in with your phone number, or "
                           "ask the post office for a new sheet."))


def _hash(token: str) -> str:
    return keyed_hash(current_app.config["SECRET_KEY"], "farmer-link", token)


def issue_link(user, household: Household) -> str:
    """A new sign-in token for `household` (the caller checked the agent may act on it)."""
    now = utcnow()
    db.session.execute(update(SignInLink).where(SignInLink.household_id == household.id, SignInLink.used_at.is_(None),
                                                SignInLink.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(24)
    db.session.add(SignInLink(household_id=household.id, token_hash=_hash(token), created_by_id=user.id,
                              created_at=now, expires_at=now + timedelta(days=current_app.config["FARMER_LINK_DAYS"])))
    db.session.flush()
    return token


def find_link(token: str) -> SignInLink:
    """The usable link for `token`, or LinkRefused."""
    link = None
    if 16 <= len(token or "") <= 64:
        link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == _hash(token)))
    if link is None or link.used_at or link.revoked_at or link.expires_at <= utcnow():
        raise LinkRefused()
    household = db.session.get(Household, link.household_id)
    if household is None or household.status != HouseholdStatus.ACTIVE:
        raise LinkRefused()
    return link


def use_link(token: str) -> Household:
    """Spend the link: exactly one press wins, even two at once."""
    link = find_link(token)
    spent = db.session.execute(update(SignInLink).where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
                               .values(used_at=utcnow()))
    if spent.rowcount != 1:
        raise LinkRefused()
    return db.session.get(Household, link.household_id)
