"""Suspending a household (provincial officers, admins) and reinstating it: pages and API."""

from sqlalchemy import select

from connector.audit.models import AuditEvent
from connector.households.models import HouseholdStatus
from tests.factories import PASSWORD, bearer, make_household, make_token, make_user
from tests.helpers import csrf_token_from, login

URL = "/api/v1/households"


def test_officer_suspends_with_a_reason_then_reinstates_on_the_page(client, agent, db_session):
    household = make_household(agent)
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Tạm ngừng bán" in page
    response = client.post(f"/households/{household.id}/suspend", follow_redirects=True, data={
        "csrf_token": csrf_token_from(page), "reason": "Khách phản ánh hàng kém chất lượng"})
    shown = response.get_data(as_text=True)
    assert "sản phẩm đang được gỡ khỏi sàn" in shown
    assert "Lý do tạm ngừng: Khách phản ánh hàng kém chất lượng" in shown
    db_session.refresh(household)
    assert household.status == HouseholdStatus.SUSPENDED
    response = client.post(f"/households/{household.id}/reinstate", follow_redirects=True,
                           data={"csrf_token": csrf_token_from(shown)})
    assert "sản phẩm được bán lại" in response.get_data(as_text=True)
    db_session.refresh(household)
    assert household.status == HouseholdStatus.ACTIVE and household.status_reason is None
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == household.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["suspend", "reinstate"]


def test_suspending_without_a_reason_is_refused_and_changes_nothing(client, agent, db_session):
    household = make_household(agent)
    officer = make_user("officer")
    login(client, officer.username, PASSWORD)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    response = client.post(f"/households/{household.id}/suspend", follow_redirects=True,
                           data={"csrf_token": csrf_token_from(page), "reason": "   "})
    assert "Hãy ghi lý do tạm ngừng bán." in response.get_data(as_text=True)
    db_session.refresh(household)
    assert household.status == HouseholdStatus.ACTIVE


def test_agents_cannot_suspend(client, agent, db_session):
    household = make_household(agent)
    login(client, agent.username, PASSWORD)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Tạm ngừng bán" not in page
    response = client.post(f"/households/{household.id}/suspend",
                           data={"csrf_token": csrf_token_from(page), "reason": "x"})
    assert response.status_code == 403
    db_session.refresh(household)
    assert household.status == HouseholdStatus.ACTIVE


def test_api_suspend_and_its_bad_input(client, agent, db_session):
    household = make_household(agent)
    officer = make_token(make_user("officer"))
    response = client.post(f"{URL}/{household.id}/suspend", json={"reason": "Hết hạn chứng nhận"},
                           headers=bearer(officer))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "suspended"
    assert response.get_json()["status_reason"] == "Hết hạn chứng nhận"

    again = client.post(f"{URL}/{household.id}/suspend", json={"reason": "lần nữa"}, headers=bearer(officer))
    assert again.status_code == 422
    assert again.get_json()["errors"]["status"] == ["Chỉ tạm ngừng được hộ đang hoạt động."]
    too_long = client.post(f"{URL}/{make_household(agent).id}/suspend", json={"reason": "x" * 201},
                           headers=bearer(officer))
    assert too_long.status_code == 422 and "reason" in too_long.get_json()["errors"]
    not_json = client.post(f"{URL}/{household.id}/reinstate", headers=bearer(make_token(agent)))
    assert not_json.status_code == 403  # agents may not reinstate either


def test_api_reinstate_refuses_a_household_that_is_not_suspended(client, agent, db_session):
    household = make_household(agent)
    officer = make_token(make_user("officer"))
    response = client.post(f"{URL}/{household.id}/reinstate", headers=bearer(officer))
    assert response.status_code == 422
    assert response.get_json()["errors"]["status"] == ["Chỉ khôi phục được hộ đang bị tạm ngừng."]


def test_another_provinces_officer_gets_not_found(client, agent, db_session):
    household = make_household(agent)
    elsewhere = make_token(make_user("officer", province_code="01"))
    response = client.post(f"{URL}/{household.id}/suspend", json={"reason": "x"}, headers=bearer(elsewhere))
    assert response.status_code == 404
    db_session.refresh(household)
    assert household.status == HouseholdStatus.ACTIVE
