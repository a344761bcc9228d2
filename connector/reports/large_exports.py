"""Large exports (issue 14): plain rows, one per commune x month x indicator, for any area and range
(a national file over every commune and two years holds millions of rows). The request only records
what is wanted; a background job writes the file month by month, streaming (CSV row by row, XLSX in
openpyxl's write-only mode), and records its progress; the export's page shows it and, once done,
the link. Only the person who asked may download the file.
"""

from __future__ import annotations

import csv
import logging
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from connector.admin_units.models import Commune
from connector.db import utcnow
from connector.extensions import db
from connector.jobs import enqueue_after_commit, job
from connector.reports.indicators import INDICATORS, figures
from connector.reports.jobs import REPORTS
from connector.reports.measures import Area, Period
from connector.reports.models import ReportExport
from connector.tables import neutralised

log = logging.getLogger(__name__)


def months_of(start: date, end: date) -> list[Period]:
    """The range cut at month boundaries: [start, end) as whole or partial months."""
    periods, cursor = [], start
    while cursor < end:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        periods.append(Period(cursor, min(following, end)))
        cursor = following
    return periods


def request_export(user, area: Area, period: Period, file_format: str) -> ReportExport:
    export = ReportExport(requested_by_id=user.id, province_code=area.province_code, commune_code=area.commune_code,
                          start=period.start, end=period.end, file_format=file_format,
                          months=len(months_of(period.start, period.end)))
    db.session.add(export)
    db.session.flush()
    enqueue_after_commit(write_export_job, export.id)
    return export


def export_folder() -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@job(REPORTS, timeout=3600)
def write_export_job(export_id: int) -> int:
    export = db.session.get(ReportExport, export_id)
    if export is None or export.status == "done":
        return 0
    export.status, export.months_done, export.rows = "running", 0, 0
    db.session.commit()
    try:
        with force_locale("vi"):
            return write_export(export)
    except Exception:
        db.session.rollback()
        export = db.session.get(ReportExport, export_id)
        export.status = "failed"
        db.session.commit()
        log.exception("report export %s failed", export_id)
        raise


def write_export(export: ReportExport) -> int:
    area = Area(export.province_code, export.commune_code)
    statement = select(Commune.code, Commune.name, Commune.province_code).order_by(Commune.code)
    if area.province_code:
        statement = statement.where(Commune.province_code == area.province_code)
    if area.commune_code:
        statement = statement.where(Commune.code == area.commune_code)
    communes = db.session.execute(statement).all()
    last_day = Period(export.start, export.end).last_day
    name = f"bao-cao-{export.id}-{export.start.isoformat()}-{last_day.isoformat()}.{export.file_format}"
    path = export_folder() / name
    header = [_("Province code"), _("Commune code"), _("Commune"), _("From day"), _("To day"), _("Indicator"),
              _("Indicator name"), _("Value")]
    with _RowWriter(path, export.file_format, header) as writer:
        for period in months_of(export.start, export.end):
            found = figures(area, period).communes
            for code, commune, province in communes:
                values = found.get(code, {})
                for indicator in INDICATORS:
                    value = values.get(indicator.key, None if indicator.denominator else 0)
                    writer.write([province, code, commune, period.start.isoformat(), period.last_day.isoformat(),
                                  indicator.key, str(indicator.label), value])
            export.months_done += 1
            export.rows = writer.rows
            db.session.commit()  # the progress the export's page shows
    export.status, export.file_name, export.finished_at = "done", name, utcnow()
    db.session.commit()
    return export.rows


class _RowWriter:
    """Rows to a file without holding them: csv row by row, XLSX in write-only mode (an XLSX sheet
    holds at most 1,048,576 rows: beyond it the rows go on in a new sheet)."""

    SHEET_ROWS = 1_000_000

    def __init__(self, path: Path, file_format: str, header: list[str]):
        self.path, self.file_format, self.header, self.rows = path, file_format, header, 0

    def __enter__(self):
        if self.file_format == "csv":
            # UTF-8 with a byte-order mark: Excel in Vietnam opens it with the diacritics right.
            self.file = self.path.open("w", encoding="utf-8-sig", newline="")
            self.csv = csv.writer(self.file)
            self.csv.writerow(self.header)
        else:
            self.book = Workbook(write_only=True)
            self._new_sheet()
        return self

    def _new_sheet(self) -> None:
        self.sheet = self.book.create_sheet(f"{_('Report')} {len(self.book.worksheets) + 1}")
        self.sheet.append(self.header)
        self.in_sheet = 0

    def write(self, row: list) -> None:
        self.rows += 1
        row = neutralised(row)
        if self.file_format == "csv":
            self.csv.writerow(row)
            return
        if self.in_sheet >= self.SHEET_ROWS:
            self._new_sheet()
        self.sheet.append(row)
        self.in_sheet += 1

    def __exit__(self, *exc) -> None:
        if self.file_format == "csv":
            self.file.close()
        elif exc[0] is None:
            self.book.save(self.path)
