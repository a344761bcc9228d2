"""Large imports run as background jobs (issue 15, finding 4): a file of 500 rows or more is not
written while the agent's request waits; its page shows how far the checks have gone, then the result.
All rows or none, as before; only whoever started it sees the run."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from connector.households.models import Household
from connector.imports.background import run_import_job
from connector.imports.models import ImportRun
from connector.jobs.outbox import OutboxJob
from tests.factories import PASSWORD, make_household, make_user
from tests.helpers import csrf_token_from, login
from tests.imports.test_imports import csv_bytes, household_row, post_file

ROWS = 520


def households(db_session) -> int:
    return db_session.scalar(select(func.count(Household.id)))


def confirm_a_large_file(client, rows: list[dict]):
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    preview = post_file(client, "/imports/households/preview", csv_bytes(rows), form={"csrf_token": token})
    assert preview.status_code == 200, preview.get_data(as_text=True)[-2000:]
    upload = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    return client.post("/imports/households/run", data={"csrf_token": token, "token": upload})


def test_a_large_import_runs_in_the_background_and_its_page_shows_progress_then_the_result(client, agent,
                                                                                          db_session):
    login(client, agent.username, PASSWORD)
    before = households(db_session)
    answer = confirm_a_large_file(client, [household_row(3000 + n) for n in range(ROWS)])
    assert answer.status_code == 303
    assert households(db_session) == before  # nothing written while the agent waited
    run = db_session.scalar(select(ImportRun).order_by(ImportRun.id.desc()))
    assert ("connector.imports.background.run_import_job", [run.id]) in \
        db_session.execute(select(OutboxJob.function, OutboxJob.args)).all()
    waiting = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "Nhập 520 dòng" in waiting and "0 %" in waiting

    run_import_job.__wrapped__(run.id)  # what the worker runs
    done = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "http-equiv" not in done and "Đã nhập 520 dòng" in done
    assert households(db_session) == before + ROWS
    run_import_job.__wrapped__(run.id)  # sent twice (a worker lost mid-job): imported once
    assert households(db_session) == before + ROWS


def test_rows_that_went_wrong_after_the_preview_import_nothing_and_say_which(client, agent, db_session):
    login(client, agent.username, PASSWORD)
    rows = [household_row(5000 + n) for n in range(ROWS)]
    answer = confirm_a_large_file(client, rows)
    # Meanwhile someone registers the household of row 10 with the same phone, under another name.
    make_household(agent, phone=rows[8]["Số điện thoại"], head_name="Trần Thị Khác")
    before = households(db_session)
    run_import_job.__wrapped__(db_session.scalar(select(func.max(ImportRun.id))))
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Tệp có lỗi: chưa có dòng nào được nhập." in page and "Dòng 10" in page
    assert households(db_session) == before


def test_nobody_else_sees_the_run(app, client, agent, db_session):
    login(client, agent.username, PASSWORD)
    location = confirm_a_large_file(client, [household_row(7000 + n) for n in range(ROWS)]).headers["Location"]
    other, elsewhere = make_user("agent"), app.test_client()
    login(elsewhere, other.username, PASSWORD)
    assert elsewhere.get(location).status_code == 404


def test_the_api_answers_a_large_import_with_its_run_and_the_run_tells_how_it_went(app, client, agent, db_session):
    from tests.factories import bearer, make_token

    auth = bearer(make_token(agent))
    before = households(db_session)
    answer = post_file(client, "/api/v1/imports/households",
                       csv_bytes([household_row(9000 + n) for n in range(ROWS)]), auth)
    assert answer.status_code == 202, answer.get_json()
    run = answer.get_json()
    assert (run["status"], run["rows"], run["imported"]) == ("queued", ROWS, 0)
    assert answer.headers["Location"].endswith(f"/api/v1/imports/runs/{run['id']}")
    assert households(db_session) == before

    run_import_job.__wrapped__(run["id"])
    done = client.get(f"/api/v1/imports/runs/{run['id']}", headers=auth).get_json()
    assert (done["status"], done["imported"], done["errors"]) == ("done", ROWS, [])
    assert households(db_session) == before + ROWS
    other = bearer(make_token(make_user("agent")))
    assert client.get(f"/api/v1/imports/runs/{run['id']}", headers=other).status_code == 404
