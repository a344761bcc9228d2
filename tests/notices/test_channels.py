"""The notice channels against the sandbox over real HTTP: SMS (eSMS style), Zalo ZNS, Web Push."""

from __future__ import annotations

import json
import queue
import secrets

import pytest
import requests
from flask import Flask, request

from connector.config import notice_settings
from connector.notices.channels import (
    NotReachable,
    ProviderRefused,
    SmsGateway,
    SubscriptionGone,
    WebPush,
    channel_adapters,
    sms_gateway,
    web_push,
    zalo_zns,
)
from connector.notices.channels.webpush import generate_vapid_keys
from connector.remote import RetryableError, UnknownOutcome
from connector.sandbox import create_sandbox_app
from connector.sandbox.serving import SandboxRequestHandler
from connector.signing import verify
from tests.e2e import serve, wait_until


@pytest.fixture(scope="module")
def sandbox_url(app):
    """The sandbox on a real port, the app's notice channels pointed at it."""
    sandbox_app = create_sandbox_app({"zalo": {"non_users": ["0912000999"]}})
    url, stop = serve(sandbox_app, SandboxRequestHandler)  # it keeps Zalo's access_token header
    saved = app.config["NOTICES"]
    app.config["NOTICES"] = notice_settings({"SANDBOX_URL": url, "NOTICES_READ_TIMEOUT": "1"}, production=False)
    app.extensions.pop("connector.adapters", None)
    yield url
    app.config["NOTICES"] = saved
    app.extensions.pop("connector.adapters", None)
    sandbox_app.extensions["sandbox"].stop.set()
    stop()


@pytest.fixture
def sandbox(app, sandbox_url):
    """Each test in an app context, with every fault switched off at its end."""
    with app.app_context():
        yield sandbox_url
    requests.post(f"{sandbox_url}/_sandbox/config", timeout=5, json={"faults": {
        "sms_down": False, "sms_hang_seconds": 0, "sms_code_result": "", "zalo_down": False, "push_down": False}})


def fault(url: str, **faults) -> None:
    requests.post(f"{url}/_sandbox/config", json={"faults": faults}, timeout=5).raise_for_status()


def new_phone() -> str:
    return f"09{secrets.randbelow(10**8):08d}"


def sms_to(url: str, phone: str) -> list[dict]:
    return requests.get(f"{url}/_sandbox/sms/messages", params={"phone": phone}, timeout=5).json()


# -- SMS --------------------------------------------------------------------------------------------
def test_an_sms_is_sent_and_the_farmer_can_read_it(sandbox):
    phone = new_phone()
    delivery = sms_gateway().send(phone, "Ma dang nhap cua ban la 482913", request_id=secrets.token_hex(8))
    assert delivery.channel == "sms" and delivery.cost_vnd == 750 and delivery.provider_id.startswith("SMS")
    [message] = sms_to(sandbox, phone)
    assert message["content"] == "Ma dang nhap cua ban la 482913"
    assert message["brandname"] == "KETNOI" and message["sms_id"] == delivery.provider_id
    assert message["phone"] == "84" + phone[1:]  # sent in the 84... form


def test_the_same_request_id_twice_sends_one_sms(sandbox):
    phone, request_id = new_phone(), secrets.token_hex(8)
    first = sms_gateway().send(phone, "Don DH7K3M9Q da giao", request_id=request_id)
    again = sms_gateway().send(phone, "Don DH7K3M9Q da giao", request_id=request_id)
    assert first.provider_id == again.provider_id
    assert len(sms_to(sandbox, phone)) == 1


def test_text_that_is_not_one_plain_segment_is_refused_before_sending(sandbox):
    phone = new_phone()
    for text in ("Mã đăng nhập 482913", "a" * 161, "Ma 😀"):
        with pytest.raises(ValueError):
            sms_gateway().send(phone, text, request_id=secrets.token_hex(8))
    assert sms_to(sandbox, phone) == []


