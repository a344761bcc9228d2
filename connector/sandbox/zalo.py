"""The sandbox's Zalo Notification Service (ZNS): `POST /zalo/message/template` with the Official
Account's `access_token` header (and the project's HMAC signature), {phone, template_id,
template_data, tracking_id}; answers in HTTP 200 with {"error": 0, "message": "Success", "data":
{"msg_id", "sent_time", "quota"}} or one of Zalo's negative codes: -108 phone invalid, -109 template
unknown, -112 template data invalid (a parameter missing), -118 Zalo account not existed (the phones
set as "not Zalo users"), -124 access token invalid. The same tracking_id twice sends one message.

Tests: `GET /_sandbox/zalo/messages`, `POST /_sandbox/zalo/non-users {"phones": [...]}`,
`POST /_sandbox/zalo/templates {"<id>": ["param", ...]}`; fault `zalo_down` (503) at /_sandbox/config.
"""

from __future__ import annotations

import secrets
import threading
import time

from flask import Blueprint, jsonify, request

from connector.sandbox.app import check_signature, sandbox
from connector.sandbox.sms import same_phone

bp = Blueprint("sandbox_zalo", __name__, url_prefix="/zalo")
admin = Blueprint("sandbox_zalo_admin", __name__, url_prefix="/_sandbox/zalo")
CREDENTIALS = {"access_token": "demo-zalo-access-token", "signing_secret": "demo-zalo-signing"}
TEMPLATES = {  # the connector's notices (connector/notices/messages.py), as approved by Zalo
    "demo-sign-in-code": ["code"],
    "demo-new-order": ["order_code", "items", "point", "day"],
    "demo-parcel-received": ["order_code", "point"],
    "demo-payment-received": ["order_code", "amount"],
    "demo-listing-rejected": ["marketplace", "product", "reason"],
    "demo-certificate-expiring": ["product", "day"],
}
DAILY_QUOTA = 500


class ZaloOA:
    def __init__(self, settings: dict | None = None):
        settings = settings or {}
        self.credentials = {**CREDENTIALS, **(settings.get("credentials") or {})}
        self.templates = {**TEMPLATES, **(settings.get("templates") or {})}
        self.non_users: list[str] = list(settings.get("non_users") or [])
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.by_tracking: dict[str, dict] = {}

    def send(self, body: dict) -> dict:
        with self.lock:
            known = self.by_tracking.get(body["tracking_id"])
            if known:
                return known
            message = {"msg_id": secrets.token_hex(16), "tracking_id": body["tracking_id"], "phone": body["phone"],
                       "template_id": body["template_id"], "template_data": body["template_data"],
                       "sent_time": str(int(time.time() * 1000))}
            self.messages.append(message)
            self.by_tracking[body["tracking_id"]] = message
            return message


def oa() -> ZaloOA:
    return sandbox().zalo


def error(code: int, message: str, status: int = 200):
    return jsonify(error=code, message=message), status


@bp.post("/message/template")
def send_template():
    box, account = sandbox(), oa()
    if not check_signature(account.credentials["signing_secret"]):
        return error(-124, "Signature invalid", 401)
    if request.headers.get("access_token") != account.credentials["access_token"]:
        return error(-124, "Access token invalid")
    if box.faults.zalo_down:
        return error(-100, "Service unavailable", 503)
    body = request.get_json(silent=True) or {}
    phone, template_id, data = str(body.get("phone", "")), body.get("template_id"), body.get("template_data")
    if not phone.isdigit() or not phone.startswith("84") or not 10 <= len(phone) <= 12:
        return error(-108, "Phone number invalid")
    if template_id not in account.templates:
        return error(-109, "Template ID invalid")
    if not isinstance(data, dict) or not data:
        return error(-111, "Template data empty")
    if any(name not in data or data[name] in (None, "") for name in account.templates[template_id]):
        return error(-112, "Template data invalid")
    if not body.get("tracking_id"):
        return error(-112, "tracking_id missing")
    if any(same_phone(phone, other) for other in account.non_users):
        return error(-118, "Zalo account not existed")
    message = account.send({**body, "phone": phone})
    with account.lock:
        used = len(account.messages)
    return jsonify(error=0, message="Success", data={
        "msg_id": message["msg_id"], "sent_time": message["sent_time"],
        "quota": {"dailyQuota": str(DAILY_QUOTA), "remainingQuota": str(max(0, DAILY_QUOTA - used))}})


@admin.get("/messages")
def messages():
    """The messages sent, oldest first; `?phone=` keeps one person's."""
    phone = request.args.get("phone")
    account = oa()
    with account.lock:
        return jsonify([dict(m) for m in account.messages if not phone or same_phone(m["phone"], phone)])


@admin.post("/non-users")
def non_users():
    """{"phones": [...]}: these numbers have no Zalo account (answered -118) from now on."""
    phones = (request.get_json(silent=True) or {}).get("phones") or []
    account = oa()
    with account.lock:
        account.non_users.extend(str(p) for p in phones)
    return jsonify(count=len(account.non_users))


@admin.post("/templates")
def templates():
    """{"<template id>": ["required param", ...]}: more approved templates."""
    body = request.get_json(silent=True) or {}
    account = oa()
    with account.lock:
        account.templates.update({str(k): list(v) for k, v in body.items()})
    return jsonify(sorted(account.templates))
