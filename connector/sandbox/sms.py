"""The sandbox's SMS gateway, in the style of eSMS.vn: a brandname message is one JSON POST with
the account's ApiKey and SecretKey in the body (and, as everywhere here, an HMAC signature), answered
{"CodeResult": "100", "SMSID"}. The same RequestId twice sends one message and answers the same
SMSID. After sending, a signed delivery report {"SMSID", "RequestId", "SendStatus": 5} goes to
`webhooks["sms"]` when set, else to the request's CallbackUrl, retried until answered 2xx.

Tests read what was sent at `GET /_sandbox/sms/messages?phone=...` (a sign-in code, say). Faults:
`sms_down` (answers 503), `sms_hang_seconds` (answers that late), `sms_code_result` (answers that
CodeResult), at `POST /_sandbox/config`.
"""

from __future__ import annotations

import secrets
import threading
import time

import requests
from flask import Blueprint, jsonify, request

from connector.sandbox.app import check_signature, post_signed, sandbox

bp = Blueprint("sandbox_sms", __name__, url_prefix="/sms")
admin = Blueprint("sandbox_sms_admin", __name__, url_prefix="/_sandbox/sms")
CREDENTIALS = {"api_key": "demo-sms-api-key", "secret_key": "demo-sms-secret-key",
               "signing_secret": "demo-sms-signing", "webhook_secret": "demo-sms-webhook", "brandnames": ["KETNOI"]}
DELIVERED = 5


def same_phone(a: str, b: str) -> bool:
    def digits(phone: str) -> str:
        d = "".join(ch for ch in phone if ch.isdigit())
        return "84" + d[1:] if d.startswith("0") else d
    return digits(a) == digits(b)


class SmsCentre:
    def __init__(self, credentials: dict | None = None):
        self.credentials = {**CREDENTIALS, **(credentials or {})}
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.by_request: dict[str, dict] = {}
        self.reports: list[dict] = []  # delivery reports: {SMSID, RequestId, SendStatus, url, delivered, attempts}
        self.pending: dict[int, tuple[float, int]] = {}  # report index -> (next try, attempts)

    def accept(self, body: dict) -> dict:
        with self.lock:
            known = self.by_request.get(body["RequestId"])
            if known:
                return known
            message = {"sms_id": f"SMS{secrets.token_hex(8).upper()}", "request_id": body["RequestId"],
                       "phone": body["Phone"], "content": body["Content"], "brandname": body["Brandname"],
                       "sms_type": body["SmsType"], "sent_at": time.time(), "status": DELIVERED}
            self.messages.append(message)
            self.by_request[body["RequestId"]] = message
            self.reports.append({"SMSID": message["sms_id"], "RequestId": body["RequestId"], "SendStatus": DELIVERED,
                                 "callback_url": body.get("CallbackUrl") or None, "delivered": False, "attempts": 0})
            self.pending[len(self.reports) - 1] = (0.0, 0)
            return message

    def deliver(self, target: dict | None, session: requests.Session) -> None:
        with self.lock:
            due = [(i, self.reports[i]) for i, (at, _n) in self.pending.items() if at <= time.time()]
        for index, report in due:
            where = target or ({"url": report["callback_url"], "secret": self.credentials["webhook_secret"]}
                               if report["callback_url"] else None)
            if where is None:
                with self.lock:
                    self.pending.pop(index, None)  # nobody to tell
                continue
            payload = {key: report[key] for key in ("SMSID", "RequestId", "SendStatus")}
            delivered = post_signed(session, where, payload)
            with self.lock:
                report["attempts"] += 1
                report["url"] = where["url"]
                if delivered:
                    report["delivered"] = True
                    self.pending.pop(index, None)
                else:
                    _at, attempt = self.pending[index]
                    self.pending[index] = (time.time() + min(30.0, 0.5 * 2 ** attempt), attempt + 1)


def centre() -> SmsCentre:
    return sandbox().sms


def answer(code: str, message: str, status: int = 200, **extra):
    return jsonify(CodeResult=code, ErrorMessage=message, **extra), status


@bp.post("/MainService.svc/json/SendMultipleMessage_V4_post_json/")
def send():
    box = sandbox()
    credentials = centre().credentials
    if not check_signature(credentials["signing_secret"]):
        return answer("101", "Chữ ký không hợp lệ", 401)
    if box.faults.sms_hang_seconds:
        time.sleep(box.faults.sms_hang_seconds)
    if box.faults.sms_down:
        return answer("99", "Hệ thống bận", 503)
    if box.faults.sms_code_result:
        return answer(str(box.faults.sms_code_result), "Lỗi do sandbox đặt")
    body = request.get_json(silent=True) or {}
    if (body.get("ApiKey"), body.get("SecretKey")) != (credentials["api_key"], credentials["secret_key"]):
        return answer("101", "Sai ApiKey hoặc SecretKey")
    if body.get("Brandname") not in credentials["brandnames"]:
        return answer("104", "Brandname chưa đăng ký")
    if str(body.get("SmsType")) != "2":
        return answer("118", "Loại tin không hỗ trợ")
    phone = str(body.get("Phone", ""))
    if not phone.isdigit() or not 9 <= len(phone) <= 12:
        return answer("108", "Số điện thoại không đúng định dạng")
    if not body.get("Content") or not body.get("RequestId"):
        return answer("99", "Thiếu nội dung hoặc RequestId")
    message = centre().accept({**body, "Phone": phone})
    return answer("100", "", SMSID=message["sms_id"], CountRegenerate=0)


@admin.get("/messages")
def messages():
    """The messages sent, oldest first; `?phone=` keeps one person's (any of 09.., 849.., +849..)."""
    phone = request.args.get("phone")
    box = centre()
    with box.lock:
        found = [m for m in box.messages if not phone or same_phone(m["phone"], phone)]
        return jsonify([dict(m) for m in found])


@admin.get("/reports")
def reports():
    """The delivery reports and whether the connector (or the CallbackUrl) took them."""
    box = centre()
    with box.lock:
        return jsonify([dict(r) for r in box.reports])
