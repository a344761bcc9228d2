"""Staff accounts and API tokens. Services only flush; the request or job boundary commits."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from connector.admin_units.services import get_province
from connector.auth.models import ApiToken, User
from connector.auth.schemas import UserCreateSchema
from connector.db import utcnow
from connector.errors import AuthenticationFailed, ValidationFailed
from connector.extensions import db
from connector.text import to_nfc

LAST_USED_RESOLUTION = timedelta(minutes=5)
# Compared against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def create_user(**data) -> User:
    """Create a staff account after validating role, area and password rules."""
    try:
        data = UserCreateSchema().load(data)
    except ValidationError as error:
        raise ValidationFailed(errors=error.messages) from error
    if db.session.scalar(select(User.id).where(User.username == data["username"])):
        raise ValidationFailed(errors={"username": [_("This username is already taken.")]})
    if data["province_code"]:
        get_province(data["province_code"])
    user = User(
        username=data["username"],
        full_name=to_nfc(data["full_name"]),
        password_hash=generate_password_hash(data["password"]),
        role=data["role"],
        province_code=data["province_code"],
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Every page session of `user` ends at its next request (see User.session_version)."""
    user.session_version = (user.session_version or 0) + 1


def set_password(user: User, password: str) -> None:
    """A new password: the old one's page sessions and API tokens end with it."""
    try:
        UserCreateSchema(only=("password",)).load({"password": password})
    except ValidationError as error:
        raise ValidationFailed(errors=error.messages) from error
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    revoke_user_tokens(user)


def deactivate(user: User) -> None:
    """Staff leaving: no sign-in, and every session and token ends now."""
    user.active = False
    end_sessions(user)
    revoke_user_tokens(user)


def authenticate(username: str, password: str) -> User:
    """The active user with these credentials; the error never says which part was wrong."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and valid and user.active):
        raise AuthenticationFailed(_("Wrong username or password."))
    user.last_login_at = utcnow()
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    plain = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user=user,
        token_hash=_hash_token(plain),
        created_at=now,
        expires_at=now + current_app.config["API_TOKEN_TTL"],
    )
    db.session.add(token)
    db.session.flush()
    return plain, token


@functools.cache
def _token_with_user():
    """Built once: every API call runs it."""
    return select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == bindparam("token_hash"))


def user_for_token(plain: str) -> tuple[User, ApiToken]:
    """The user behind a bearer token; expired, revoked or unknown tokens are refused alike."""
    token = db.session.scalar(_token_with_user(), {"token_hash": _hash_token(plain)})
    now = utcnow()
    if token is None or token.revoked_at or token.expires_at <= now or not token.user.active:
        raise AuthenticationFailed(_("Your sign-in token is invalid or has expired. Sign in again."))
    # Recorded at most every few minutes: a write on every API call would cost more than it tells.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user, token


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = token.revoked_at or utcnow()


def revoke_user_tokens(user: User) -> int:
    """Revoke every live token of `user` (lost phone, staff leaving); returns how many."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        revoke_token(token)
    return len(tokens)


def purge_dead_tokens(older_than: datetime) -> int:
    """Delete tokens that expired or were revoked before `older_than`; returns how many."""
    result = db.session.execute(
        delete(ApiToken).where(or_(ApiToken.expires_at < older_than, ApiToken.revoked_at < older_than))
    )
    return result.rowcount


def list_staff() -> list[User]:
    """Every staff account, by role then username (for administrators)."""
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))
