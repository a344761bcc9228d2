"""Events whose webhooks were lost are read from the marketplace's event list since our cursor, with
remote calls refused inside a database transaction (the default): read the cursor, commit, call,
record."""

from __future__ import annotations

from sqlalchemy import func, select

from connector.catalogue.services import create_product
from connector.marketplaces.adapters import adapter_for
from connector.marketplaces.events import pull_events
from connector.marketplaces.models import EventCursor, Listing, MarketplaceEvent
from tests.e2e import wait_until
from tests.factories import make_household, photo_bytes, product_input


def test_a_review_result_whose_webhook_was_lost_is_pulled_and_applied_once(app, sandbox, db_session, agent):
    assert app.config["REMOTE_CALLS_REFUSE_OPEN_TRANSACTION"]
    product = create_product(agent, make_household(agent).id, product_input(status="active", stock=5),
                             [photo_bytes(300, 200)])
    listing = Listing(product_id=product.id, marketplace="postmart", state="pending_review", remote_version=0,
                      attempts=0, sync_pending=False)
    db_session.add(listing)
    sku = f"CN-{product.id}"
    db_session.commit()
    target = sandbox.state.webhooks.pop("postmart")  # the review result's webhook goes nowhere
    try:
        # Created without a photo, so the marketplace's review rejects it.
        adapter_for("postmart").create({"seller_sku": sku, "name": "Mật ong rừng", "description": "", "price": 90000,
                                        "stock": 5, "category_id": "14", "image_ids": []})
        wait_until(lambda: any(p["seller_sku"] == sku and p["status"] != "REVIEWING"
                               for p in sandbox.products("postmart")), timeout=10)
        assert pull_events("postmart") >= 1
        db_session.commit()
        db_session.refresh(listing)
        assert (listing.state, listing.reason) == ("rejected", "NO_IMAGE")  # what the agent sees
        cursor = db_session.get(EventCursor, "postmart").cursor
        assert cursor > 0
        stored = db_session.scalar(select(func.count()).select_from(MarketplaceEvent))
        assert pull_events("postmart") == 0  # from the cursor on: nothing new, nothing stored twice
        db_session.commit()
        assert db_session.scalar(select(func.count()).select_from(MarketplaceEvent)) == stored
    finally:
        sandbox.state.webhooks["postmart"] = target
