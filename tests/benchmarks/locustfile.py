"""Locust users for the load benchmark (tests/benchmarks/load.py starts Locust with this file).

Agents, farmers and officers as a province's staff and households use the connector, plus the
marketplace sending signed order webhooks; and `ClosedLoop`, one request over and over at a fixed
concurrency, for the ratios to a bare Flask endpoint. LOAD_FIXTURE names a JSON file written by
load.py: the accounts, farmers' sign-in links, household ids, products with a listing, secrets.

Every user comes from an address of its own (X-Forwarded-For) over HTTPS (X-Forwarded-Proto), as
the TLS-terminating proxy in front of the production app says: the app trusts one proxy
(PROXY_FIX_X_FOR=1), so its per-address limits and Secure cookies work as they do in production.
The proxy carries the browser's cookies over plain HTTP, so the cookies are sent here by hand
(requests keeps Secure cookies but sends them only over https).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, between, constant, constant_pacing, events, task

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text(encoding="utf-8")) if os.environ.get(
    "LOAD_FIXTURE") else {}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_addresses = itertools.count(1)
_agents = itertools.count()
_officers = itertools.count()
_farmers = itertools.count()
_webhooks = itertools.count()
sent_orders: list[str] = []  # order ids answered 2xx, written to LOAD_SENT at the end


class Browser(FastHttpUser):
    """A staff member's or farmer's browser behind the proxy. FastHttpUser (geventhttpclient) rather
    than HttpUser (requests): the 200 users run on the server's own two cores, and requests cost
    Locust several times the CPU per request, taken from the server being measured."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        n = next(_addresses)
        self.proxy = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                      "X-Forwarded-Proto": "https", "Accept-Language": "vi"}

    def headers(self, **extra) -> dict:
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)
        return {**self.proxy, **({"Cookie": cookies} if cookies else {}), **extra}

    def get(self, path: str, name: str | None = None, **extra):
        return self.client.get(path, name=name or path, headers=self.headers(**extra), allow_redirects=False)

    def post_form(self, path: str, form: dict, name: str):
        """A form post, with the page's CSRF token and the Referer a browser sends over HTTPS."""
        page = self.get(path, name=name.replace("POST", "GET", 1))
        token = CSRF.search(page.text)
        referer = f"https://{self.host.split('://', 1)[1]}{path}"
        return self.client.post(path, name=name, data={**form, "csrf_token": token.group(1) if token else ""},
                                headers=self.headers(Referer=referer), allow_redirects=False)


class Agent(Browser):
    """A commune post office agent: the household list, a household, a search, the households API."""

    weight = 8

    def on_start(self):
        super().on_start()
        login = FIXTURE["agents"][next(_agents) % len(FIXTURE["agents"])]
        signed_in = self.post_form("/login", login, name="POST /login")
        if signed_in.status_code != 302:
            raise RuntimeError(f"agent sign-in answered {signed_in.status_code}")
        answer = self.client.post("/api/v1/auth/token", json=login, headers=self.proxy, name="POST /api/v1/auth/token")
        self.bearer = {**self.proxy, "Authorization": f"Bearer {answer.json()['token']}"}

    @task(4)
    def household_list(self):
        page = random.choice((1, 1, 1, 2, 3, random.randint(1, FIXTURE["pages"])))
        self.get(f"/households?page={page}", name="GET /households")

    @task(3)
    def household(self):
        self.get(f"/households/{random.choice(FIXTURE['households'])}", name="GET /households/<id>")

    @task(2)
    def search(self):
        self.get(f"/households?q={random.choice(FIXTURE['searches'])}", name="GET /households?q=")

    @task(3)
    def households_api(self):
        page = random.choice((1, 1, 2, random.randint(1, FIXTURE["pages"])))
        self.client.get(f"/api/v1/households?page={page}", headers=self.bearer, name="GET /api/v1/households")


class Farmer(Browser):
    """A farmer on a phone, signed in by the QR of the handover sheet: Today, orders, money."""

    weight = 10

    def on_start(self):
        super().on_start()
        link = FIXTURE["links"][next(_farmers) % len(FIXTURE["links"])]
        signed_in = self.post_form(f"/farmer/qr/{link}", {}, name="POST /farmer/qr/<token>")
        if signed_in.status_code != 302:
            raise RuntimeError(f"farmer sign-in answered {signed_in.status_code}")

    @task(4)
    def today(self):
        self.get("/farmer/", name="GET /farmer/")

    @task(2)
    def orders(self):
        self.get("/farmer/orders", name="GET /farmer/orders")

    @task(1)
    def money(self):
        self.get("/farmer/money", name="GET /farmer/money")


class Officer(Browser):
    """A provincial officer following the dashboard."""

    weight = 2

    def on_start(self):
        super().on_start()
        login = FIXTURE["officers"][next(_officers) % len(FIXTURE["officers"])]
        if self.post_form("/login", login, name="POST /login").status_code != 302:
            raise RuntimeError("officer sign-in failed")

    @task
    def dashboard(self):
        self.get("/reports", name="GET /reports")


