"""In Chromium, the product's marketplace panel changes on screen when the marketplace's review
ends, without the agent reloading (issue 11, finding 7)."""

import pytest
from sqlalchemy import delete, select

from connector.auth.models import User
from connector.catalogue.services import create_product
from connector.extensions import db
from connector.households.services import create_household
from connector.marketplaces.models import Listing
from tests.browser.test_onboarding_browser import AGENT, sign_in
from tests.factories import household_input, photo_bytes, product_input
from tests.helpers import wait_for_js

pytestmark = pytest.mark.browser


def test_the_panel_shows_the_review_result_without_a_reload(app, live_server, phone):
    with app.app_context():
        agent = db.session.scalar(select(User).where(User.username == AGENT[0]))
        household, _ = create_household(agent, household_input(phone="0935 111 222"), confirm_duplicates=True)
        product = create_product(agent, household.id, product_input(status="active"),
                                 [photo_bytes(300, 200, with_gps=False)])
        listing = Listing(product_id=product.id, marketplace="postmart", state="pending_review", wanted=True,
                          remote_id="P-LIVE-1", remote_version=1, attempts=0, sync_pending=False)
        db.session.add(listing)
        db.session.commit()
        product_id, listing_id = product.id, listing.id
        db.session.remove()
    try:
        sign_in(phone, live_server)
        phone.goto(f"{live_server}/products/{product_id}/edit")
        badge = phone.locator('#listings-panel [data-marketplace="postmart"]')
        assert badge.inner_text() == "Đang chờ duyệt"
        phone.evaluate("window.notReloaded = true")
        with app.app_context():
            db.session.get(Listing, listing_id).state = "live"
            db.session.commit()
            db.session.remove()
        wait_for_js(phone, "() => document.querySelector('#listings-panel [data-marketplace=postmart]')"
                           ".textContent === 'Đang bán'")
        assert phone.evaluate("window.notReloaded === true")  # the same page, updated in place
        assert phone.locator("#listings-panel").get_attribute("data-live-final") == "true"
    finally:
        with app.app_context():
            db.session.execute(delete(Listing).where(Listing.id == listing_id))
            db.session.commit()
            db.session.remove()
