"""A province with households and targets, shared by the reports' tests."""

from __future__ import annotations

import pytest

from connector.extensions import db
from connector.logistics.services import vietnam_now
from connector.reports.models import CommuneTarget
from connector.reports.summaries import refresh_all
from tests.factories import HAI_LANG, make_household, make_user
from tests.reports.helpers import NAM_HAI_LANG


@pytest.fixture
def province(db_session):
    agent = make_user("agent", province_code="44")
    for number in range(3):
        make_household(agent, head_name=f"Hộ Hải Lăng {'ABC'[number]}")
    make_household(agent, commune_code=NAM_HAI_LANG, head_name="Hộ Nam Hải Lăng")
    make_household(make_user("agent", province_code="01"), commune_code="00004", head_name="Hộ Hà Nội")
    year = vietnam_now().year
    db.session.add_all([CommuneTarget(commune_code=HAI_LANG, year=year, agricultural_households=10,
                                      onboarding_target=6),
                        CommuneTarget(commune_code=NAM_HAI_LANG, year=year, agricultural_households=8,
                                      onboarding_target=4)])
    db.session.commit()
    refresh_all()  # what a worker does a few seconds later
    db.session.commit()
