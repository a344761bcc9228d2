import pytest

from connector.logistics.models import ServicePoint
from connector.logistics.services import bump_index_version

DEFAULT_HOURS = {str(day): [["07:00", "17:00"]] for day in range(6)}  # Monday to Saturday


@pytest.fixture(autouse=True)
def fresh_index(app):
    """Each test's points live in its own rolled-back transaction: no process-wide index may outlive it."""
    app.extensions.pop("connector.service_point_index", None)
    saved = app.config["SERVICE_POINT_INDEX_CHECK_SECONDS"]
    app.config["SERVICE_POINT_INDEX_CHECK_SECONDS"] = 0
    yield
    app.config["SERVICE_POINT_INDEX_CHECK_SECONDS"] = saved
    app.extensions.pop("connector.service_point_index", None)


@pytest.fixture
def add_point(db_session):
    def add(code: str, lat: float, lon: float, capacity: int = 30, hours: dict | None = None, **extra):
        point = ServicePoint(code=code, name=f"Điểm {code}", kind=extra.pop("kind", "bdvhx"), lat=lat, lon=lon,
                             daily_capacity=capacity, opening_hours=DEFAULT_HOURS if hours is None else hours,
                             active=extra.pop("active", True), generated=False, address="", **extra)
        db_session.add(point)
        db_session.flush()
        bump_index_version()
        return point

    return add
