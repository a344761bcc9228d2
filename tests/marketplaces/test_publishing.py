"""Publishing against the sandbox over real HTTP, with real worker processes."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from sqlalchemy import select

from connector.catalogue.services import create_product, update_product
from connector.extensions import db
from connector.households.services import create_household
from connector.marketplaces.models import Listing
from connector.marketplaces.services import publish_product
from connector.orders.models import Order
from tests.e2e import wait_until
from tests.factories import household_input, make_user, photo_bytes, product_input

pytestmark = pytest.mark.usefixtures("committed")
_numbers = itertools.count(1)
PHOTO = photo_bytes(400, 300, with_gps=False)


def make_products(app, count: int, province_code: str = "01", commune_code: str = "00004",
                  **overrides) -> list[int]:
    """`count` products on sale, each of its own household (in Hà Nội by default), committed."""
    with app.app_context():
        agent = make_user("agent", province_code=province_code, username=f"e2e-agent-{next(_numbers)}")
        ids = []
        for _ in range(count):
            number = next(_numbers)
            household, _ = create_household(agent, household_input(
                head_name=f"Hộ Thử {'ABCDEFGHIJ'[number % 10]}{'ABCDEFGHIJ'[number // 10 % 10]}",
                phone=f"0966 {number:06d}", commune_code=commune_code, payout_bin="", payout_account="",
                payout_holder=""), confirm_duplicates=True)
            product = create_product(agent, household.id, product_input(status="active", **overrides), [PHOTO])
            ids.append(product.id)
        agent_id = agent.id
        db.session.commit()
        db.session.remove()
        return ids, agent_id


def publish(app, product_ids: list[int], agent_id: int) -> None:
    from connector.auth.models import User
    from connector.catalogue.models import Product

    with app.app_context():
        agent = db.session.get(User, agent_id)
        for product_id in product_ids:
            publish_product(agent, db.session.get(Product, product_id))
        db.session.commit()
        db.session.remove()


def listing_states(app, product_ids) -> dict:
    with app.app_context():
        rows = db.session.execute(select(Listing.product_id, Listing.marketplace, Listing.state, Listing.remote_id)
                                  .where(Listing.product_id.in_(product_ids))).all()
        db.session.remove()
    return {(row.product_id, row.marketplace): (row.state, row.remote_id) for row in rows}


def listing_report(app, product_ids) -> str:
    """Which listings are not live, with what they last said (for a failure message)."""
    with app.app_context():
        rows = db.session.execute(select(Listing.product_id, Listing.marketplace, Listing.state, Listing.reason,
                                         Listing.attempts, Listing.sync_pending, Listing.next_attempt_at)
                                  .where(Listing.product_id.in_(product_ids), Listing.state != "live")).all()
        jobs = _waiting_sync_jobs()
        db.session.remove()
    return "; ".join(f"{r.product_id}/{r.marketplace} {r.state} attempts={r.attempts} pending={r.sync_pending} "
                     f"next={r.next_attempt_at} reason={r.reason}" for r in rows) + f" | jobs not done: {jobs}" \
        if rows else "all live"


def _waiting_sync_jobs() -> str:
    """Outbox rows not done yet, with what RQ says of their jobs (where a lost job would show)."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from connector.jobs.outbox import OutboxJob
    from connector.redis_client import get_redis

    rows = db.session.scalars(select(OutboxJob).where(OutboxJob.completed_at.is_(None))).all()
    jobs = Job.fetch_many([row.rq_job_id for row in rows], connection=get_redis(), serializer=JSONSerializer)
    return ", ".join(f"{row.function.rsplit('.', 1)[-1]}{row.args} not_before={row.not_before} "
                     f"redrives={row.redrives} failed_at={row.failed_at} rq={job.get_status() if job else None}"
                     for row, job in zip(rows, jobs, strict=True)) or "none"


def all_live(app, product_ids):
    states = listing_states(app, product_ids)
    return len(states) == 2 * len(product_ids) and all(state == "live" for state, _ in states.values())


def live_product(app, workers) -> tuple[list[int], int]:
    """One product, published and live on both marketplaces."""
    workers.ensure(1)
    ids, agent_id = make_products(app, 1)
    publish(app, ids, agent_id)
    wait_until(lambda: all_live(app, ids), timeout=30)
    return ids, agent_id


