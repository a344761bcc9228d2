"""Reading and writing spreadsheets: CSV (UTF-8, with or without BOM) and XLSX, Vietnamese headers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 20_000
# A cell whose text starts like a formula is run by the spreadsheet that opens the file (and openpyxl
# itself writes such a string as a formula): "=HYPERLINK(...)" typed as a name would be a link in an
# officer's report. Such text gets a leading apostrophe, as OWASP advises for CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(row) -> list:
    """The row's values, text that looks like a formula made plain text; numbers untouched."""
    return [f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value for value in row]


@dataclass
class Column:
    header: str  # Vietnamese, as in the template
    field: str  # the schema field it fills
    required: bool = False
    example: str = ""
    aliases: tuple[str, ...] = ()  # other headers accepted for this column (any case), e.g. "ma_xa"


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class Table:
    rows: list[dict[str, str]] = field(default_factory=list)  # by field name
    errors: list[RowError] = field(default_factory=list)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


MAX_COLUMNS = 64  # far more than any template has: a sheet 16,384 columns wide is not read across
MAX_BLANK_ROWS = 1_000  # blank rows in a row before the sheet is taken to have ended


def _xlsx_rows(data: bytes):
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for row in workbook.active.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [_cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _csv_rows(text: str):
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        yield [cell.strip() for cell in row[:MAX_COLUMNS]]


def _first_rows(rows, wanted: int) -> tuple[list[list[str]], bool]:
    """The first `wanted` non-blank rows, and whether the file holds more: reading stops there, so a
    file of a million rows costs what one of `wanted` rows does (issue 15: a 300 KB XLSX of a million
    rows held a web worker until it was killed, an 11 MB CSV took 320 MB)."""
    found, blank = [], 0
    for row in rows:
        if not any(row):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                break
            continue
        blank = 0
        if len(found) == wanted:
            return found, True
        found.append(row)
    return found, False


def read_table(data: bytes, columns: list[Column], max_rows: int = MAX_ROWS) -> Table:
    """Rows of the file keyed by field name, or errors about the file itself (encoding, headers,
    more than `max_rows` rows: refused as soon as row `max_rows + 1` is read)."""
    table = Table()
    if data.startswith(XLSX_MAGIC):
        try:
            raw_rows, more = _first_rows(_xlsx_rows(data), max_rows + 1)
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
            table.errors.append(RowError(0, "", _("This Excel file cannot be read.")))
            return table
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            table.errors.append(RowError(0, "", _(
                "The file is not UTF-8 (for example Windows-1258). In Excel choose \"CSV UTF-8\" when saving.")))
            return table
        try:
            raw_rows, more = _first_rows(_csv_rows(text), max_rows + 1)
        except csv.Error:
            table.errors.append(RowError(0, "", _("This CSV file cannot be read.")))
            return table
    if not raw_rows:
        table.errors.append(RowError(0, "", _("The file is empty.")))
        return table
    headers = raw_rows[0]
    known = {column.header: column for column in columns}
    known.update({alias.casefold(): column for column in columns for alias in column.aliases})
    headers = [header if header in known or header.casefold() not in known else header.casefold()
               for header in headers]
    for header in headers:
        if header and header not in known:
            table.errors.append(RowError(1, header, _("Unknown column. Use the template's headers.")))
    for column in columns:
        if column.required and not any(known.get(header) is column for header in headers):
            table.errors.append(RowError(1, column.header, _("This column is missing.")))
    if more:
        table.errors.append(RowError(0, "", _("At most %(n)s rows per file.", n=max_rows)))
    if table.errors:
        return table
    positions = [(index, known[header].field) for index, header in enumerate(headers) if header in known]
    for raw in raw_rows[1:]:
        table.rows.append({name: (raw[index] if index < len(raw) else "") for index, name in positions})
    return table


def template_csv(columns: list[Column]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralised(column.header for column in columns))
    writer.writerow(neutralised(column.example for column in columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 correctly


def template_xlsx(columns: list[Column], title: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title[:31]  # Excel's limit for a sheet name
    sheet.append(neutralised(column.header for column in columns))
    sheet.append(neutralised(column.example for column in columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
