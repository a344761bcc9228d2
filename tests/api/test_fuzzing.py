"""The JSON API fuzzed from its own OpenAPI document (schemathesis), in-process against the suite's app,
database and Redis, inside the test's rolled-back transaction (issue 15).

Every operation, with generated valid and invalid input, for every role and without a token:
- never a 5xx;
- every answer as documented: its status, its content type, its body's schema;
- no token: 401 (or refused as malformed, 400, before anything is read); a role not in the operation's
  x-roles: 403, whatever the input;
- the same input against a real household, product and order of the caller's province, so that
  operations on one object are fuzzed past "not found".
Then the stateful run: households created, read, changed, given products, photos and listings by
following the document's links. The signed webhooks get unsigned fuzzed input: 4xx, never 5xx.

Examples are few and derandomised (the same cases on every run, in CI too): the module stays within
about two minutes per database.
"""

from __future__ import annotations

import collections
import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from schemathesis.transport.prepare import get_exclude_headers
from werkzeug.exceptions import HTTPException

from connector import create_app
from tests.factories import (
    bearer,
    household_input,
    make_household,
    make_order,
    make_product,
    make_token,
    make_user,
    product_input,
)

ROLES = ("agent", "officer", "admin", "national")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Answers uncompressed: the checks read the bytes as the app wrote them.
PLAIN = {"Accept-Encoding": "identity"}
FUZZ_SETTINGS = settings(max_examples=8, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
STATEFUL_SETTINGS = settings(max_examples=30, stateful_step_count=10, derandomize=True, deadline=None,
                             database=None, suppress_health_check=list(HealthCheck))

# The document is made from the code alone (no database is read), so an app built here gives it; the
# requests go to the suite's app (`app` fixture), passed to every call.
DOCUMENT_APP = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DOCUMENT_APP)


class World:
    """Staff of each role in Quảng Trị (province 44) with their tokens, and a real household, product
    and order there."""

    def __init__(self):
        users = {role: make_user(role) for role in ROLES}
        self.tokens = {role: make_token(user) for role, user in users.items()}
        self.household = make_household(users["agent"])
        self.product = make_product(self.household, users["agent"])
        self.order = make_order(self.household, product=self.product)
        self.ids = {"household_id": self.household.id, "product_id": self.product.id, "order_id": self.order.id}


@pytest.fixture
def world(db_session):
    return World()


def send(app, case, token: str | None = None, **kwargs):
    """One request as a client would send it, in a context of its own (as the `client` fixture does:
    nothing in `g` is shared between requests, the signed-in user least of all)."""
    headers = {**PLAIN, **(bearer(token) if token else {})}
    return contextvars.Context().run(case.call, headers=headers, app=app, **kwargs)


def refused_as_malformed(response) -> bool:
    """Refused before anything was read: control characters (connector/guards.py), 400."""
    return response.status_code == 400 and "input" in (response.json().get("errors") or {})


def unrouted(app, case) -> int | None:
    """404 or 405 when the request's method and path reach no view (a negative case's path or
    method): the router refuses it before any token is read. OPTIONS is Flask's own answer (200, the
    methods allowed, no body)."""
    path = case.formatted_path
    if case.method.upper() == "OPTIONS":
        return 200
    try:
        app.url_map.bind("localhost").match(path, case.method.upper())
    except HTTPException as refusal:
        return refusal.code
    return None


def roles_allowed(case) -> list[str] | None:
    """The operation's x-roles, or None for an operation without a token (sign-in, webhooks)."""
    definition = case.operation.definition.raw
    if not definition.get("security"):
        return None
    return definition["x-roles"]


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_as_documented_and_only_for_its_roles(case, app, world):
    allowed = roles_allowed(case)
    problems = []

    def check(label, response, expected=None):
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as failure:
            problems.append(f"{label}: {failure}")
        if expected and response.status_code not in expected and not refused_as_malformed(response):
            problems.append(f"{label}: {response.status_code} instead of {expected}: {response.text[:300]}")

    refused = unrouted(app, case)
    if allowed is None or refused:
        # the webhooks' unsigned input is refused (4xx): no signature was generated
        unsigned = range(400, 500) if case.operation.path.startswith("/api/v1/webhooks/") else None
        check("no token", send(app, case), expected=(refused,) if refused else unsigned)
    elif "Authorization" in get_exclude_headers(case):
        # schemathesis's own negative case: the header left out, whatever the caller gives
        check("header left out", send(app, case, world.tokens["admin"]), expected=(401,))
    else:
        check("no token", send(app, case), expected=(401,))
        for role in ROLES:
            check(role, send(app, case, world.tokens[role]), expected=None if role in allowed else (403,))
        seeded = {name: world.ids[name] for name in case.path_parameters or {} if name in world.ids}
        if seeded:
            case.path_parameters = {**case.path_parameters, **seeded}
            for role in ROLES:
                check(f"{role} on {seeded}", send(app, case, world.tokens[role]),
                      expected=None if role in allowed else (403,))
    assert not problems, "\n\n".join(problems)


# Generated households and products are nearly never valid (a real commune code, a Vietnamese phone, a
# bank's BIN...), and only a created one opens the links: the stateful run creates valid ones and fuzzes
# their free text, then fuzzes every linked operation on them.
VALID_BODIES = {
    ("POST", "/api/v1/households"): lambda: household_input(confirm_duplicates=True),
    ("POST", "/api/v1/households/{household_id}/products"): product_input,
}
FREE_TEXT = ("village", "address_line", "main_products", "description")


@pytest.fixture
def agent_machine(app, world):
    """The state machine of the document's links, calling as the province's agent."""
    base = schema.include(path_regex="^/api/v1/(households|products)").as_state_machine()

    class AgentMachine(base):
        answered = collections.Counter()

        def get_call_kwargs(self, case):
            return {"headers": {**PLAIN, **bearer(world.tokens["agent"])}, "app": app}

        def before_call(self, case):
            make_valid = VALID_BODIES.get((case.method, case.operation.path))
            if make_valid and isinstance(case.body, dict):
                case.body = {**make_valid(), **{key: value for key, value in case.body.items() if key in FREE_TEXT}}

        def call(self, case, **kwargs):
            response = contextvars.Context().run(case.call, **kwargs)
            AgentMachine.answered[case.method, case.operation.path, response.status_code] += 1
            return response

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=[*CHECKS, use_after_free, ensure_resource_availability],
                                   transport_kwargs=kwargs, recorder=getattr(self, "recorder", None))

    return AgentMachine


def test_stateful_agent_follows_the_links(agent_machine):
    agent_machine.run(settings=STATEFUL_SETTINGS)
    answered = agent_machine.answered
    # the links were followed: households and products created, then read through their links
    assert answered["POST", "/api/v1/households", 201] and answered["GET", "/api/v1/households/{household_id}", 200]
    assert answered["POST", "/api/v1/households/{household_id}/products", 201]
