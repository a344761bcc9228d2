"""The sandbox's bank: a transfer made here becomes a signed payment notice sent to the connector
(`webhooks["bank"]`), retried with backoff until answered 2xx, like a bank-statement service."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime

import requests
from flask import Blueprint, jsonify, request

from connector.sandbox.app import post_signed, sandbox
from connector.sandbox.state import roll

bp = Blueprint("sandbox_bank", __name__, url_prefix="/_sandbox/bank")


class Bank:
    def __init__(self):
        self.lock = threading.Lock()
        self.notices: list[dict] = []
        self.pending: dict[str, tuple[float, int]] = {}  # bank reference -> (next try, attempts)

    def transfer(self, amount: int, memo: str, account: str | None, bin_code: str | None,
                 reference: str | None = None) -> dict:
        notice = {"bank_reference": reference or f"FT{secrets.token_hex(6).upper()}", "amount": amount,
                  "memo": memo, "occurred_at": datetime.now(UTC).isoformat(timespec="seconds")}
        if account:
            notice.update(account=account, bin=bin_code)
        with self.lock:
            self.notices.append(notice)
            self.pending[notice["bank_reference"]] = (0.0, 0)
        return notice

    def deliver(self, target: dict | None, session: requests.Session, duplicate_rate: float, rng) -> None:
        if not target:
            return
        with self.lock:
            due = [n for n in self.notices if self.pending.get(n["bank_reference"], (1e18, 0))[0] <= time.time()]
        for notice in due:
            times = 2 if roll(duplicate_rate, rng) else 1
            if all(post_signed(session, target, notice) for _ in range(times)):
                with self.lock:
                    self.pending.pop(notice["bank_reference"], None)
            else:
                _due, attempt = self.pending[notice["bank_reference"]]
                with self.lock:
                    self.pending[notice["bank_reference"]] = (time.time() + min(30.0, 0.5 * 2 ** attempt), attempt + 1)


@bp.post("/transfers")
def transfer():
    """{"amount": 150000, "memo": "DH7K3M9Q Thanh toan", "account"?: ..., "bin"?: ..., "bank_reference"?: ...}"""
    body = request.get_json(silent=True) or {}
    amount = body.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return jsonify(error="amount must be a positive integer (VND)"), 400
    notice = sandbox().bank.transfer(amount, str(body.get("memo", ""))[:200], body.get("account"), body.get("bin"),
                                     body.get("bank_reference"))
    return jsonify(notice), 201


@bp.get("/notices")
def notices():
    bank = sandbox().bank
    with bank.lock:
        return jsonify([dict(n, delivered=n["bank_reference"] not in bank.pending) for n in bank.notices])
