"""Factory functions for test data: `make_user(role="officer")` etc. Only flush, never commit."""

from __future__ import annotations

import itertools
from datetime import timedelta

from connector.auth.services import create_user, issue_token
from connector.db import utcnow
from connector.extensions import db

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_user(role: str = "agent", province_code: str | None = "44", **overrides):
    number = next(_counter)
    data = {
        "username": f"{role}{number}",
        "password": PASSWORD,
        "role": role,
        "province_code": None if role == "admin" else province_code,
        "full_name": f"Nhân viên {number}",
    }
    data.update(overrides)
    return create_user(**data)


def make_token(user, expires_in: timedelta | None = None) -> str:
    plain, token = issue_token(user)
    if expires_in is not None:
        token.expires_at = utcnow() + expires_in
        db.session.flush()
    return plain


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
