"""The nearest-point index against a brute-force haversine scan, and its rebuild on change."""

import numpy as np
import pytest

from connector.logistics.geo import PointIndex, haversine_km
from connector.logistics.services import current_index, nearest_points


def test_the_index_answers_exactly_as_a_brute_force_scan_on_10000_random_queries():
    rng = np.random.default_rng(6)
    lats, lons = rng.uniform(8.5, 23.4, 3000), rng.uniform(102.1, 109.5, 3000)
    index = PointIndex(np.arange(3000), lats, lons)
    queries = np.column_stack((rng.uniform(8.5, 23.4, 10_000), rng.uniform(102.1, 109.5, 10_000)))
    rows, kms = index.nearest_many(queries[:, 0], queries[:, 1], k=5)
    for (lat, lon), got_rows, got_km in zip(queries, rows, kms, strict=True):
        distances = haversine_km(lat, lon, lats, lons)
        expected = np.argsort(distances, kind="stable")[:5]
        assert np.allclose(got_km, distances[expected], atol=1e-6)
        assert np.allclose(distances[got_rows], distances[expected], atol=1e-6)  # ties may swap rows
    lat, lon = queries[0]
    single = index.nearest(lat, lon, 5)
    assert [row for row, _ in single] == rows[0].tolist()


def test_a_distance_limit_leaves_out_farther_points():
    index = PointIndex([1, 2], [16.0, 16.5], [107.0, 107.0])
    assert [row for row, _ in index.nearest(16.0, 107.0, 5, max_km=20)] == [0]
    assert index.nearest(16.0, 107.0, 5, max_km=60)[1][1] == pytest.approx(55.6, abs=0.1)


def test_every_process_rebuilds_when_points_change(app, add_point, db_session):
    add_point("A1", 16.75, 107.19)
    first, _ = current_index()
    assert len(first) == 1
    add_point("A2", 16.80, 107.10)  # bumps the version in the database
    second, infos = current_index()
    assert len(second) == 2 and {p.code for p in infos} == {"A1", "A2"}
    assert second is not first and current_index()[0] is second  # unchanged: not rebuilt again


def test_the_process_that_changes_the_points_sees_its_change_at_once(app, add_point):
    app.config["SERVICE_POINT_INDEX_CHECK_SECONDS"] = 3600  # other processes check the version hourly here
    add_point("B1", 16.75, 107.19)
    assert [p["code"] for p in nearest_points(16.80, 107.10, 1)] == ["B1"]
    add_point("B2", 16.80, 107.10)
    assert [p["code"] for p in nearest_points(16.80, 107.10, 1)] == ["B2"]


def test_inactive_points_are_not_offered(add_point):
    add_point("ON", 16.75, 107.19)
    add_point("OFF", 16.7501, 107.1901, active=False)
    assert [p["code"] for p in nearest_points(16.75, 107.19, 5)] == ["ON"]
