"""Pages that say "the status updates by itself" do (issue 11, finding 7): the product's marketplace
panel and the order's facts are parts of the page that refresh themselves from a small fragment
until their state is final; without JavaScript a link reloads the page."""

import re

import pytest

from connector.catalogue.services import create_product
from connector.marketplaces.states import ListingState
from connector.orders.services import advance
from tests.factories import PASSWORD, make_household, make_listing, make_order, make_user, photo_bytes, product_input
from tests.helpers import login


def live_part(html: str) -> tuple[str, str]:
    found = re.search(r'data-live-url="([^"]+)" data-live-final="(true|false)"', html)
    assert found, "no self-updating part on the page"
    return found.group(1), found.group(2)


def test_the_marketplace_panel_refreshes_itself_until_every_listing_is_settled(client, agent, db_session):
    household = make_household(agent)
    product = create_product(agent, household.id, product_input(status="active"), [photo_bytes(300, 200)])
    listing = make_listing(product, "postmart", state="pending_review")
    login(client, agent.username, PASSWORD)
    page = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    url, final = live_part(page)
    assert final == "false" and "Đang chờ duyệt" in page
    assert "Cập nhật trạng thái" in page  # <noscript>: the reload link
    listing.state = ListingState.LIVE
    db_session.flush()
    fragment = client.get(url)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert "Đang bán" in html and live_part(html)[1] == "true"
    # Its buttons bring the agent back to the product page, not to the fragment.
    assert f'name="next" value="/products/{product.id}/edit"' in html


def test_the_order_facts_refresh_themselves_until_delivered(client, agent, db_session):
    order = make_order(make_household(agent))
    login(client, agent.username, PASSWORD)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    url, final = live_part(page)
    assert final == "false"
    for said in ("PACKED", "SHIPPING", "DELIVERED"):
        advance(order, "marketplace", said)
    db_session.flush()
    html = client.get(url).get_data(as_text=True)
    assert "Đã giao" in html and live_part(html)[1] == "true"


@pytest.mark.parametrize("path", ["/products/{product}/listings-panel", "/orders/{order}/facts"])
def test_fragments_check_who_asks(client, db_session, path):
    household = make_household(make_user("agent"))
    product = create_product(make_user("agent"), household.id, product_input())
    order = make_order(household)
    url = path.format(product=product.id, order=order.id)
    assert client.get(url).status_code in (302, 401)  # not signed in
    login(client, make_user("agent", province_code="01").username, PASSWORD)
    assert client.get(url).status_code == 404  # another province's
