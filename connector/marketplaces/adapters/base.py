"""The adapter interface, HTTP with signing and timeouts, and the four kinds of failure.

- RetryableError: 5xx, 429 (with Retry-After), a timeout or refused connection before anything
  was sent, or a read timeout on a read. Try again later.
- AuthExpired: the token died. Sign in again, then retry.
- ListingRejected: the marketplace refused the data. Do not retry; show the reason.
- UnknownOutcome: a write timed out after it may have been applied. Look the listing up by seller
  SKU before creating it again.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import requests

from connector.signing import sign, verify


class MarketplaceError(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class RetryableError(MarketplaceError):
    pass


class AuthExpired(MarketplaceError):
    pass


class ListingRejected(MarketplaceError):
    pass


class UnknownOutcome(MarketplaceError):
    pass


@dataclass
class RemoteListing:
    id: str
    seller_sku: str
    status: str  # REVIEWING | LIVE | REJECTED | DELISTED
    reason: str
    version: int
    price: int
    stock: int


class MarketplaceAdapter:
    name = ""
    token_header = ""

    def __init__(self, settings: dict):
        self.settings = settings
        self.base_url = settings["base_url"].rstrip("/")
        self.session = requests.Session()
        self.timeout = (settings.get("connect_timeout", 3.0), settings.get("read_timeout", 10.0))
        self._token: str | None = None
        self._token_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, json_body=None, params=None, files=None, write=False,
              authenticated=True):
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

    # -- what each dialect implements -------------------------------------------------------------
    def _unwrap(self, response: requests.Response):
        raise NotImplementedError

    def login(self) -> str:
        raise NotImplementedError

    def categories(self) -> list[dict]:
        raise NotImplementedError

    def upload_image(self, data: bytes) -> str:
        raise NotImplementedError

    def create(self, payload: dict) -> RemoteListing:
        """payload: seller_sku, name, description, price, stock, category_id, image_ids."""
        raise NotImplementedError

    def find_by_sku(self, sku: str) -> RemoteListing | None:
        raise NotImplementedError

    def get(self, remote_id: str) -> RemoteListing:
        raise NotImplementedError

    def update_price_stock(self, remote_id: str, price: int, stock: int) -> RemoteListing:
        raise NotImplementedError

    def set_listed(self, remote_id: str, listed: bool) -> RemoteListing:
        raise NotImplementedError

    def events_since(self, cursor: int) -> tuple[list[dict], int]:
        raise NotImplementedError

    def parse_webhook(self, path: str, headers, body: bytes) -> dict | None:
        """The event in a signed webhook, or None when the signature (or token) is wrong."""
        if not verify(self.settings["webhook_secret"], "POST", path, headers, body):
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        return self._event_from_webhook(payload)

    def _event_from_webhook(self, payload: dict) -> dict | None:
        return payload