def sign(secret: str, path: str, body: bytes) -> dict:
    """The marketplaces' webhook signature (connector/signing.py; the sandbox signs the same way)."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"POST\n{path}\n{timestamp}\n".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Timestamp": timestamp, "X-Signature": digest}


class Marketplace(FastHttpUser):
    """PostMart delivering order.created webhooks for listed products: LOAD_WEBHOOKS in the run at an
    even pace whatever the answers' speed (each delivery in a greenlet of its own, as a marketplace's
    many delivery workers: an open loop), every 20th one delivered a second time (marketplaces retry;
    it must count once)."""

    fixed_count = 1
    concurrency = 400  # connections the deliveries may hold at once
    wait_time = constant_pacing(float(os.environ.get("LOAD_WEBHOOK_PACING", "0.05")))
    path = "/api/v1/webhooks/postmart"

    def _post(self, body: bytes, name: str) -> bool:
        with self.client.post(self.path, data=body, headers={**sign(FIXTURE["webhook_secret"], self.path, body),
                                                              "X-Forwarded-Proto": "https"},
                              name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return False
            return True

    @task
    def order_created(self):
        if not measuring:  # the measured minute starts once all users are in and settled
            return
        n = next(_webhooks)
        if n < int(os.environ.get("LOAD_WEBHOOKS", "1000")):
            gevent.spawn(self._deliver, n)

    def _deliver(self, n: int) -> None:
        product = FIXTURE["products"][n % len(FIXTURE["products"])]
        order_id = f"{FIXTURE['run']}-{n:05d}"
        quantity = 1 + n % 3
        body = json.dumps({"event_id": f"ev-{order_id}", "type": "order.created", "sequence": n + 1, "data": {
            "order_id": order_id, "status": "CREATED", "payment_method": "COD", "created_at": time.time(),
            "items": [{"seller_sku": f"CN-{product['id']}", "quantity": quantity, "unit_price": product["price"]}],
            "total": product["price"] * quantity,
            "buyer": {"name": "Người Mua Thử", "phone": "0987654321", "address": "1 Tràng Tiền, Hà Nội"}}},
            ensure_ascii=False).encode()
        if self._post(body, "POST /api/v1/webhooks/postmart"):
            sent_orders.append(order_id)
            if n % 20 == 19:
                self._post(body, "POST /api/v1/webhooks/postmart (repeat)")


@events.spawning_complete.add_listener
def _settle_then_measure(user_count, **_kwargs):
    """Once every user is in, LOAD_SETTLE_SECONDS for the sign-ins' backlog to clear, then the measured
    part starts: the figures so far (arrival and settling) go to LOAD_RAMP, the stats start again, and
    the marketplace starts sending."""
    if os.environ.get("LOAD_RAMP") and _runner is not None:
        gevent.spawn_later(float(os.environ.get("LOAD_SETTLE_SECONDS", "0")), _start_measuring)


def _start_measuring():
    global measuring  # noqa: PLW0603 - read by the marketplace's deliveries
    rows = [{"Name": entry.name, "Request Count": entry.num_requests, "Failure Count": entry.num_failures,
             "Requests/s": entry.total_rps, "50%": entry.get_response_time_percentile(0.5),
             "95%": entry.get_response_time_percentile(0.95), "99%": entry.get_response_time_percentile(0.99)}
            for entry in _runner.stats.entries.values()]
    Path(os.environ["LOAD_RAMP"]).write_text(json.dumps(rows), encoding="utf-8")
    _runner.stats.reset_all()
    measuring = True


measuring = False
_runner = None


@events.init.add_listener
def _keep_runner(environment, **_kwargs):
    global _runner  # noqa: PLW0603 - the one runner of this Locust process
    _runner = environment.runner


@events.quitting.add_listener
def _write_sent(environment, **_kwargs):
    if os.environ.get("LOAD_SENT"):
        with open(os.environ["LOAD_SENT"], "w", encoding="utf-8") as out:
            json.dump(sent_orders, out)


class ClosedLoop(FastHttpUser):
    """One request (LOAD_PATH, with LOAD_HEADERS) again as soon as answered: with a fixed number of
    these, throughput measures the server's cost per request."""

    wait_time = constant(0)

    def on_start(self):
        self.target = os.environ["LOAD_PATH"]
        self.extra = json.loads(os.environ.get("LOAD_HEADERS", "{}"))

    @task
    def again(self):
        with self.client.get(self.target, headers=self.extra, name=self.target, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")


_timeline: list = []  # (start, name, ms) of each request of the measured part, when LOAD_TIMELINE names a file


@events.request.add_listener
def _note_request(request_type, name, response_time, start_time=None, **_kwargs):
    if os.environ.get("LOAD_TIMELINE") and measuring:
        _timeline.append((start_time or time.time(), name, response_time))


@events.quitting.add_listener
def _write_timeline(environment, **_kwargs):
    if os.environ.get("LOAD_TIMELINE"):
        Path(os.environ["LOAD_TIMELINE"]).write_text(json.dumps(_timeline), encoding="utf-8")
