"""Signing in as a reports viewer, for the reports' tests."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from connector.extensions import db
from tests.factories import make_user
from tests.helpers import login

NAM_HAI_LANG = "19735"


def signed_in(app, role: str, province: str | None = "44"):
    user = make_user(role, province_code=province)
    user.password_hash = generate_password_hash("report-pass-1")
    db.session.commit()
    client = app.test_client()
    login(client, user.username, "report-pass-1")
    return client, user
