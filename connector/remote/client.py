"""The signed HTTP client every outside system's adapter builds on: one requests.Session, HMAC
signatures (X-Timestamp, X-Signature), timeouts, Retry-After, a token renewed once when it expires,
and the failure vocabulary of connector.remote.errors. Each dialect says how to sign in
(`login`) and how to read an answer (`_unwrap`)."""

from __future__ import annotations

import json
import logging
import threading
import time

import requests
from flask import current_app, has_app_context

from connector.extensions import db
from connector.remote.errors import (
    AuthExpired,
    MalformedWebhook,
    RetryableError,
    TransactionOpenDuringRemoteCall,
    UnknownOutcome,
)
from connector.signing import sign, verify

log = logging.getLogger(__name__)


def refuse_open_transaction(what: str) -> None:
    """Fail loudly when a database transaction is open in this app context (no remote call may wait
    inside one). With REMOTE_CALLS_REFUSE_OPEN_TRANSACTION off (a production downgrade) it is
    logged as an error, with the stack, and the call goes ahead."""
    if not has_app_context() or "sqlalchemy" not in current_app.extensions or not db.session().in_transaction():
        return  # no app, or an app without our database (a tool, the sandbox): nothing to hold open
    message = f"{what}: remote call with a database transaction open; commit the read first"
    if current_app.config.get("REMOTE_CALLS_REFUSE_OPEN_TRANSACTION", True):
        raise TransactionOpenDuringRemoteCall(message)
    log.error(message, stack_info=True)


class SignedClient:
    name = ""
    token_header = ""

    def __init__(self, settings: dict):
        self.settings = settings
        self.base_url = settings["base_url"].rstrip("/")
        self.session = requests.Session()
        self.timeout = (settings.get("connect_timeout", 3.0), settings.get("read_timeout", 10.0))
        self._token: str | None = None
        self._token_lock = threading.Lock()

    def _send(self, method: str, path: str, *, json_body=None, params=None, files=None, write=False,
              authenticated=True):
        refuse_open_transaction(f"{self.name} {method} {path}")
        request = requests.Request(method, self.base_url + path, params=params, files=files,
                                   data=None if json_body is None else json.dumps(json_body, ensure_ascii=False),
                                   headers={} if json_body is None else {"Content-Type": "application/json"})
        prepared = self.session.prepare_request(request)
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
        timestamp = str(int(time.time()))
        url_path = requests.utils.urlparse(prepared.url).path
        prepared.headers["X-Timestamp"] = timestamp
        prepared.headers["X-Signature"] = sign(self.settings["signing_secret"], method, url_path, timestamp, body)
        if authenticated:
            prepared.headers[self.token_header] = self._token_value(self.token())
        try:
            response = self.session.send(prepared, timeout=self.timeout)
        except requests.ConnectionError as error:  # includes ConnectTimeout: nothing was sent
            raise RetryableError(f"{self.name}: cannot connect") from error
        except requests.ReadTimeout as error:
            if write:
                raise UnknownOutcome(f"{self.name}: no answer in time; the change may have been applied") from error
            raise RetryableError(f"{self.name}: no answer in time") from error
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After", "")
            raise RetryableError(f"{self.name}: rate limited",
                                 retry_after=float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None)
        if response.status_code >= 500:
            raise RetryableError(f"{self.name}: server error {response.status_code}")
        if response.status_code == 401 and authenticated:
            self._token = None
            raise AuthExpired(f"{self.name}: token expired")
        return self._unwrap(response)

    def _token_value(self, token: str) -> str:
        return token

    def call(self, method: str, path: str, **kwargs):
        """One request; an expired token is renewed once and the request repeated."""
        try:
            return self._send(method, path, **kwargs)
        except AuthExpired:
            self._token = None
            return self._send(method, path, **kwargs)

    def token(self) -> str:
        with self._token_lock:
            if self._token is None:
                self._token = self.login()
            return self._token

    def parse_webhook(self, path: str, headers, body: bytes) -> dict | None:
        """The JSON body of a signed webhook, or None when the signature is wrong or stale; a signed
        body that is not a JSON object raises MalformedWebhook."""
        if not verify(self.settings["webhook_secret"], "POST", path, headers, body):
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            raise MalformedWebhook("not JSON") from None
        if not isinstance(payload, dict):
            raise MalformedWebhook("not a JSON object")
        return payload

    # -- what each dialect implements -------------------------------------------------------------
    def _unwrap(self, response: requests.Response):
        """The answer's data, or the failure it says (Refused, RetryableError, AuthExpired)."""
        raise NotImplementedError

    def login(self) -> str:
        """A fresh token (through `_send(..., authenticated=False)`)."""
        raise NotImplementedError
