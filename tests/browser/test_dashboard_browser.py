"""In Chromium at 360x640 (issue 14): the demo officer opens the dashboard, filters to a commune,
downloads the XLSX, and the file holds the numbers the page shows; the chart and the map render."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from connector.extensions import db
from connector.households.models import Household
from connector.logistics.services import vietnam_now
from connector.reports.models import CommuneTarget
from connector.reports.summaries import refresh_all
from connector.seed import DEMO_USERS
from tests.browser.conftest import ARTIFACTS
from tests.factories import HAI_LANG, make_household

pytestmark = pytest.mark.browser
OFFICER = next(user for user in DEMO_USERS if user[2] == "officer")


@pytest.fixture
def households_with_a_target(app, live_server):
    """Two more households in Hải Lăng (beside the demo farmer's) and a target of 8: how many there are."""
    from sqlalchemy import select as _select

    from connector.auth.models import User

    with app.app_context():
        # The demo agent's households are removed with the demo data after the module.
        agent = db.session.scalar(_select(User).where(User.username == "buudien.hailang"))
        for letter in "AB":
            make_household(agent, head_name=f"Hộ Dashboard {letter}")
        target = CommuneTarget(commune_code=HAI_LANG, year=vietnam_now().year, agricultural_households=20,
                               onboarding_target=8)
        db.session.add(target)
        db.session.commit()
        refresh_all()  # what a worker does a few seconds later
        db.session.commit()
        count = db.session.scalar(select(func.count(Household.id)).where(Household.commune_code == HAI_LANG,
                                                                          Household.status == "active"))
        db.session.remove()
    yield count
    with app.app_context():
        db.session.query(CommuneTarget).filter_by(commune_code=HAI_LANG).delete()
        db.session.commit()
        db.session.remove()


def test_an_officer_filters_to_a_commune_and_downloads_the_same_numbers(live_server, phone, households_with_a_target,
                                                                        tmp_path):
    username, password, *_ = OFFICER
    phone.goto(f"{live_server}/login")
    phone.get_by_label("Tên đăng nhập").fill(username)
    phone.get_by_label("Mật khẩu").fill(password)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(f"{live_server}/")
    phone.get_by_role("link", name="Tiến độ").click()
    assert phone.locator("h1").inner_text() == "Tiến độ của Tỉnh Quảng Trị"
    # The chart and the map are drawn: bars and one marker per located commune.
    assert phone.locator("svg[role=img] title").first.text_content()
    assert phone.locator("svg[role=img]").count() == 2
    box = phone.locator("svg[role=img]").first.bounding_box()
    assert box["width"] > 250 and box["height"] > 100
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.select_option("#commune", HAI_LANG)
    phone.get_by_role("button", name="Xem").click()
    phone.wait_for_url(re.compile(rf".*commune={HAI_LANG}.*"))  # the filtered page, not the one it replaces
    table = phone.locator("table.breakdown tbody tr")
    expect(table).to_have_count(1)
    cells = [cell.inner_text() for cell in table.first.locator("td").all()]
    onboarded, share_of_target = cells[0], cells[1]
    expected_share = round(100 * households_with_a_target / 8, 1)
    assert onboarded == str(households_with_a_target)
    assert share_of_target == f"{expected_share:g} %".replace(".", ",")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "dashboard-officer-360.png"), full_page=True)

    with phone.expect_download() as download:
        phone.get_by_role("link", name="Tải XLSX").click()
    path = tmp_path / "bao-cao.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert re.match(r"Số liệu tính đến \d\d:\d\d", rows[0][0])
    assert rows[2][:4] == (HAI_LANG, "Xã Hải Lăng", households_with_a_target, expected_share)
