"""`flask seed scale` (issue 14): realistic volumes on PostgreSQL, whose dashboard figures, read from
the summary rows it leaves recounted, equal a direct count; on SQLite it says it needs PostgreSQL."""

from __future__ import annotations

from datetime import date

import click
import pytest
from sqlalchemy import func, select

from connector.catalogue.models import Product
from connector.extensions import db
from connector.households.models import Household
from connector.orders.models import Order
from connector.reports.indicators import figures
from connector.reports.measures import Area, Period
from connector.seed_scale import seed_scale


def test_scale_seed_fills_postgresql_and_the_dashboard_counts_it_exactly(db_session):
    if db.engine.dialect.name != "postgresql":
        with pytest.raises(click.ClickException, match="PostgreSQL"):
            seed_scale(10, echo=lambda _line: None)
        return
    lines = []
    seed_scale(400, echo=lines.append)
    assert db.session.scalar(select(func.count(Household.id))) >= 400
    products = db.session.scalar(select(func.count(Product.id)))
    orders = db.session.scalar(select(func.count(Order.id)))
    assert 2 * 400 < products < 4 * 400 and 3 * 400 < orders < 7 * 400  # about 3 and 5 per household
    assert any("summaries" in line for line in lines)
    for period in (Period(date(2025, 1, 1), date(2026, 1, 1)), Period(date(2026, 11, 10), date(2026, 12, 20))):
        assert figures(Area(None), period).communes == figures(Area(None), period, source="direct").communes


def test_scale_seed_can_keep_to_one_province(db_session):
    """The load benchmark's households are all in the province its agent and officer work in."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("seed scale fills PostgreSQL")
    seed_scale(60, echo=lambda _line: None, province="44")
    provinces = set(db.session.scalars(select(Household.province_code).distinct()))
    assert provinces == {"44"}
    assert db.session.scalar(select(func.count(Order.id)).where(Order.province_code != "44")) == 0
