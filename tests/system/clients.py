"""How the drills act on the running system: as an agent's app over the API, a farmer's phone over
the sign-in form, and a marketplace buyer at the sandbox. Plain HTTP, as outsiders."""

from __future__ import annotations

import itertools
import re

import requests

from connector.seed import DEMO_USERS
from tests.factories import household_input, photo_bytes, product_input
from tests.system.stack import Stack

_phones = itertools.count(1)


def new_phone() -> str:
    return f"0977 400 {next(_phones):03d}"  # a fresh database per stack: unique within the run is enough


class AgentApi:
    """The demo agent of Hải Lăng with a bearer token."""

    def __init__(self, stack: Stack):
        username, password, *_ = next(user for user in DEMO_USERS if user[2] == "agent")
        self.url = f"{stack.url}/api/v1"
        answer = requests.post(f"{self.url}/auth/token", json={"username": username, "password": password}, timeout=10)
        answer.raise_for_status()
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}{path}", headers=self.headers, timeout=15, **kwargs)

    def product_ready_to_sell(self, name: str, stock: int = 30) -> tuple[int, str]:
        """A household (with consent) and an active product with a photo: (product id, its phone)."""
        phone = new_phone()
        household = self.call("POST", "/households", json={**household_input(phone=phone, head_name="Hộ Diễn Tập"),
                                                      "confirm_duplicates": True})  # same-sounding names
        assert household.status_code == 201, household.text
        product = self.call("POST", f"/households/{household.json()['id']}/products",
                            json=product_input(name=name, stock=stock, price_vnd=90000))
        assert product.status_code == 201, product.text
        product_id = product.json()["id"]
        photo = self.call("POST", f"/products/{product_id}/photos",
                          files={"photo": ("anh.jpg", photo_bytes(800, 600, with_gps=False), "image/jpeg")})
        assert photo.status_code == 201, photo.text
        active = self.call("PATCH", f"/products/{product_id}", json={"status": "active"})
        assert active.status_code == 200, active.text
        return product_id, phone

    def publish(self, product_id: int) -> requests.Response:
        return self.call("POST", f"/products/{product_id}/publish")


def ask_for_a_sign_in_code(stack: Stack, phone: str) -> requests.Response:
    """A farmer types their phone on the sign-in page (CSRF token and cookie as a browser has them)."""
    browser = requests.Session()
    form = browser.get(f"{stack.url}/farmer/sign-in", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return browser.post(f"{stack.url}/farmer/sign-in", data={"csrf_token": token, "phone": phone}, timeout=10,
                        allow_redirects=False)


def sms_to(stack: Stack, phone: str) -> list[dict]:
    digits = re.sub(r"\D", "", phone)[1:]
    return [m for m in stack.sandbox_get("/_sandbox/sms/messages") if m["phone"].endswith(digits)]


def on_sale(stack: Stack, marketplace: str, sku: str) -> list[dict]:
    return [p for p in stack.sandbox_get(f"/_sandbox/products/{marketplace}") if p["seller_sku"] == sku]


def live_everywhere_once(stack: Stack, product_id: int) -> bool:
    """Each marketplace holds exactly one product for the SKU, live; the connector agrees."""
    sku = f"CN-{product_id}"
    remote = [on_sale(stack, marketplace, sku) for marketplace in ("postmart", "voso")]
    if not all(len(found) == 1 and found[0]["status"] == "LIVE" for found in remote):
        return False
    return stack.scalar("SELECT count(*) FROM listings WHERE product_id = :id AND state = 'live'", id=product_id) == 2


def buy(stack: Stack, marketplace: str, product_id: int, quantity: int = 1) -> dict:
    return stack.sandbox_post(f"/_sandbox/{marketplace}/orders", {
        "seller_sku": f"CN-{product_id}", "quantity": quantity, "payment": "cod",
        "buyer": {"name": "Khách Diễn Tập", "phone": "0987000222", "address": "Hà Nội"}})
