"""Large exports (issue 14): asked for from the dashboard, written by a background job month by month
with its progress shown, downloaded only by whoever asked; scoped and refused on bad input."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from connector.admin_units.models import Commune
from connector.extensions import db
from connector.jobs.outbox import OutboxJob
from connector.logistics.services import vietnam_now
from connector.reports.indicators import INDICATORS
from connector.reports.large_exports import write_export_job
from connector.reports.models import ReportExport
from tests.factories import HAI_LANG
from tests.helpers import csrf_token_from
from tests.reports.helpers import signed_in

THIS_MONTH = vietnam_now().date().replace(day=1)
FIRST = ((THIS_MONTH - timedelta(days=1)).replace(day=1) - timedelta(days=1)).replace(day=1)  # three months
QUARTER = {"period": "range", "from": FIRST.isoformat(), "to": (THIS_MONTH + timedelta(days=40)).replace(day=1)
           .__sub__(timedelta(days=1)).isoformat()}


def _ask(client, **fields):
    token = csrf_token_from(client.get("/reports").get_data(as_text=True))
    return client.post("/reports/exports", data={"csrf_token": token, **fields})


def test_an_officer_asks_for_every_commune_month_by_month_and_downloads_it_when_written(app, province):
    client, _user = signed_in(app, "officer")
    answer = _ask(client, file_format="xlsx", **QUARTER)
    assert answer.status_code == 303
    page_url = answer.headers["Location"]
    waiting = client.get(page_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "0 / 3" not in waiting and "0 %" in waiting
    export = db.session.scalar(select(ReportExport).order_by(ReportExport.id.desc()))
    assert ("connector.reports.large_exports.write_export_job", [export.id]) in \
        db.session.execute(select(OutboxJob.function, OutboxJob.args)).all()

    write_export_job.__wrapped__(export.id)  # what the worker runs
    done = client.get(page_url).get_data(as_text=True)
    assert "http-equiv" not in done
    communes = db.session.scalar(select(func.count()).select_from(Commune).where(Commune.province_code == "44"))
    rows = 3 * communes * len(INDICATORS)
    assert f"{rows:,}".replace(",", ".") in done  # "Sẵn sàng: 14.880 dòng." in Vietnamese digits
    link = re.search(r'href="(/reports/exports/\d+/file)"', done).group(1)
    with client.get(link) as answer:
        book = load_workbook(io.BytesIO(answer.data), read_only=True)
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(sheet) == rows + 1 and sheet[0][0] == "Mã tỉnh"
    december = {row[5]: (row[7:] or [None])[0] for row in sheet[1:]  # (a ratio with no target is an empty cell)
                if row[1] == HAI_LANG and row[3] == THIS_MONTH.isoformat()}
    assert december["onboarded"] == 3  # the three households of the fixture, made today


def test_nobody_else_sees_or_downloads_anothers_file(app, province):
    client, _user = signed_in(app, "officer")
    page_url = _ask(client, file_format="csv", **QUARTER).headers["Location"]
    export = db.session.scalar(select(ReportExport).order_by(ReportExport.id.desc()))
    write_export_job.__wrapped__(export.id)
    with client.get(f"{page_url}/file") as answer:
        assert answer.data.decode("utf-8-sig").startswith("Mã tỉnh,Mã xã")
    colleague, _user = signed_in(app, "officer")
    assert colleague.get(page_url).status_code == 404
    assert colleague.get(f"{page_url}/file").status_code == 404


def test_another_province_or_a_bad_period_records_nothing(app, province):
    before = db.session.scalar(select(func.count(ReportExport.id)))
    client, _user = signed_in(app, "officer", province="01")
    assert _ask(client, file_format="csv", province="44", **QUARTER).status_code == 404
    assert _ask(client, file_format="csv", period="range", **{"from": "2026-12-31", "to": "2026-01-01"}) \
        .status_code == 400
    assert _ask(client, file_format="csv", period="month", month="13").status_code == 400
    assert db.session.scalar(select(func.count(ReportExport.id))) == before
