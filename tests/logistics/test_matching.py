"""Matching orders to pickup: nearest open point with room, the next one when full or closed, flagged
beyond the maximum distance; and the batch re-match against greedy."""

import itertools
from datetime import date

import numpy as np

from connector.logistics.batch import greedy_plan, optimal_plan
from connector.logistics.services import Reason, assign_pickup, choose_point, next_working_day
from connector.orders.models import Order
from tests.factories import make_household

# Hải Lăng, Quảng Trị; points placed due north of the household at growing distances.
LAT, LON = 16.70, 107.24
MONDAY = date(2026, 11, 23)


_numbers = itertools.count(1)


def order_of(household, db_session) -> Order:
    """A bare order of the household (no items): matching needs only where the seller is."""
    row = Order(marketplace="postmart", remote_order_id=f"LG-{next(_numbers)}", status="CREATED", total_vnd=1000,
                household_id=household.id, province_code="44")
    db_session.add(row)
    db_session.flush()
    return row


def north(km: float) -> float:
    return LAT + km / 111.2


def test_next_working_day_skips_sunday():
    assert next_working_day(date(2026, 11, 20)) == date(2026, 11, 21)  # Friday -> Saturday
    assert next_working_day(date(2026, 11, 21)) == date(2026, 11, 23)  # Saturday -> Monday


def test_the_nearest_open_point_with_room_is_chosen_and_the_reason_recorded(add_point):
    near = add_point("NEAR", north(1), LON, capacity=1)
    nxt = add_point("NEXT", north(3), LON)
    point, km, reason = choose_point(LAT, LON, MONDAY, 15)
    assert (point.id, reason) == (near.id, None) and abs(km - 1) < 0.01
    point, km, reason = choose_point(LAT, LON, MONDAY, 15, used={near.id: 1})  # full
    assert (point.id, reason) == (nxt.id, Reason.NEAREST_FULL)


def test_a_closed_day_is_skipped(add_point):
    add_point("SHUT", north(1), LON, hours={"1": [["07:00", "17:00"]]})  # Tuesdays only
    open_point = add_point("OPEN", north(2), LON)
    point, _km, reason = choose_point(LAT, LON, MONDAY, 15)
    assert (point.id, reason) == (open_point.id, Reason.NEAREST_CLOSED)


def test_beyond_the_maximum_distance_nothing_is_chosen(add_point):
    add_point("FAR", north(20), LON)
    assert choose_point(LAT, LON, MONDAY, 15) == (None, None, Reason.NONE_WITHIN_REACH)


def test_orders_fill_a_point_then_go_to_the_next_and_are_flagged_beyond_reach(agent, db_session, add_point):
    household = make_household(agent)
    household.lat, household.lon = LAT, LON
    first = add_point("P1", north(2), LON, capacity=2)
    second = add_point("P2", north(5), LON, capacity=1)

    pickups = [assign_pickup(order_of(household, db_session)) for _ in range(4)]
    assert [p.service_point_id for p in pickups] == [first.id, first.id, second.id, None]
    # P1, the nearest to the commune's centre, is the point serving the household's commune.
    assert pickups[2].reason == Reason.HOME_FULL and abs(pickups[2].distance_km - 5) < 0.01
    assert (pickups[3].status, pickups[3].reason) == ("flagged", Reason.NONE_WITHIN_REACH)
    assert assign_pickup(pickups[0].order) is pickups[0]  # once per order


def test_the_batch_never_does_worse_than_greedy_and_beats_it_when_order_matters(add_point):
    # A has room for one. Greedy gives A to the first order (0.43 km; B would be 0.64 km), so the
    # second order, west of A, must go all the way to B (2.13 km). The batch swaps them: 1.70 km in all.
    a = add_point("A", 16.70, 107.00, capacity=1)
    b = add_point("B", 16.70, 107.01, capacity=5)
    lats, lons = np.array([16.70, 16.70]), np.array([107.004, 106.99])
    room = {a.id: 1, b.id: 5}
    greedy = greedy_plan(lats, lons, MONDAY, 15, room)
    best = optimal_plan(lats, lons, MONDAY, 15, room)
    assert [p.code for p in greedy.points] == ["A", "B"] and [p.code for p in best.points] == ["B", "A"]
    assert round(greedy.total_km, 2) == 2.56 and round(best.total_km, 2) == 1.70


def test_an_order_taken_in_from_a_marketplace_queues_its_pickup_matching(client, agent, db_session, add_point):
    from sqlalchemy import select

    from connector.catalogue.services import create_product
    from connector.jobs.outbox import OutboxJob
    from tests.factories import photo_bytes, product_input
    from tests.marketplaces.test_webhooks import apply_all, order_event, signed_post

    household = make_household(agent)
    product = create_product(agent, household.id, product_input(status="active"), [photo_bytes(300, 200)])
    point = add_point("HL", household.lat + 0.01, household.lon)
    assert signed_post(client, "postmart", order_event("lg-1", "PM-LG-1", f"CN-{product.id}", 1)).status_code == 200
    apply_all(db_session)
    order = db_session.scalar(select(Order).where(Order.remote_order_id == "PM-LG-1"))
    job = db_session.scalar(select(OutboxJob).where(OutboxJob.function == "connector.logistics.jobs.match_pickup_job"))
    assert job.args == [order.id] and job.queue == "logistics"
    assert assign_pickup(order).service_point_id == point.id


def test_cli_rematch_reports_greedy_and_optimal(runner, agent, db_session, add_point):
    from connector.logistics.models import Pickup

    household = make_household(agent)
    add_point("R1", household.lat + 0.01, household.lon)
    order = Order(marketplace="voso", remote_order_id="LG-R", status="CREATED", total_vnd=1,
                  household_id=household.id, province_code="44")
    db_session.add(order)
    db_session.flush()
    pickup = assign_pickup(order)
    result = runner.invoke(args=["service-points", "rematch", "--date", pickup.pickup_date.isoformat()])
    assert result.exit_code == 0 and result.output.startswith("1 orders: greedy")
    assert db_session.get(Pickup, pickup.id).reason == "batch"


def test_the_order_page_says_where_and_when_to_drop_the_parcel(client, agent, db_session, add_point):
    from tests.factories import PASSWORD
    from tests.helpers import login

    household = make_household(agent)
    add_point("HL9", household.lat + 0.02, household.lon)
    order = Order(marketplace="postmart", remote_order_id="LG-P", status="CREATED", total_vnd=1,
                  household_id=household.id, province_code="44")
    db_session.add(order)
    db_session.flush()
    assign_pickup(order)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Nơi gửi hàng" in page and "Điểm HL9" in page and "openstreetmap.org/?mlat=" in page
    assert "cách 2,2 km" in page


def test_the_point_serving_the_households_commune_comes_first_then_the_nearest_with_the_reason(
        agent, db_session, add_point):
    """Issue 11, finding 4: a Hải Lăng household's parcel went to Diên Sanh's point (2.6 km) while its
    own commune's point (3 km), where the agent knows the farmer, stayed empty."""
    from connector.logistics.services import set_served_communes

    household = make_household(agent)
    household.lat, household.lon = LAT, LON
    own = add_point("OWN", north(3), LON, capacity=1)
    other = add_point("OTHER", north(2.6), LON)
    set_served_communes(own, [household.commune_code])

    first, second = (assign_pickup(order_of(household, db_session)) for _ in range(2))
    assert (first.service_point_id, first.reason) == (own.id, None) and abs(first.distance_km - 3) < 0.01
    # The commune's point is full that day: the nearest other point, saying why.
    assert (second.service_point_id, second.reason) == (other.id, Reason.HOME_FULL)
