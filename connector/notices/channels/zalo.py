"""Zalo Notification Service (ZNS): a message from an approved template, sent to a phone number,
delivered in Zalo when the number has a Zalo account.

POST /message/template with the Official Account's `access_token` header and
{phone (84...), template_id, template_data, tracking_id}; the answer {"error": 0, "message",
"data": {"msg_id", "sent_time", "quota"}}, or a negative error code, in HTTP 200. Requests also carry
the project's HMAC signature, as with every outside system here.

The access token is a configured value (ZALO_ACCESS_TOKEN). Real ZNS tokens live about 25 hours and
are renewed with an OAuth refresh token; until that is built, an expired token raises AuthExpired,
which the router reports instead of retrying.
"""

from __future__ import annotations

import requests

from connector.notices.channels.base import Delivery, NotReachable, ProviderRefused, phone_84
from connector.remote import AuthExpired, Refused, RetryableError, SignedClient

SEND_PATH = "/message/template"
# Zalo's ZNS error codes (its "handle error code" guide) that the router acts on.
NOT_REACHABLE = {
    -114: "user inactive, refuses ZNS or has an outdated Zalo",
    -118: "Zalo account not existed or deactivated",
    -119: "account can not receive ZNS",
    -139: "user refused this type of message",
}
RETRY = {-100: "unknown error", -144: "daily quota exceeded"}
TOKEN_INVALID = -124


class ZaloZns(SignedClient):
    name = "zalo"
    token_header = "access_token"  # noqa: S105 - a header name

    def send(self, phone: str, template_id: str, params: dict, tracking_id: str) -> Delivery:
        """Send template `template_id` filled with `params` to `phone`; `tracking_id` is our
        reference (the provider deduplicates on it and quotes it in its delivery reports).

        Raises NotReachable (no Zalo account, blocked: use the next channel), ProviderRefused (bad
        template or parameters, with Zalo's code), RetryableError (5xx, unknown error, quota),
        AuthExpired (the configured access token is no longer valid), UnknownOutcome (no answer in
        time: send again with the same tracking_id).
        """
        body = {"phone": phone_84(phone), "template_id": template_id, "template_data": params,
                "tracking_id": tracking_id}
        data = self._send("POST", SEND_PATH, json_body=body, write=True)
        return Delivery(channel="zalo", provider_id=str(data["msg_id"]),
                        cost_vnd=int(self.settings.get("cost_vnd", 300)))

    def _unwrap(self, response: requests.Response):
        try:
            body = response.json()
        except ValueError:
            raise Refused(f"zalo: unreadable answer ({response.status_code})") from None
        code = body.get("error")
        if code == 0:
            return body.get("data") or {}
        if code in NOT_REACHABLE:
            raise NotReachable(f"zalo: {code} {NOT_REACHABLE[code]}")
        if code in RETRY:
            raise RetryableError(f"zalo: {code} {RETRY[code]}")
        if code == TOKEN_INVALID:
            raise AuthExpired("zalo: access token invalid or expired")
        raise ProviderRefused(f"zalo: refused with error {code if code is not None else response.status_code}",
                              code=str(code))

    def login(self) -> str:
        return self.settings["access_token"]
