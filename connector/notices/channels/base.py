"""What every notice channel answers (a Delivery) and the refusals the router acts on.

A channel speaks the failure vocabulary of connector.remote: RetryableError (try again later),
Refused (do not retry), UnknownOutcome (a write that may have been applied: send again with the same
request id, which the providers deduplicate), AuthExpired. Two refusals mean "this channel cannot
reach this person": NotReachable (try the next channel) and SubscriptionGone (forget the push
subscription).
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.remote import Refused


@dataclass(frozen=True)
class Delivery:
    channel: str  # "sms" | "zalo" | "push"
    provider_id: str  # the provider's id for the message (SMSID, msg_id, ...), for its delivery reports
    cost_vnd: int


class ProviderRefused(Refused):
    """The provider refused the message with one of its codes (kept for the problems page)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class SubscriptionGone(Refused):
    """The browser's push subscription expired or was withdrawn (404/410): delete it."""


class NotReachable(Refused):
    """This person cannot be reached on this channel (the phone is not a Zalo user, blocks the
    Official Account...): the router falls back to the next channel."""


def phone_84(phone: str) -> str:
    """A Vietnamese phone in the 84xxxxxxxxx form the providers take ("+84 98...", "098..." too)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not digits.startswith("84") or not 10 <= len(digits) <= 12:
        raise ValueError("not a Vietnamese phone number")  # the number itself is never in a message
    return digits
