"""The channels a farmer notice can take: brandname SMS, Zalo ZNS, Web Push. Each is a small adapter
over HTTP with a sandbox speaking its protocol (connector/sandbox/sms.py, zalo.py, push.py); settings
from current_app.config["NOTICES"], one adapter per app (a requests.Session each)."""

from __future__ import annotations

from flask import current_app

from connector.notices.channels.base import Delivery, NotReachable, ProviderRefused, SubscriptionGone
from connector.notices.channels.sms import SmsGateway
from connector.notices.channels.webpush import WebPush
from connector.notices.channels.zalo import ZaloZns

__all__ = ["Delivery", "NotReachable", "ProviderRefused", "SubscriptionGone", "SmsGateway", "ZaloZns", "WebPush",
           "sms_gateway", "zalo_zns", "web_push", "channel_adapters"]
FACTORIES = {"sms": SmsGateway, "zalo": ZaloZns, "push": WebPush}


def _adapter(channel: str):
    cache = current_app.extensions.setdefault("connector.adapters", {})
    key = f"notices.{channel}"
    if key not in cache:
        cache[key] = FACTORIES[channel](current_app.config["NOTICES"][channel])
    return cache[key]


def sms_gateway() -> SmsGateway:
    return _adapter("sms")


def zalo_zns() -> ZaloZns:
    return _adapter("zalo")


def web_push() -> WebPush:
    return _adapter("push")


def channel_adapters() -> dict:
    """{"sms": SmsGateway, "zalo": ZaloZns, "push": WebPush} for this app."""
    return {channel: _adapter(channel) for channel in FACTORIES}
