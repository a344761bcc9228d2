"""The signed client every outside system shares refuses to call out while a database transaction is
open (a programming error, loud by default), and only logs it when production downgrades the check."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from connector.marketplaces.services import SyncPlan, perform_sync
from connector.remote import RemoteError, RetryableError, SignedClient, TransactionOpenDuringRemoteCall

NOWHERE = "http://127.0.0.1:1/api"  # nothing listens: a call that goes ahead fails to connect


class EchoDialect(SignedClient):
    name = "echo"
    token_header = "Token"  # noqa: S105 - a header name

    def login(self) -> str:
        return "token"

    def _unwrap(self, response):
        return response.json()


def client() -> EchoDialect:
    return EchoDialect({"base_url": NOWHERE, "signing_secret": "s", "connect_timeout": 0.5})


def test_a_remote_call_with_a_transaction_open_raises(db_session):
    db_session.execute(text("SELECT 1"))  # a read: the session's transaction is open now
    with pytest.raises(TransactionOpenDuringRemoteCall, match="echo GET /things"):
        client().call("GET", "/things")
    db_session.commit()  # the read ends: now the call is made (and here finds nobody)
    with pytest.raises(RetryableError, match="cannot connect"):
        client().call("GET", "/things")


def test_outside_an_app_context_there_is_no_transaction_to_check(app):
    with pytest.raises(RetryableError):
        client().call("GET", "/things")


def test_it_is_not_one_of_the_remote_failures_so_no_handler_of_those_swallows_it(db_session):
    """A sync made inside a transaction would otherwise be recorded as a failed attempt and retried."""
    assert not issubclass(TransactionOpenDuringRemoteCall, RemoteError)
    db_session.execute(text("SELECT 1"))
    plan = SyncPlan(listing_id=1, marketplace="postmart", storefront="", seller_sku="CN-1", remote_id="P1",
                    on_sale=True, price=10000, stock=1, name="Gạo", description="", category_id="11")
    with pytest.raises(TransactionOpenDuringRemoteCall):
        perform_sync(plan)


def test_production_can_downgrade_the_refusal_to_a_logged_error(app, db_session, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REMOTE_CALLS_REFUSE_OPEN_TRANSACTION", False)
    db_session.execute(text("SELECT 1"))
    with caplog.at_level(logging.ERROR, logger="connector.remote.client"), \
            pytest.raises(RetryableError, match="cannot connect"):  # the call went ahead
        client().call("GET", "/things")
    assert any("transaction open" in record.getMessage() and record.levelno == logging.ERROR
               for record in caplog.records)


def test_the_refusal_is_on_unless_configured_off():
    from connector.config import load_config

    assert load_config({})["REMOTE_CALLS_REFUSE_OPEN_TRANSACTION"] is True
    assert load_config({"REMOTE_CALLS_REFUSE_OPEN_TRANSACTION": "0"})["REMOTE_CALLS_REFUSE_OPEN_TRANSACTION"] is False
