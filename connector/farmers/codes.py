"""Signing in with the household's phone and a 6-digit code sent by SMS.

Every rule here answers a registered and an unknown phone alike: a code row is made for both (the
unknown phone's code is sent to nobody), sends and wrong tries are counted for both, and the words
on the page are the same. Limits: FARMER_CODE_SENDS codes per phone per FARMER_CODE_MINUTES (a
resend replaces the code), FARMER_CODE_MAX_TRIES wrong tries per code, FARMER_PHONE_MAX_FAILURES
wrong tries per phone per hour across resends, and a cap per address (the views' rate limit).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError
from sqlalchemy import func, select, update

from connector.db import utcnow
from connector.errors import DomainError, ValidationFailed
from connector.extensions import db
from connector.farmers.models import SignInCode
from connector.households.models import Household, HouseholdStatus
from connector.households.validation import clean_phone
from connector.notices import services as notices
from connector.notices.models import NoticeKind
from connector.signing import keyed_hash, seal

FAILURE_WINDOW = timedelta(hours=1)


class TooMany(DomainError):
    """Too many codes asked for, or too many wrong tries: wait."""

    status = 429


@dataclass
class CodeCheck:
    household: Household | None  # signed in when set
    message: str = ""  # why not, in the farmer's words


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def phone_key(phone: str) -> str:
    return keyed_hash(_secret(), "farmer-phone", phone)


def _code_hash(key: str, code: str) -> str:
    return keyed_hash(_secret(), "farmer-code", f"{key}:{code}")


def normalise_phone(raw: str) -> str:
    """The phone in E.164, or ValidationFailed with the reason (not Vietnamese, not a number...)."""
    try:
        return clean_phone(raw)
    except ValidationError as error:
        raise ValidationFailed(errors={"phone": error.messages}) from None


def _failures_in_the_last_hour(key: str) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(SignInCode.failed_tries), 0)).where(
        SignInCode.phone_key == key, SignInCode.created_at > utcnow() - FAILURE_WINDOW)) or 0


def _locked(key: str) -> bool:
    return _failures_in_the_last_hour(key) >= current_app.config["FARMER_PHONE_MAX_FAILURES"]


def _locked_message() -> str:
    return _("Too many wrong codes for this number. Try again in an hour, or ask the post office for help.")


def request_code(raw_phone: str, host: str) -> str:
    """Make and (for a household's phone) send a new code; returns the phone in E.164. The same
    outcome whether or not the phone is a household's."""
    config = current_app.config
    phone = normalise_phone(raw_phone)
    key = phone_key(phone)
    now = utcnow()
    window = timedelta(minutes=config["FARMER_CODE_MINUTES"])
    # A resend replaces the code (undone with the rest if this request is refused below).
    db.session.execute(update(SignInCode).where(SignInCode.phone_key == key, SignInCode.used_at.is_(None),
                                                SignInCode.replaced_at.is_(None)).values(replaced_at=now))
    if _locked(key):
        raise TooMany(_locked_message())
    sent = db.session.scalar(select(func.count(SignInCode.id)).where(SignInCode.phone_key == key,
                                                                     SignInCode.created_at > now - window))
    if sent >= config["FARMER_CODE_SENDS"]:
        raise TooMany(ngettext("You asked for %(num)d codes in a few minutes. Wait %(minutes)d minutes, then ask "
                               "again.", "You asked for %(num)d codes in a few minutes. Wait %(minutes)d minutes, "
                               "then ask again.", sent, minutes=config["FARMER_CODE_MINUTES"]))
    household = db.session.scalar(select(Household).where(Household.phone == phone,
                                                          Household.status == HouseholdStatus.ACTIVE))
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SignInCode(phone_key=key, household_id=household.id if household else None, code_hash=_code_hash(key, code),
                     created_at=now, expires_at=now + window)
    db.session.add(row)
    db.session.flush()
    if household is not None:
        notices.create_notice(household, NoticeKind.SIGN_IN_CODE, f"code:{row.id}",
                              {"code": seal(_secret(), code), "host": host,
                               "expires_at": row.expires_at.isoformat(), "minutes": config["FARMER_CODE_MINUTES"]})
    return phone


def check_code(phone: str, raw_code: str) -> CodeCheck:
    """Sign in with the code for `phone` (E.164). A wrong try is written even though the answer is
    a refusal: the caller commits it."""
    config = current_app.config
    code = "".join(ch for ch in (raw_code or "") if not ch.isspace())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return CodeCheck(None, _("The code has 6 digits."))
    key = phone_key(phone)
    if _locked(key):
        return CodeCheck(None, _locked_message())
    row = db.session.scalar(select(SignInCode).where(SignInCode.phone_key == key, SignInCode.used_at.is_(None),
                                                     SignInCode.replaced_at.is_(None))
                            .order_by(SignInCode.id.desc()).limit(1).with_for_update())
    if row is None or row.expires_at <= utcnow():
        return CodeCheck(None, _("This code has expired. Press “Send a new code”."))
    if row.failed_tries >= config["FARMER_CODE_MAX_TRIES"]:
        return CodeCheck(None, _("Too many wrong tries for this code. Press “Send a new code”."))
    if row.household_id is None or not hmac.compare_digest(row.code_hash, _code_hash(key, code)):
        row.failed_tries += 1
        db.session.flush()
        left = config["FARMER_CODE_MAX_TRIES"] - row.failed_tries
        if _locked(key):
            return CodeCheck(None, _locked_message())
        if left <= 0:
            return CodeCheck(None, _("Too many wrong tries for this code. Press “Send a new code”."))
        return CodeCheck(None, ngettext("Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.", left))
    row.used_at = utcnow()
    household = db.session.get(Household, row.household_id)
    if household is None or household.status != HouseholdStatus.ACTIVE:
        return CodeCheck(None, _("This code has expired. Press “Send a new code”."))
    db.session.flush()
    return CodeCheck(household)
