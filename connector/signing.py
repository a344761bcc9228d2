"""HMAC-SHA256 request signatures, as the marketplaces and the bank-notice service use them:
the hex digest of "METHOD\\nPATH\\nTIMESTAMP\\n" + body, with the Unix time in X-Timestamp."""

from __future__ import annotations

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
