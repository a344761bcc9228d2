"""Web Push (RFC 8030) to a farmer's browser: the payload encrypted for the subscription
(aes128gcm, RFC 8291) and signed for our server with VAPID (RFC 8292), by pywebpush.

Settings (NOTICES["push"]): `vapid_private_key` (PEM, or base64url of the raw 32-byte key or of its
DER), `vapid_public_key` (base64url of the uncompressed point: the page's applicationServerKey),
`vapid_subject` (mailto: or https: address the push services may write to).
"""

from __future__ import annotations

import base64
import json
import re
import time
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from connector.notices.channels.base import Delivery, ProviderRefused, SubscriptionGone
from connector.remote import RetryableError, UnknownOutcome, refuse_open_transaction

TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # RFC 8030: at most 32 characters of base64url
VAPID_LIFETIME_SECONDS = 12 * 3600  # at most 24 h (RFC 8292); the services reject longer
GONE = {404, 410}


def generate_vapid_keys() -> dict[str, str]:
    """A new VAPID key pair: {"private_key", "public_key"}, both base64url without padding, the
    values of WEB_PUSH_VAPID_PRIVATE_KEY and WEB_PUSH_VAPID_PUBLIC_KEY."""
    key = ec.generate_private_key(ec.SECP256R1())
    raw_private = key.private_numbers().private_value.to_bytes(32, "big")
    raw_public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return {"private_key": _b64url(raw_private), "public_key": _b64url(raw_public)}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_vapid(private_key: str) -> Vapid:
    key = private_key.strip()
    if "BEGIN" in key:
        return Vapid.from_pem(key.encode())
    return Vapid.from_string(key)


class WebPush:
    name = "push"

    def __init__(self, settings: dict):
        self.settings = settings
        self.vapid = load_vapid(settings["vapid_private_key"])
        self.session = requests.Session()
        self.timeout = (settings.get("connect_timeout", 3.0), settings.get("read_timeout", 10.0))

    @property
    def public_key(self) -> str:
        """The applicationServerKey the page subscribes with."""
        return self.settings["vapid_public_key"]

    def send(self, subscription: dict, payload: dict, topic: str, ttl: int) -> Delivery:
        """Push `payload` (JSON) to the browser of `subscription` ({endpoint, keys{p256dh, auth}}).

        `topic` (≤32 characters of A-Z a-z 0-9 _ -) lets the push service replace an undelivered
        message of the same topic; `ttl` is how long it keeps one for a phone that is offline.
        Raises SubscriptionGone (404/410: delete the subscription), RetryableError (429, 5xx, cannot
        connect), UnknownOutcome (no answer in time; sending again is harmless with a topic),
        ProviderRefused (400, 403 VAPID refused, 413 payload too large), ValueError (a malformed
        subscription or topic).
        """
        if not TOPIC.match(topic):
            raise ValueError("push topic must be 1-32 characters of A-Z a-z 0-9 _ -")
        endpoint = subscription.get("endpoint") or ""
        parts = urlsplit(endpoint)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError("push subscription has no endpoint URL")
        refuse_open_transaction(f"push POST {parts.netloc}")
        claims = {"sub": self.settings["vapid_subject"], "aud": f"{parts.scheme}://{parts.netloc}",
                  "exp": int(time.time()) + VAPID_LIFETIME_SECONDS}
        headers = {**self.vapid.sign(claims), "Topic": topic, "Urgency": "normal"}
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        try:
            pusher = WebPusher(subscription, requests_session=self.session)
        except WebPushException as error:
            raise ValueError(f"push subscription is malformed: {error.message}") from None
        try:
            response = pusher.send(data, headers, ttl=max(0, int(ttl)), content_encoding="aes128gcm",
                                   timeout=self.timeout)
        except requests.ConnectionError as error:
            raise RetryableError(f"push: cannot connect to {parts.netloc}") from error
        except requests.ReadTimeout as error:
            raise UnknownOutcome(f"push: no answer in time from {parts.netloc}") from error
        status = response.status_code
        if status in (200, 201, 202):
            return Delivery(channel="push", provider_id=response.headers.get("Location", ""), cost_vnd=0)
        if status in GONE:
            raise SubscriptionGone(f"push: subscription gone ({status})")
        if status == 429 or status >= 500:
            retry_after = response.headers.get("Retry-After", "")
            raise RetryableError(f"push: {parts.netloc} answered {status}",
                                 retry_after=float(retry_after) if retry_after.isdigit() else None)
        raise ProviderRefused(f"push: {parts.netloc} refused with {status}", code=str(status))
