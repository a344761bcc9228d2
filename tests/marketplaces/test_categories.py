"""Where our categories go: the sandbox's ids only outside production; an unmapped category fails the
listing with its reason instead of sending no category."""

from __future__ import annotations

import pytest
from flask import session
from flask_babel import refresh

from connector.catalogue.services import create_product
from connector.config import SANDBOX_CATEGORIES
from connector.marketplaces import services
from connector.marketplaces.categories import current_mapping, remote_category
from connector.marketplaces.models import CategoryMapping, Listing
from connector.marketplaces.states import ListingState
from connector.marketplaces.views import reason_text
from tests.factories import make_household, photo_bytes, product_input


@pytest.fixture
def production_categories(app, monkeypatch):
    """As in production: no default category on any marketplace, only admins' mappings."""
    monkeypatch.setitem(app.config, "MARKETPLACE_CATEGORY_DEFAULTS", {})


def make_listing(agent, marketplace: str = "voso", category: str = "honey") -> Listing:
    household = make_household(agent)
    product = create_product(agent, household.id, product_input(status="active", category=category),
                             [photo_bytes(300, 200)])
    listing = Listing(product_id=product.id, marketplace=marketplace, state=ListingState.QUEUED,
                      remote_version=0, attempts=0, sync_pending=True)
    services.db.session.add(listing)
    services.db.session.flush()
    return listing


def test_development_maps_every_category_to_the_sandbox(app, db_session):
    assert remote_category("postmart", "rice_grain", None) == SANDBOX_CATEGORIES["postmart"]["rice_grain"]
    assert remote_category("postmart", "rice_grain", "13") == "13"
    assert current_mapping("voso")["honey"] == SANDBOX_CATEGORIES["voso"]["honey"]


def test_production_shows_unmapped_categories_as_empty(app, db_session, production_categories):
    db_session.add(CategoryMapping(marketplace="voso", category="honey", remote_category_id="7001"))
    db_session.flush()
    assert remote_category("voso", "fruit", None) is None
    mapping = current_mapping("voso")
    assert mapping["honey"] == "7001"
    assert mapping["fruit"] == ""


def test_a_listing_of_an_unmapped_category_fails_with_the_reason_and_sends_nothing(
        app, db_session, agent, production_categories):
    listing = make_listing(agent, "voso", "honey")
    plan = services.plan_sync(listing.id)
    assert plan.on_sale and plan.category_id is None
    # The adapter points at the sandbox's default address, where nothing listens in this test: a
    # remote call would end as a retryable connection error, not as this rejection.
    outcome = services.perform_sync(plan)
    assert outcome.remote is None and isinstance(outcome.error, services.Refused)
    listing = services.record_sync(plan, outcome)
    assert listing.state == ListingState.FAILED and listing.remote_id is None
    with app.test_request_context("/"):
        session["lang"] = "en"
        refresh()
        shown = reason_text(listing.reason)
    assert "category" in shown.lower() and "did not answer" not in shown


def test_a_listing_of_a_mapped_category_sends_the_admins_category(app, db_session, agent, production_categories):
    db_session.add(CategoryMapping(marketplace="voso", category="honey", remote_category_id="504"))
    listing = make_listing(agent, "voso", "honey")
    assert services.plan_sync(listing.id).category_id == "504"
