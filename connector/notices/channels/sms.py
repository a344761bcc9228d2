"""Brandname SMS in the style of eSMS.vn (SpeedSMS is alike): one JSON POST with the account's
ApiKey and SecretKey in the body, answered {"CodeResult": "100", "SMSID": ...}; the delivery report
comes later to the CallbackUrl. On top, every request carries the project's HMAC signature
(X-Timestamp, X-Signature), as with every outside system here.

The RequestId is our idempotency key: sending again with the same one (after a timeout, say) does
not send a second message. eSMS answers such a repeat with CodeResult 124 ("duplicate RequestId"),
the sandbox with the first SMSID; both mean "already accepted".
"""

from __future__ import annotations

import requests

from connector.notices.channels.base import Delivery, ProviderRefused, phone_84
from connector.notices.channels.gsm7 import is_single_segment
from connector.remote import Refused, RetryableError, SignedClient

SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ACCEPTED = "100"
DUPLICATE_REQUEST = "124"
# eSMS's codes that say "try later" rather than "this will never go": 99 is an unknown error on the
# gateway's side (the sandbox's, and SpeedSMS's), 102 a price list being updated.
RETRY_CODES = {"99", "102"}
BRANDNAME_SMS = "2"  # SmsType 2: customer-care brandname message


class SmsGateway(SignedClient):
    name = "sms"

    def send(self, phone: str, text: str, request_id: str, callback_url: str | None = None) -> Delivery:
        """Send `text` (one GSM-7 segment: see gsm7.to_sms_text) to `phone` under our brandname.

        Raises ValueError for text that is not one GSM-7 segment (never sent: it would cost two or
        three messages, or arrive as UCS-2), RetryableError (gateway down, busy, unknown error),
        UnknownOutcome (no answer in time: send again with the same request_id), ProviderRefused
        (a Refused with the gateway's CodeResult: 101 keys, 103 balance, 104 brandname...).
        """
        if not is_single_segment(text):
            raise ValueError("SMS text must be one GSM-7 segment (160 plain characters, no diacritics)")
        body = {"ApiKey": self.settings["api_key"], "SecretKey": self.settings["secret_key"],
                "Brandname": self.settings["brandname"], "Phone": phone_84(phone), "Content": text,
                "SmsType": BRANDNAME_SMS, "IsUnicode": "0", "RequestId": request_id}
        if callback_url:
            body["CallbackUrl"] = callback_url
        answer = self._send("POST", SEND_PATH, json_body=body, write=True, authenticated=False)
        sms_id = answer.get("SMSID") or f"request:{request_id}"  # a 124 repeat names no SMSID
        return Delivery(channel="sms", provider_id=str(sms_id), cost_vnd=int(self.settings.get("cost_vnd", 750)))

    def _unwrap(self, response: requests.Response):
        try:
            body = response.json()
        except ValueError:
            raise Refused(f"sms: unreadable answer ({response.status_code})") from None
        code = str(body.get("CodeResult", ""))
        if code in (ACCEPTED, DUPLICATE_REQUEST):
            return body
        if code in RETRY_CODES:
            raise RetryableError(f"sms: gateway error {code}")
        # The gateway's message may quote the request; only the code is kept.
        raise ProviderRefused(f"sms: refused with CodeResult {code or response.status_code}", code=code)

    def login(self) -> str:  # the keys travel in each request's body: there is no token
        raise NotImplementedError