def edit_product(app, agent_id: int, product_id: int, changes: dict) -> None:
    from connector.auth.models import User
    from connector.catalogue.models import Product

    with app.app_context():
        update_product(db.session.get(User, agent_id), db.session.get(Product, product_id), changes)
        db.session.commit()
        db.session.remove()


def test_a_product_goes_live_on_both_marketplaces(app, sandbox, workers):
    workers.ensure(1)
    ids, agent_id = make_products(app, 1)
    publish(app, ids, agent_id)
    wait_until(lambda: all_live(app, ids), timeout=30)
    for marketplace in ("postmart", "voso"):
        remote = [p for p in sandbox.products(marketplace) if p["seller_sku"] == f"CN-{ids[0]}"]
        assert len(remote) == 1 and remote[0]["status"] == "LIVE" and remote[0]["price"] == 35000


def test_an_admins_category_mapping_is_what_the_marketplace_receives(app, sandbox, workers):
    from connector.config import SANDBOX_CATEGORIES as DEFAULT_CATEGORIES
    from connector.marketplaces.models import CategoryMapping

    with app.app_context():
        override = CategoryMapping(marketplace="postmart", category="rice_grain", remote_category_id="13")
        db.session.add(override)
        db.session.commit()
        override_id = override.id
        db.session.remove()
    try:
        workers.ensure(1)
        ids, agent_id = make_products(app, 1)  # a rice product
        publish(app, ids, agent_id)
        wait_until(lambda: all_live(app, ids), timeout=30)
        sent = {name: [p["category_id"] for p in sandbox.products(name) if p["seller_sku"] == f"CN-{ids[0]}"]
                for name in ("postmart", "voso")}
        assert sent == {"postmart": ["13"], "voso": [DEFAULT_CATEGORIES["voso"]["rice_grain"]]}
    finally:
        with app.app_context():
            db.session.delete(db.session.get(CategoryMapping, override_id))
            db.session.commit()
            db.session.remove()


def test_a_banned_word_is_rejected_with_its_reason(app, sandbox, workers):
    workers.ensure(1)
    ids, agent_id = make_products(app, 1, name="Mật ong hàng giả")
    publish(app, ids, agent_id)
    states = wait_until(lambda: (s := listing_states(app, ids)) and
                        all(state == "rejected" for state, _ in s.values()) and len(s) == 2 and s, timeout=30)
    assert len(states) == 2
    with app.app_context():
        reasons = set(db.session.scalars(select(Listing.reason).where(Listing.product_id.in_(ids))))
        db.session.remove()
    assert reasons == {"BANNED_WORD"}


def test_price_and_stock_edits_reach_every_marketplace(app, sandbox, workers):
    ids, agent_id = live_product(app, workers)
    # Quick edits coalesce, and none is lost to a sync job that claims the listing mid-edit (this
    # once failed on PostgreSQL: an edit saw a sync pending and committed after the job read the price).
    for price in range(40000, 42001, 250):
        edit_product(app, agent_id, ids[0], {"price_vnd": price, "stock": 7})

    def synced():
        remote = [p for m in ("postmart", "voso") for p in sandbox.products(m) if p["seller_sku"] == f"CN-{ids[0]}"]
        return len(remote) == 2 and all((p["price"], p["stock"]) == (42000, 7) for p in remote)

    wait_until(synced, timeout=30)


def change_photos(app, agent_id: int, product_id: int, add: bytes | None = None, delete_first: bool = False) -> None:
    from connector.auth.models import User
    from connector.catalogue.models import Product
    from connector.catalogue.services import add_photo, delete_photo

    with app.app_context():
        agent, product = db.session.get(User, agent_id), db.session.get(Product, product_id)
        if add is not None:
            add_photo(agent, product, add)
        if delete_first:
            delete_photo(agent, product, product.photos[0].id)
        db.session.commit()
        db.session.remove()


