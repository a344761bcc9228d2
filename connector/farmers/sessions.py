"""Farmer sessions: a random token in a cookie of its own (path /farmer, so it never travels to a
staff page), stored hashed, valid FARMER_SESSION_DAYS, listed for the farmer and the agent, who can
end it. A staff sign-in (Flask-Login) never opens a farmer page and a farmer session never a staff one:
the two are different cookies checked by different guards."""

from __future__ import annotations

import functools
import re
import secrets
from datetime import timedelta

from flask import current_app, g, redirect, request, url_for
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from connector.db import utcnow
from connector.extensions import db
from connector.farmers.models import FarmerSession, SessionEnd
from connector.households.models import Household, HouseholdStatus
from connector.signing import keyed_hash

COOKIE = "farmer_session"
COOKIE_PATH = "/farmer"
TOUCH_EVERY = timedelta(minutes=10)  # last_seen_at is written at most this often, not on every page


def _hash(token: str) -> str:
    return keyed_hash(current_app.config["SECRET_KEY"], "farmer-session", token)


def device_label(user_agent: str) -> str:
    """"Chrome · Android" from the User-Agent, only to tell the farmer's phones apart in the list.
    (A full parser such as ua-parser would add a dependency for one short label.)"""
    ua = user_agent or ""
    system = next((name for pattern, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                              ("Windows", "Windows"), ("Mac OS", "Mac"), ("Linux", "Linux"))
                   if pattern in ua), "")
    browser = next((name for pattern, name in (("Zalo", "Zalo"), ("SamsungBrowser", "Samsung Internet"),
                                               ("CocCoc", "Cốc Cốc"), ("Firefox", "Firefox"), ("Edg/", "Edge"),
                                               ("Chrome", "Chrome"), ("Safari", "Safari")) if pattern in ua), "")
    label = " · ".join(part for part in (browser, system) if part)
    return re.sub(r"[^\w ·.-]", "", label)[:60]


def start_session(household: Household, via: str, user_agent: str) -> tuple[FarmerSession, str]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = FarmerSession(household_id=household.id, token_hash=_hash(token), via=via,
                            device=device_label(user_agent), created_at=now, last_seen_at=now,
                            expires_at=now + timedelta(days=current_app.config["FARMER_SESSION_DAYS"]))
    db.session.add(session)
    db.session.flush()
    return session, token


def set_cookie(response, token: str):
    config = current_app.config
    response.set_cookie(COOKIE, token, max_age=config["FARMER_SESSION_DAYS"] * 86400, path=COOKIE_PATH,
                        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response


def clear_cookie(response):
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@functools.cache
def _session_by_token():
    """With its household (its status is checked here, and every farmer page reads it): one query,
    not two. Built once, as every farmer page runs it."""
    return select(FarmerSession).options(joinedload(FarmerSession.household)).where(
        FarmerSession.token_hash == bindparam("token_hash"))


def current_session() -> FarmerSession | None:
    """The farmer session of this request, if its cookie names a live one of an active household."""
    if "farmer_session" in g:
        return g.farmer_session
    token = request.cookies.get(COOKIE, "")
    found = None
    if 20 <= len(token) <= 100:
        found = db.session.scalar(_session_by_token(), {"token_hash": _hash(token)})
        now = utcnow()
        if found is not None and (found.ended_at is not None or found.expires_at <= now
                                  or found.household.status != HouseholdStatus.ACTIVE):
            found = None
        if found is not None and now - found.last_seen_at > TOUCH_EVERY:
            found.last_seen_at = now
    g.farmer_session = found
    return found


def farmer_required(view):
    """For farmer pages: without a farmer session, the farmer's sign-in page (a staff session does
    not count)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        session = current_session()
        if session is None:
            return redirect(url_for("farmers.sign_in"))
        g.household = session.household
        return view(*args, **kwargs)

    return wrapper


def live_sessions(household_id: int) -> list[FarmerSession]:
    return list(db.session.scalars(select(FarmerSession).where(
        FarmerSession.household_id == household_id, FarmerSession.ended_at.is_(None),
        FarmerSession.expires_at > utcnow()).order_by(FarmerSession.last_seen_at.desc())))


def end_session(session: FarmerSession, how: str) -> None:
    from connector.notices.services import forget_push_subscriptions

    if session.ended_at is None:
        session.ended_at, session.ended_how = utcnow(), how
        forget_push_subscriptions(session.id)
        db.session.flush()


def end_all(household_id: int, how: str = SessionEnd.HOUSEHOLD_CLOSED) -> int:
    sessions = live_sessions(household_id)
    for session in sessions:
        end_session(session, how)
    return len(sessions)
