"""The listing's states (connector/marketplaces/states.py): every state is one a listing really
takes, and a move the table does not have is refused loudly."""

import pytest

from connector.catalogue.services import create_product
from connector.marketplaces.services import plan_sync
from connector.marketplaces.states import IllegalMove, ListingState, move
from tests.factories import make_household, make_listing, make_product, make_user, photo_bytes, product_input


def test_a_listing_being_created_shows_as_being_sent(db_session):
    """The create call is made after the plan's transaction commits: meanwhile the agent sees
    "Đang gửi", and a worker killed mid-call leaves a listing the recovery knows to look up."""
    household = make_household()
    product = create_product(make_user("agent", province_code=household.province_code), household.id,
                             product_input(status="active"), [photo_bytes(400, 300, with_gps=False)])
    listing = make_listing(product, "postmart", state="queued", sync_pending=True)
    plan = plan_sync(listing.id)
    assert plan is not None and plan.remote_id is None
    assert listing.state == ListingState.SUBMITTING and listing.create_attempted


def test_a_move_the_table_does_not_have_is_refused(db_session):
    listing = make_listing(make_product(make_household()), "voso", state="live")
    with pytest.raises(IllegalMove):
        move(listing, ListingState.QUEUED)  # a live listing is synced, never queued for a create
    assert listing.state == ListingState.LIVE