def test_photos_added_and_deleted_reach_every_marketplace(app, sandbox, workers):
    """A buyer sees the product's photos as the farmer has them now, on both marketplaces."""
    ids, agent_id = live_product(app, workers)

    def remote_images():
        remote = {m: [p["image_ids"] for p in sandbox.products(m) if p["seller_sku"] == f"CN-{ids[0]}"]
                  for m in ("postmart", "voso")}
        return {m: found[0] if found else None for m, found in remote.items()}

    first = remote_images()
    assert all(len(images) == 1 for images in first.values())
    change_photos(app, agent_id, ids[0], add=photo_bytes(500, 400, with_gps=False))
    added = wait_until(lambda: (r := remote_images()) and all(len(i) == 2 for i in r.values()) and r, timeout=30)
    assert all(images[0] == first[m][0] for m, images in added.items())  # the first photo is not sent again
    change_photos(app, agent_id, ids[0], delete_first=True)
    after = wait_until(lambda: (r := remote_images()) and all(len(i) == 1 for i in r.values()) and r, timeout=30)
    assert all(images == [added[m][1]] for m, images in after.items())


def test_an_order_comes_back_decrements_stock_and_updates_the_other_marketplace(app, sandbox, workers):
    workers.ensure(1)
    ids, agent_id = make_products(app, 1, stock=5)
    publish(app, ids, agent_id)
    wait_until(lambda: all_live(app, ids), timeout=30)
    response = sandbox.order("postmart", f"CN-{ids[0]}", quantity=2)
    assert response.status_code == 201

    def order_in():
        with app.app_context():
            order = db.session.scalar(select(Order).where(Order.remote_order_id == response.json()["order_id"]))
            result = order and (order.total_vnd, [i.quantity for i in order.items], order.exception)
            db.session.remove()
            return result

    assert wait_until(order_in, timeout=30) == (70000, [2], None)
    wait_until(lambda: any(p["seller_sku"] == f"CN-{ids[0]}" and p["stock"] == 3
                           for p in sandbox.products("voso")), timeout=30)


def test_faults_and_a_killed_worker_still_end_with_every_listing_live_exactly_once(app, sandbox, workers):
    """20% 5xx, 10% timeouts after the write, 5% 429, 5% errors inside HTTP 200, short-lived tokens,
    and one worker killed with SIGKILL mid-run."""
    ids, agent_id = make_products(app, 15)
    sandbox.configure(error_5xx=0.2, timeout_after_write=0.1, rate_limit_429=0.05, error_on_200=0.05,
                      token_ttl_seconds=2.0, seed=7)
    try:
        workers.ensure(2)
        publish(app, ids, agent_id)
        wait_until(lambda: sum(s == "submitting" or s == "pending_review" or s == "live"
                               for s, _ in listing_states(app, ids).values()) >= 6, timeout=30, every=0.05)
        workers.kill_one()
        workers.start(1)
        wait_until(lambda: all_live(app, ids), timeout=240, every=0.5,
                   explain=lambda: f"{listing_report(app, ids)}\nworker logs:\n{workers.problems()}")
    finally:
        sandbox.configure(error_5xx=0, timeout_after_write=0, rate_limit_429=0, error_on_200=0,
                          token_ttl_seconds=3600)
    states = listing_states(app, ids)
    for marketplace in ("postmart", "voso"):
        remote = [p for p in sandbox.products(marketplace) if p["seller_sku"] in {f"CN-{i}" for i in ids}]
        counts = Counter(p["seller_sku"] for p in remote)
        assert len(counts) == len(ids) and set(counts.values()) == {1}, "no duplicates, none missing"
        for product in remote:
            product_id = int(product["seller_sku"][3:])
            assert states[(product_id, marketplace)] == ("live", product["id"])
            assert product["status"] == "LIVE"




