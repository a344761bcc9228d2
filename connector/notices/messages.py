"""What each notice says, per channel, in the farmer's language (Vietnamese).

The words are in the translation catalogues (msgids in English, like every string here); SMS gets
the same sentence without diacritics, in one GSM-7 segment (160 characters; a longer SMS costs two
or three); Zalo ZNS gets its approved template's id and the values to fill in; Web Push a title, the
sentence and the page to open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from connector.i18n import format_day, format_vnd
from connector.notices.channels.gsm7 import is_single_segment, to_sms_text
from connector.notices.models import NoticeKind
from connector.signing import unseal

SMS_LIMIT = 160
LANGUAGE = "vi"


@dataclass(frozen=True)
class Message:
    title: str
    text: str  # proper Vietnamese, for Zalo and push
    sms: str  # ASCII, one GSM-7 segment
    zalo_template: str
    zalo_params: dict = field(default_factory=dict)
    url: str = "/farmer"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _items(params: dict) -> str:
    return ", ".join(f"{item['quantity']} × {item['name']}" for item in params.get("items", []))


def _day(value: str | None) -> str:
    return format_day(date.fromisoformat(value)) if value else ""


def _texts(kind: str, p: dict) -> tuple[str, str, str | None]:
    """(title, sentence, shorter sentence for SMS when the first is too long)."""
    if kind == NoticeKind.SIGN_IN_CODE:
        code = unseal(current_app.config["SECRET_KEY"], p.get("code") or "") or ""
        return (_("Sign-in code"),
                _("Your sign-in code is %(code)s. It expires in %(minutes)d minutes. Do not give it to anyone.",
                  code=code, minutes=p.get("minutes", 10)), None)
    if kind == NoticeKind.NEW_ORDER:
        if p.get("point"):
            text = _("New order %(code)s: %(items)s. Pack it and take it to %(point)s by %(day)s.",
                     code=p["code"], items=_items(p), point=p["point"], day=_day(p.get("day")))
            short = _("New order %(code)s. Pack it and take it to %(point)s by %(day)s.",
                      code=p["code"], point=_short(p["point"], 40), day=_day(p.get("day")))
        else:
            text = _("New order %(code)s: %(items)s. The post office will call you about the pickup.",
                     code=p["code"], items=_items(p))
            short = _("New order %(code)s. The post office will call you about the pickup.", code=p["code"])
        return _("New order"), text, short
    if kind == NoticeKind.PARCEL_RECEIVED:
        return (_("Parcel received"), _("%(point)s received your parcel for order %(code)s.",
                                        point=p.get("point") or _("The post office"), code=p["code"]),
                _("The post office received your parcel for order %(code)s.", code=p["code"]))
    if kind == NoticeKind.PAYMENT_RECEIVED:
        return (_("Payment received"), _("Received %(amount)s for order %(code)s.",
                                         amount=format_vnd(p["amount"]), code=p["code"]), None)
    if kind == NoticeKind.LISTING_REJECTED:
        return (_("Product not accepted"),
                _("%(marketplace)s did not accept %(product)s: %(reason)s. The post office can help you fix it.",
                  marketplace=p["marketplace"], product=p["product"], reason=p.get("reason") or _("no reason given")),
                _("%(marketplace)s did not accept %(product)s. Ask the post office why.",
                  marketplace=p["marketplace"], product=_short(p["product"], 40)))
    if kind == NoticeKind.CERTIFICATE_EXPIRING:
        return (_("OCOP certificate expiring"),
                _("The OCOP certificate of %(product)s expires on %(day)s. Bring the new one to the post office.",
                  product=p["product"], day=_day(p.get("day"))),
                _("An OCOP certificate expires on %(day)s. Bring the new one to the post office.",
                  day=_day(p.get("day"))))
    raise ValueError(f"unknown notice kind {kind!r}")


def _sms(text: str, short: str | None) -> str:
    for candidate in (text, short):
        if candidate:
            sms = to_sms_text(candidate)
            if is_single_segment(sms):
                return sms
    return to_sms_text(short or text)[: SMS_LIMIT - 3].rsplit(" ", 1)[0] + "..."


def _zalo_params(kind: str, p: dict, code: str) -> dict:
    """The values the approved ZNS template of `kind` fills in (the sandbox checks them by name)."""
    if kind == NoticeKind.SIGN_IN_CODE:
        return {"code": code}
    if kind == NoticeKind.NEW_ORDER:
        return {"order_code": p["code"], "items": _items(p), "day": _day(p.get("day")) or "—",
                "point": p.get("point") or _("The post office will tell you where to take your parcels.")}
    if kind == NoticeKind.PARCEL_RECEIVED:
        return {"order_code": p["code"], "point": p.get("point") or _("The post office")}
    if kind == NoticeKind.PAYMENT_RECEIVED:
        return {"order_code": p["code"], "amount": format_vnd(p["amount"])}
    if kind == NoticeKind.LISTING_REJECTED:
        return {"marketplace": p["marketplace"], "product": p["product"],
                "reason": p.get("reason") or _("no reason given")}
    return {"product": p["product"], "day": _day(p.get("day"))}


def render(kind: str, params: dict) -> Message:
    code = ""
    if kind == NoticeKind.SIGN_IN_CODE:
        code = unseal(current_app.config["SECRET_KEY"], params.get("code") or "") or ""
    with force_locale(LANGUAGE):
        title, text, short = _texts(kind, params)
        sms = _sms(text, short)
        zalo_params = _zalo_params(kind, params, code)
    if kind == NoticeKind.SIGN_IN_CODE:
        # The last line lets Android (SMS User Consent / WebOTP) and iOS offer the code on our page.
        sms = f"{sms}\n\n@{params.get('host') or 'localhost'} #{code}"
    template = current_app.config["NOTICES"]["zalo"]["templates"].get(kind, "")
    return Message(title=title, text=text, sms=sms, zalo_template=template, zalo_params=zalo_params)
