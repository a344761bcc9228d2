"""The failure vocabulary every outside system's adapter speaks (marketplaces, carrier, ...).

- RetryableError: 5xx, 429 (with Retry-After), a timeout or refused connection before anything
  was sent, or a read timeout on a read. Try again later.
- AuthExpired: the token died. Sign in again, then retry.
- Refused: the other side refused the request or its data. Do not retry; show the reason.
- UnknownOutcome: a write timed out after it may have been applied. Look the object up by our own
  reference (seller SKU, order code) before creating it again.

TransactionOpenDuringRemoteCall is none of these: it is a programming error (a remote call made while
a database transaction was open), so that no `except RemoteError` ever swallows it.
"""

from __future__ import annotations


class RemoteError(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class RetryableError(RemoteError):
    pass


class AuthExpired(RemoteError):
    pass


class Refused(RemoteError):
    pass


class UnknownOutcome(RemoteError):
    pass


class TransactionOpenDuringRemoteCall(RuntimeError):
    """A remote call was about to be made with a database transaction open: its locks (and a
    connection) would be held for as long as the other side takes to answer. Read (short
    transaction, commit), call, record (short transaction)."""


class MalformedWebhook(ValueError):
    """A webhook whose signature is right but whose body is not a JSON object: the sender's bug, to be
    answered 400 (not 401: the signature was fine), and nothing stored."""
