import itertools
import json
import time

import pytest

from connector.orders.models import Order
from connector.signing import sign
from tests.factories import make_household

_numbers = itertools.count(1)


@pytest.fixture
def make_order(db_session, agent):
    """An order of 150.000 đ from a household of the agent's area (payout: Agribank 3906205123456)."""

    def make(total: int = 150000, **household_overrides) -> Order:
        household = make_household(agent, **household_overrides)
        order = Order(marketplace="postmart", remote_order_id=f"PM-{next(_numbers)}", status="CREATED",
                      total_vnd=total, household_id=household.id, province_code=household.province_code,
                      buyer_name="Trần Thị Mua", buyer_phone="0987000111", buyer_address="Hà Nội")
        db_session.add(order)
        db_session.flush()
        return order

    return make


def signed_notice(app, body: dict, secret: str | None = None, path: str = "/api/v1/webhooks/payments",
                  timestamp: int | None = None) -> tuple[bytes, dict]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    stamp = str(timestamp or int(time.time()))
    return raw, {"Content-Type": "application/json", "X-Timestamp": stamp,
                 "X-Signature": sign(secret or app.config["PAYMENTS_WEBHOOK_SECRET"], "POST", path, stamp, raw)}