def test_publishing_while_redis_is_down_loses_nothing_and_completes_when_it_is_back(app, sandbox, workers):
    workers.ensure(1)
    """The web process cannot reach Redis: the agent's request still succeeds (the intent is in the
    outbox, in the same transaction), and the workers' dispatcher sends it once Redis answers."""
    from connector.auth.services import issue_token
    from connector.jobs.outbox import OutboxJob

    ids, agent_id = make_products(app, 2)
    with app.app_context():
        from connector.auth.models import User

        token, _ = issue_token(db.session.get(User, agent_id))
        db.session.commit()
        db.session.remove()
    working = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there: Redis is "down"
    app.extensions.pop("connector.redis", None)
    client = app.test_client()
    try:
        for product_id in ids:
            response = client.post(f"/api/v1/products/{product_id}/publish", json={},
                                   headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 202, response.get_json()
    finally:
        app.config["REDIS_URL"] = working
        app.extensions.pop("connector.redis", None)
    with app.app_context():
        waiting = db.session.scalars(select(OutboxJob).where(OutboxJob.completed_at.is_(None))).all()
        assert len([row for row in waiting if row.function.endswith("sync_listing_job")]) >= 4
        db.session.remove()
    wait_until(lambda: all_live(app, ids), timeout=60)


def test_cli_shows_category_mapping_and_places_sandbox_orders(app, sandbox):
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["marketplaces", "categories", "--marketplace", "postmart"])
    assert shown.exit_code == 0 and "honey" in shown.output and "-> 14 Mật ong, thảo dược" in shown.output
    mapped = runner.invoke(args=["marketplaces", "map-category", "--marketplace", "voso", "--category", "honey",
                                 "--remote-id", "999"])
    assert mapped.exit_code != 0 and "no category 999" in mapped.output
    refused = runner.invoke(args=["marketplaces", "buy", "--marketplace", "postmart", "--sku", "CN-0"])
    assert refused.exit_code == 1 and "product not on sale" in refused.output


def test_pausing_a_product_takes_it_down_everywhere(app, sandbox, workers):
    ids, agent_id = live_product(app, workers)
    edit_product(app, agent_id, ids[0], {"status": "paused"})
    wait_until(lambda: all(p["status"] == "DELISTED" for m in ("postmart", "voso") for p in sandbox.products(m)
                           if p["seller_sku"] == f"CN-{ids[0]}"), timeout=30)
    assert {state for state, _ in listing_states(app, ids).values()} == {"delisted"}


def test_suspending_a_household_takes_its_listings_down_and_reinstating_puts_them_back(app, sandbox, workers):
    from connector.catalogue.models import Product
    from connector.households.services import reinstate_household, suspend_household

    ids, _agent_id = live_product(app, workers)

    def change(action):
        with app.app_context():
            officer = make_user("officer", province_code="01", username=f"e2e-officer-{next(_numbers)}")
            household = db.session.get(Product, ids[0]).household
            action(officer, household)
            db.session.commit()
            db.session.remove()

    def remote_statuses():
        return {p["status"] for m in ("postmart", "voso") for p in sandbox.products(m)
                if p["seller_sku"] == f"CN-{ids[0]}"}

    change(lambda officer, household: suspend_household(officer, household, "Kiểm tra chất lượng"))
    wait_until(lambda: remote_statuses() == {"DELISTED"}, timeout=30)
    wait_until(lambda: {state for state, _ in listing_states(app, ids).values()} == {"suspended"}, timeout=30)
    change(reinstate_household)
    wait_until(lambda: all_live(app, ids), timeout=30)
    assert remote_statuses() == {"LIVE"}


def test_a_province_with_its_own_shops_publishes_and_takes_orders_through_them(app, sandbox, workers):
    from tests.e2e import SHOP_PROVINCE

    workers.ensure(1)
    ids, _agent_id = make_products(app, 1, province_code=SHOP_PROVINCE, commune_code="25747")  # Thủ Dầu Một
    publish(app, ids, _agent_id)
    wait_until(lambda: all_live(app, ids), timeout=30)
    sku = f"CN-{ids[0]}"
    for name in ("postmart", "voso"):
        assert [p["seller_sku"] for p in sandbox.products(f"{name}@{SHOP_PROVINCE}")].count(sku) == 1
        assert sku not in {p["seller_sku"] for p in sandbox.products(name)}  # not on the national account
    with app.app_context():
        assert set(db.session.scalars(select(Listing.storefront).where(Listing.product_id == ids[0]))) == {
            SHOP_PROVINCE}
        db.session.remove()
    # A buyer orders in the shop: the order comes back through the shop's own signed webhook.
    assert sandbox.order(f"voso@{SHOP_PROVINCE}", sku, quantity=2).status_code == 201
    wait_until(lambda: _stock(app, ids[0]) == 198, timeout=30)
    wait_until(lambda: [p["stock"] for p in sandbox.products(f"postmart@{SHOP_PROVINCE}")
                        if p["seller_sku"] == sku] == [198], timeout=30)


def _stock(app, product_id: int) -> int:
    from connector.catalogue.models import Product

    with app.app_context():
        stock = db.session.get(Product, product_id).stock
        db.session.remove()
        return stock
