"""HMAC-SHA256 request signatures, as the marketplaces and the bank-notice service use them:
the hex digest of "METHOD\\nPATH\\nTIMESTAMP\\n" + body, with the Unix time in X-Timestamp."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

MAX_AGE_SECONDS = 300  # an older (or future) timestamp is a replay


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    message = f"{method}\n{path}\n{timestamp}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, method: str, path: str, headers, body: bytes) -> bool:
    """True when X-Signature signs this request with `secret` and X-Timestamp is fresh."""
    timestamp = headers.get("X-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, method, path, timestamp, body), headers.get("X-Signature", ""))


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the app's secret, separated by `purpose`: how sign-in codes,
    tokens and phones are stored, so a copy of the database gives none of them away."""
    return hmac.new(secret.encode(), f"{purpose}\n{value}".encode(), hashlib.sha256).hexdigest()


def _fernet(secret: str):
    from cryptography.fernet import Fernet

    key = base64.urlsafe_b64encode(hashlib.sha256(f"seal\n{secret}".encode()).digest())
    return Fernet(key)


def seal(secret: str, value: str) -> str:
    """Encrypt a short-lived secret that must be read back once (a sign-in code on its way to the
    SMS gateway) with a key derived from the app's secret (Fernet: AES-128-CBC and HMAC)."""
    return _fernet(secret).encrypt(value.encode()).decode()


def unseal(secret: str, token: str) -> str | None:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(secret).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
