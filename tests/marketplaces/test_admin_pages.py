"""Admins' publishing pages: failed background jobs with re-drive, and category mapping against the
sandbox's real category lists."""

from datetime import timedelta

from sqlalchemy import select

from connector.config import SANDBOX_CATEGORIES as DEFAULT_CATEGORIES
from connector.db import utcnow
from connector.jobs import enqueue_after_commit, queue_for
from connector.jobs.outbox import OutboxJob
from connector.marketplaces.categories import current_mapping
from connector.marketplaces.jobs import ORDERS, apply_event_job
from connector.marketplaces.models import CategoryMapping
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token_from, login


def failed_job(db_session) -> OutboxJob:
    row = enqueue_after_commit(apply_event_job, 424242)
    db_session.flush()
    row.failed_at, row.redrives = utcnow() - timedelta(minutes=3), 3
    db_session.flush()
    return row


def test_admin_sees_a_failed_job_in_vietnamese_and_runs_it_again(client, db_session):
    row = failed_job(db_session)
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    page = client.get("/publishing/problems").get_data(as_text=True)
    assert "Việc chạy nền bị lỗi" in page
    assert "Áp dụng sự kiện từ sàn (đơn hàng, kết quả duyệt)" in page and "#424242" in page
    response = client.post(f"/publishing/jobs/{row.id}/redrive", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert "Việc sẽ được chạy lại." in response.get_data(as_text=True)
    db_session.refresh(row)
    assert row.failed_at is None
    assert row.rq_job_id in queue_for(ORDERS).job_ids  # pushed once the request committed


def test_agents_neither_see_nor_re_drive_failed_jobs(client, agent, db_session):
    row = failed_job(db_session)
    login(client, agent.username, PASSWORD)
    page = client.get("/publishing/problems").get_data(as_text=True)
    assert "Việc chạy nền bị lỗi" not in page
    response = client.post(f"/publishing/jobs/{row.id}/redrive", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 403
    db_session.refresh(row)
    assert row.failed_at is not None


def test_re_driving_a_job_that_has_not_failed_is_not_found(client, db_session):
    row = enqueue_after_commit(apply_event_job, 1)
    db_session.flush()
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    page = client.get("/publishing/problems").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"/publishing/jobs/{row.id}/redrive", data={"csrf_token": token}).status_code == 404
    assert client.post("/publishing/jobs/999999/redrive", data={"csrf_token": token}).status_code == 404


def test_admin_maps_a_category_from_the_marketplace_list(client, sandbox, db_session):
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    page = client.get("/publishing/categories").get_data(as_text=True)
    # The sandbox's own category names, fetched over HTTP, are the choices.
    assert "Danh mục trên sàn" in page and "Mật ong, thảo dược (14)" in page
    form = {"csrf_token": csrf_token_from(page), "marketplace": "postmart",
            **{f"category-{code}": remote for code, remote in DEFAULT_CATEGORIES["postmart"].items()}}
    form["category-honey"] = "13"
    response = client.post("/publishing/categories", data=form, follow_redirects=True)
    assert "Đã lưu: 1 danh mục thay đổi." in response.get_data(as_text=True)
    assert current_mapping("postmart")["honey"] == "13"
    assert current_mapping("voso")["honey"] == DEFAULT_CATEGORIES["voso"]["honey"]
    # Only overrides are stored: putting it back removes the row.
    form["category-honey"] = DEFAULT_CATEGORIES["postmart"]["honey"]
    client.post("/publishing/categories", data=form)
    assert db_session.scalar(select(CategoryMapping.id)) is None


def test_a_category_the_marketplace_does_not_have_is_refused_and_nothing_changes(client, sandbox, db_session):
    admin = make_user("admin")
    login(client, admin.username, PASSWORD)
    page = client.get("/publishing/categories").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "marketplace": "voso",
            **{f"category-{code}": remote for code, remote in DEFAULT_CATEGORIES["voso"].items()}}
    form["category-fruit"], form["category-honey"] = "506", "99999"
    response = client.post("/publishing/categories", data=form)
    assert response.status_code == 422
    assert "Sàn không có danh mục 99999." in response.get_data(as_text=True)
    assert current_mapping("voso")["fruit"] == DEFAULT_CATEGORIES["voso"]["fruit"]  # all or nothing


def test_only_admins_map_categories(client, agent, sandbox):
    login(client, agent.username, PASSWORD)
    assert client.get("/publishing/categories").status_code == 403


def test_an_unreachable_marketplace_is_said_plainly(client, app, db_session):
    saved = app.config["MARKETPLACES"]
    app.config["MARKETPLACES"] = {name: dict(settings, base_url="http://127.0.0.1:1/api")
                                  for name, settings in saved.items()}
    app.extensions.pop("connector.adapters", None)
    try:
        admin = make_user("admin")
        login(client, admin.username, PASSWORD)
        page = client.get("/publishing/categories").get_data(as_text=True)
    finally:
        app.config["MARKETPLACES"] = saved
        app.extensions.pop("connector.adapters", None)
    assert "PostMart hiện không kết nối được; hãy thử lại sau." in page
