"""The sandbox's push service (as a browser vendor runs one, RFC 8030): a subscription is an
endpoint URL plus the browser's keys; the application server POSTs an aes128gcm-encrypted body
(RFC 8291) with `Authorization: vapid t=<JWT>,k=<public key>` (RFC 8292) and a TTL.

It checks what real push services check: the JWT's ES256 signature against k, its audience (this
service's origin), expiry (at most 24 h ahead) and subject (mailto: or https:), the key the
subscription was made with (when given), the content encoding and TTL. Because the sandbox made the
subscription's keys, it keeps the private one and decrypts each message, so tests and demos can read
what a phone would show.

`POST /_sandbox/push/subscriptions {"application_server_key"?}` -> {endpoint, keys{p256dh, auth}};
`DELETE /_sandbox/push/subscriptions/<id>` expires one (pushes then get 410, an unknown one 404);
`GET /_sandbox/push/messages?subscription=<id>` the decrypted payloads, oldest first. Fault
`push_down` (503) at /_sandbox/config.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Blueprint, abort, jsonify, request
from py_vapid import Vapid02

from connector.sandbox.app import sandbox

bp = Blueprint("sandbox_push", __name__, url_prefix="/push")
admin = Blueprint("sandbox_push_admin", __name__, url_prefix="/_sandbox/push")
MAX_PAYLOAD = 4096  # bytes of encrypted body, as the big push services accept
MAX_JWT_SECONDS = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    def __init__(self):
        self.lock = threading.Lock()
        self.subscriptions: dict[str, dict] = {}
        self.messages: list[dict] = []

    def subscribe(self, base_url: str, application_server_key: str | None) -> dict:
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        subscription_id = secrets.token_urlsafe(24)
        auth = secrets.token_bytes(16)
        with self.lock:
            self.subscriptions[subscription_id] = {"private_key": key, "auth": auth, "expired": False,
                                                   "application_server_key": application_server_key}
        return {"endpoint": f"{base_url}push/{subscription_id}", "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}


def service() -> PushService:
    return sandbox().push


def vapid_problem(header: str, origin: str, required_key: str | None) -> str | None:
    """Why the VAPID Authorization header is refused, or None when it is good."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        return "not a vapid authorization"
    parts = dict(item.strip().split("=", 1) for item in params.split(",") if "=" in item)
    token, key = parts.get("t", ""), parts.get("k", "")
    try:
        valid = Vapid02.verify(header)
        claims = json.loads(unb64url(token.split(".")[1]))
    except Exception:  # noqa: BLE001 - a malformed token, whatever the way it is malformed
        return "malformed vapid token"
    if not valid:
        return "bad vapid signature"
    if claims.get("aud") != origin:
        return "wrong audience"
    if not isinstance(claims.get("exp"), int) or not time.time() < claims["exp"] <= time.time() + MAX_JWT_SECONDS:
        return "expired or too long-lived token"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return "subject must be mailto: or https:"
    if required_key and key != required_key.rstrip("="):
        return "not the key the subscription was made with"
    return None


@bp.post("/<subscription_id>")
def push(subscription_id: str):
    box, pushes = sandbox(), service()
    with pushes.lock:
        subscription = pushes.subscriptions.get(subscription_id)
    if subscription is None:
        return jsonify(error="no such subscription"), 404
    if subscription["expired"]:
        return jsonify(error="subscription expired"), 410
    if box.faults.push_down:
        return jsonify(error="service unavailable"), 503
    origin = request.host_url.rstrip("/")
    problem = vapid_problem(request.headers.get("Authorization", ""), origin, subscription["application_server_key"])
    if problem:
        return jsonify(error=problem), 401 if problem.startswith(("malformed", "not a", "bad", "expired")) else 403
    ttl = request.headers.get("TTL", "")
    if not ttl.isdigit():
        return jsonify(error="TTL header required"), 400
    body = request.get_data()
    if len(body) > MAX_PAYLOAD:
        return jsonify(error="payload too large"), 413
    if request.headers.get("Content-Encoding", "").lower() != "aes128gcm":
        return jsonify(error="content encoding must be aes128gcm"), 415
    try:
        plain = http_ece.decrypt(body, private_key=subscription["private_key"], auth_secret=subscription["auth"],
                                 version="aes128gcm")
    except Exception:  # noqa: BLE001 - a body that does not decrypt is refused, whatever broke
        return jsonify(error="cannot decrypt"), 400
    text = plain.decode("utf-8", errors="replace")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = text
    message = {"id": secrets.token_hex(8), "subscription": subscription_id, "payload": payload, "ttl": int(ttl),
               "topic": request.headers.get("Topic"), "urgency": request.headers.get("Urgency", "normal"),
               "received_at": time.time()}
    with pushes.lock:
        pushes.messages.append(message)
    return "", 201, {"Location": f"{origin}/push/messages/{message['id']}"}


@admin.post("/subscriptions")
def subscribe():
    """A browser subscribing: {"application_server_key"?: the page's VAPID public key}."""
    body = request.get_json(silent=True) or {}
    return jsonify(service().subscribe(request.host_url, body.get("application_server_key"))), 201


@admin.delete("/subscriptions/<subscription_id>")
def expire(subscription_id: str):
    """The browser withdrew the subscription (or it expired): later pushes get 410 Gone."""
    pushes = service()
    with pushes.lock:
        subscription = pushes.subscriptions.get(subscription_id) or abort(404)
        subscription["expired"] = True
    return jsonify(ok=True)


@admin.get("/messages")
def messages():
    """The pushes received, decrypted, oldest first; `?subscription=<id>` keeps one browser's."""
    wanted = request.args.get("subscription")
    pushes = service()
    with pushes.lock:
        return jsonify([dict(m) for m in pushes.messages if not wanted or m["subscription"] == wanted])