def test_a_gateway_that_is_down_is_retryable(sandbox):
    fault(sandbox, sms_down=True)
    phone = new_phone()
    with pytest.raises(RetryableError):
        sms_gateway().send(phone, "Xin chao", request_id=secrets.token_hex(8))
    assert sms_to(sandbox, phone) == []


def test_an_unknown_gateway_error_is_retryable_and_a_brandname_refusal_is_not(sandbox):
    fault(sandbox, sms_code_result="99")
    with pytest.raises(RetryableError):
        sms_gateway().send(new_phone(), "Xin chao", request_id=secrets.token_hex(8))
    fault(sandbox, sms_code_result="")
    unregistered = SmsGateway({**sms_gateway().settings, "brandname": "KHAC"})
    with pytest.raises(ProviderRefused) as refused:
        unregistered.send(new_phone(), "Xin chao", request_id=secrets.token_hex(8))
    assert refused.value.code == "104"


def test_a_gateway_that_hangs_is_an_unknown_outcome_and_sending_again_sends_once(sandbox):
    phone, request_id = new_phone(), secrets.token_hex(8)
    fault(sandbox, sms_hang_seconds=1.5)  # the adapter waits 1 s for an answer
    with pytest.raises(UnknownOutcome):
        sms_gateway().send(phone, "Ma 111222", request_id=request_id)
    fault(sandbox, sms_hang_seconds=0)
    sms_gateway().send(phone, "Ma 111222", request_id=request_id)
    assert len(wait_until(lambda: sms_to(sandbox, phone), timeout=5)) == 1


def test_the_delivery_report_comes_back_signed(sandbox, app):
    received = queue.Queue()
    receiver = Flask("receiver")

    @receiver.post("/reports/sms")
    def report():
        received.put((verify(app.config["NOTICES"]["sms"]["webhook_secret"], "POST", request.path, request.headers,
                             request.get_data()), request.get_json()))
        return "", 204

    url, stop = serve(receiver)
    try:
        request_id = secrets.token_hex(8)
        delivery = sms_gateway().send(new_phone(), "Xin chao", request_id=request_id,
                                      callback_url=f"{url}/reports/sms")
        signed, body = received.get(timeout=10)
    finally:
        stop()
    assert signed
    assert body == {"SMSID": delivery.provider_id, "RequestId": request_id, "SendStatus": 5}
    reports = requests.get(f"{sandbox}/_sandbox/sms/reports", timeout=5).json()
    assert any(r["SMSID"] == delivery.provider_id and r["delivered"] for r in reports)


# -- Zalo ZNS ---------------------------------------------------------------------------------------
def zalo_to(url: str, phone: str) -> list[dict]:
    return requests.get(f"{url}/_sandbox/zalo/messages", params={"phone": phone}, timeout=5).json()


def test_a_zalo_template_is_sent_with_its_parameters(sandbox):
    phone, tracking = new_phone(), secrets.token_hex(8)
    template = zalo_zns().settings["templates"]["payment_received"]
    params = {"order_code": "DH7K3M9Q", "amount": "150.000 đ"}
    delivery = zalo_zns().send(phone, template, params, tracking_id=tracking)
    again = zalo_zns().send(phone, template, params, tracking_id=tracking)
    assert delivery.channel == "zalo" and delivery.cost_vnd == 300 and again.provider_id == delivery.provider_id
    [message] = zalo_to(sandbox, phone)
    assert message["template_data"] == params and message["phone"] == "84" + phone[1:]
    assert message["msg_id"] == delivery.provider_id and message["tracking_id"] == tracking


def test_a_phone_without_zalo_is_not_reachable(sandbox):
    with pytest.raises(NotReachable):
        zalo_zns().send("+84 912 000 999", "demo-sign-in-code", {"code": "482913"}, tracking_id=secrets.token_hex(8))
    assert zalo_to(sandbox, "0912000999") == []


