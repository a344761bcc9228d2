"""Signing a farmer in through the real pages, reading the code the way the SMS would carry it."""

from __future__ import annotations

from sqlalchemy import select

from connector.extensions import db
from connector.notices.models import Notice, NoticeKind
from connector.signing import unseal
from tests.helpers import csrf_token_from


def post_form(client, url: str, data: dict | None = None, page: str | None = None):
    """POST to `url` with the CSRF token of `page` (default: `url` itself), as the browser would."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **(data or {})})


def last_code(app, household) -> str:
    """The plain code of the household's latest sign-in notice (sealed in the notice until sent)."""
    notice = db.session.scalar(select(Notice).where(Notice.household_id == household.id,
                                                    Notice.kind == NoticeKind.SIGN_IN_CODE).order_by(Notice.id.desc()))
    assert notice is not None, "no sign-in code was sent"
    return unseal(app.config["SECRET_KEY"], notice.params["code"])


def ask_for_code(client, phone: str):
    return post_form(client, "/farmer/sign-in", {"phone": phone})


def enter_code(client, code: str):
    return post_form(client, "/farmer/sign-in/code", {"code": code})


def sign_in(client, app, household):
    assert ask_for_code(client, household.phone).status_code == 302
    response = enter_code(client, last_code(app, household))
    assert response.status_code == 302 and response.headers["Location"].endswith("/farmer/")
    return response
