"""Files of the dashboards' tables (CSV, XLSX; as shown or as plain rows) and the monthly report."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from connector.i18n import format_day, format_moment
from connector.reports.indicators import BY_KEY, INDICATORS
from connector.tables import neutralised

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _level_names(level: str) -> tuple[str, str]:
    return {"commune": (_("Commune code"), _("Commune")), "province": (_("Province code"), _("Province")),
            "agent": (_("Agent number"), _("Agent")),
            "point": (_("Service point code"), _("Service point"))}[level]


def _table(rows, level: str, columns: list[str]) -> list[list]:
    header = [*_level_names(level)] + [str(BY_KEY[key].label) for key in columns]
    return [header] + [[row["code"], row["name"]] + [row["values"].get(key) for key in columns] for row in rows]


def _plain(rows, level: str, period, keys: list[str]) -> list[list]:
    header = [_("Area level"), _("Area code"), _("Area"), _("From day"), _("To day"), _("Indicator"),
              _("Indicator name"), _("Value")]
    body = [[level, row["code"], row["name"], period.start.isoformat(), period.last_day.isoformat(), key,
             str(BY_KEY[key].label), row["values"].get(key)] for row in rows for key in keys]
    return [header] + body


def _send(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Cache-Control": "private, no-store"})


def breakdown_file(file_format: str, layout: str, rows, level: str, period, as_of, columns: list[str]) -> Response:
    # Plain rows hold every indicator of an area; an agent or a point has only the table's columns.
    keys = [indicator.key for indicator in INDICATORS] if level in ("commune", "province") else columns
    table = _table(rows, level, columns) if layout == "table" else _plain(rows, level, period, keys)
    name = f"bao-cao-{period.start.isoformat()}-{period.last_day.isoformat()}-{layout}.{file_format}"
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerows(neutralised(line) for line in table)
        # UTF-8 with a byte-order mark: Excel in Vietnam opens it with the diacritics right.
        return _send(("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8", name)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Report"))
    sheet.append([_("Figures as of %(when)s", when=format_moment(as_of))])
    for line in table:
        sheet.append(neutralised(line))
    buffer = io.BytesIO()
    book.save(buffer)
    return _send(buffer.getvalue(), XLSX, name)


MONTHLY_COLUMNS = ["onboarded", "onboarded_in_period", "onboarded_vs_target", "trained", "active", "live_postmart",
                   "live_voso", "live_both", "products", "orders", "order_value", "received"]


def monthly_rows(found, rows) -> list[dict]:
    return [{"commune_code": row["code"], "commune": row["name"],
             **{key: row["values"].get(key, None if BY_KEY[key].denominator else 0) for key in MONTHLY_COLUMNS}}
            for row in sorted(rows, key=lambda row: row["name"])]


def monthly_report(province, period, found, rows) -> Response:
    """One sheet: title, period, one row per commune with the indicators as columns, totals, and the
    signature block a provincial department signs before sending it upward."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")
    bold = Font(bold=True)
    sheet.append([_("REPORT ON BRINGING FARMING HOUSEHOLDS ONTO THE POSTAL E-COMMERCE MARKETPLACES")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([province.name])
    sheet.append([_("Period: from %(start)s to %(end)s", start=format_day(period.start),
                    end=format_day(period.last_day))])
    sheet.append([_("Figures as of %(when)s", when=format_moment(found.as_of))])
    sheet.append([])
    sheet.append([_("No."), _("Commune code"), _("Commune")] + [str(BY_KEY[key].label) for key in MONTHLY_COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(monthly_rows(found, rows), start=1):
        sheet.append(neutralised([number, row["commune_code"], row["commune"]] + [row[key] for key in MONTHLY_COLUMNS]))
    totals = found.totals
    sheet.append(["", "", _("Whole province")] + [totals.get(key) for key in MONTHLY_COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([])
    sheet.append(["", "", _("PREPARED BY"), "", "", "", "", _("HEAD OF DEPARTMENT")])
    sheet.append(["", "", _("(signature and full name)"), "", "", "", "", _("(signature, full name and seal)")])
    sheet.column_dimensions["C"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return _send(buffer.getvalue(), XLSX, f"bao-cao-thang-{province.code}-{period.start.isoformat()}.xlsx")