def test_a_template_missing_a_parameter_or_unknown_is_refused(sandbox):
    with pytest.raises(ProviderRefused) as refused:
        zalo_zns().send(new_phone(), "demo-new-order", {"order_code": "DH1"}, tracking_id=secrets.token_hex(8))
    assert refused.value.code == "-112"
    with pytest.raises(ProviderRefused) as refused:
        zalo_zns().send(new_phone(), "no-such-template", {"code": "1"}, tracking_id=secrets.token_hex(8))
    assert refused.value.code == "-109"


def test_zalo_down_is_retryable(sandbox):
    fault(sandbox, zalo_down=True)
    phone = new_phone()
    with pytest.raises(RetryableError):
        zalo_zns().send(phone, "demo-sign-in-code", {"code": "482913"}, tracking_id=secrets.token_hex(8))
    assert zalo_to(sandbox, phone) == []


# -- Web Push ---------------------------------------------------------------------------------------
def subscribe(url: str, application_server_key: str | None = None) -> dict:
    answer = requests.post(f"{url}/_sandbox/push/subscriptions", timeout=5,
                           json={"application_server_key": application_server_key})
    answer.raise_for_status()
    return answer.json()


def pushed(url: str, subscription: dict) -> list[dict]:
    return requests.get(f"{url}/_sandbox/push/messages", timeout=5,
                        params={"subscription": subscription["endpoint"].rsplit("/", 1)[1]}).json()


def test_a_push_arrives_encrypted_and_reads_back_as_sent(sandbox):
    subscription = subscribe(sandbox, web_push().public_key)
    payload = {"title": "Đơn hàng mới", "body": "Mật ong bạc hà × 2", "url": "/orders/12"}
    delivery = web_push().send(subscription, payload, topic="order-12", ttl=3600)
    assert delivery.channel == "push" and delivery.cost_vnd == 0 and delivery.provider_id
    [message] = pushed(sandbox, subscription)
    assert message["payload"] == payload and message["topic"] == "order-12" and message["ttl"] == 3600


def test_an_expired_subscription_is_gone(sandbox):
    subscription = subscribe(sandbox)
    requests.delete(f"{sandbox}/_sandbox/push/subscriptions/{subscription['endpoint'].rsplit('/', 1)[1]}",
                    timeout=5).raise_for_status()
    with pytest.raises(SubscriptionGone):
        web_push().send(subscription, {"title": "x"}, topic="t", ttl=60)
    unknown = {**subscription, "endpoint": f"{sandbox}/push/never-made"}
    with pytest.raises(SubscriptionGone):
        web_push().send(unknown, {"title": "x"}, topic="t", ttl=60)


def test_a_push_service_that_is_down_is_retryable(sandbox):
    subscription = subscribe(sandbox)
    fault(sandbox, push_down=True)
    with pytest.raises(RetryableError):
        web_push().send(subscription, {"title": "x"}, topic="t", ttl=60)
    assert pushed(sandbox, subscription) == []


def test_a_push_signed_with_another_key_than_the_page_subscribed_with_is_refused(sandbox, app):
    subscription = subscribe(sandbox, web_push().public_key)
    other = generate_vapid_keys()
    stranger = WebPush({**app.config["NOTICES"]["push"], "vapid_private_key": other["private_key"],
                        "vapid_public_key": other["public_key"]})
    with pytest.raises(ProviderRefused) as refused:
        stranger.send(subscription, {"title": "x"}, topic="t", ttl=60)
    assert refused.value.code == "403"
    assert pushed(sandbox, subscription) == []


def test_a_bad_topic_is_refused_before_sending(sandbox):
    subscription = subscribe(sandbox)
    with pytest.raises(ValueError):
        web_push().send(subscription, {"title": "x"}, topic="order 12 / Đơn", ttl=60)
    assert pushed(sandbox, subscription) == []


def test_one_adapter_per_channel_and_app(sandbox):
    adapters = channel_adapters()
    assert set(adapters) == {"sms", "zalo", "push"}
    assert adapters["sms"] is sms_gateway() and adapters["zalo"] is zalo_zns() and adapters["push"] is web_push()
    assert json.dumps(sorted(adapters))  # plain names, for the router's table
