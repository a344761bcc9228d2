from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from connector.reports.models import Training
from tests.factories import PASSWORD, make_household, make_user
from tests.helpers import csrf_token_from, login


def trainings(db_session, household) -> int:
    return db_session.scalar(select(func.count(Training.id)).where(Training.household_id == household.id))


def record(client, household, **fields):
    page = client.get(f"/households/{household.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/households/{household.id}/trainings", data={"csrf_token": token, **fields},
                       follow_redirects=True)


def test_an_agent_records_a_training_and_it_is_listed(client, agent, db_session):
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Chưa có buổi tập huấn nào." in page
    assert '<option value="Bán hàng trên sàn">' in page and '<option value="Nhận tiền qua VietQR">' in page
    response = record(client, household, trained_on="2026-03-05", topic="  Chụp ảnh  sản phẩm ")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã ghi nhận buổi tập huấn: Chụp ảnh sản phẩm." in html
    assert "05/03/2026 · Chụp ảnh sản phẩm" in html
    saved = db_session.scalar(select(Training).where(Training.household_id == household.id))
    assert (saved.trained_on, saved.topic, saved.recorded_by_id) == (date(2026, 3, 5), "Chụp ảnh sản phẩm", agent.id)


def test_an_officer_sees_the_trainings_but_records_none(app, client, agent, db_session):
    household = make_household(agent)
    agents_phone = app.test_client()
    login(agents_phone, agent.username, PASSWORD)
    record(agents_phone, household, trained_on="2025-11-20", topic="Đóng gói và gửi hàng")
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "20/11/2025 · Đóng gói và gửi hàng" in page and 'name="topic"' not in page
    token = csrf_token_from(page)
    response = client.post(f"/households/{household.id}/trainings",
                           data={"csrf_token": token, "trained_on": "2025-11-21", "topic": "Bán hàng trên sàn"})
    assert response.status_code == 403
    assert trainings(db_session, household) == 1


@pytest.mark.parametrize(("trained_on", "topic", "message"), [
    ((date.today() + timedelta(days=2)).isoformat(), "Bán hàng trên sàn", "Ngày không được ở tương lai."),
    ("2019-12-31", "Bán hàng trên sàn", "Ngày không được trước 01/01/2020."),
    ("", "Bán hàng trên sàn", "Nhập ngày tập huấn."),
    ("31/02/2026", "Bán hàng trên sàn", "Nhập ngày tập huấn."),
    ("2026-01-10", "   ", "Nhập nội dung tập huấn."),
    ("2026-01-10", "x" * 121, "Tối đa 120 ký tự."),
])
def test_bad_dates_and_topics_are_refused_in_vietnamese(client, agent, db_session, trained_on, topic, message):
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    html = record(client, household, trained_on=trained_on, topic=topic).get_data(as_text=True)
    assert "Chưa ghi nhận buổi tập huấn." in html and message in html
    assert trainings(db_session, household) == 0


def test_another_areas_agent_gets_404(client, agent, db_session):
    household = make_household(agent)
    stranger = make_user("agent", province_code="01")
    login(client, stranger.username, PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(f"/households/{household.id}/trainings",
                           data={"csrf_token": token, "trained_on": "2026-01-10", "topic": "Bán hàng trên sàn"})
    assert response.status_code == 404
    assert trainings(db_session, household) == 0
