"""Uploads too long for an import are refused as soon as the row after the limit is read (issue 15,
finding 4: a 300 KB XLSX of a million rows held a web worker until gunicorn killed it, an 11 MB CSV
took 320 MB). Shown with the address space capped, in a process of its own: reading the whole file
would not fit."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

from connector.config import PROJECT_ROOT

ROWS = 1_000_000

CAPPED = """
import resource, sys
from connector.tables import Column, read_table
data = open(sys.argv[1], "rb").read()
size = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (size + 120 * 2**20, resource.RLIM_INFINITY))
from flask import Flask
from flask_babel import Babel
app = Flask("probe")
Babel(app)
with app.app_context():
    table = read_table(data, [Column("Ma", "code", required=True), Column("Ten", "name")])
print(len(table.rows), [error.message for error in table.errors])
"""


def _run(path) -> str:
    ran = subprocess.run([sys.executable, "-c", CAPPED, str(path)], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return ran.stdout


def test_a_csv_of_a_million_rows_is_refused_early_in_little_memory(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"Ma,Ten\n" + b"19702,Ho\n" * ROWS)  # 9 MB
    assert _run(path).strip() == "0 ['At most 20000 rows per file.']"


def _xlsx_of(rows: int) -> bytes:
    """A minimal workbook written by hand (openpyxl would take minutes to write a million rows)."""
    sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>',
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Ma</t></is></c><c r="B1" t="inlineStr"><is><t>Ten</t></is>'
             '</c></row>']
    sheet.append('<row><c><v>19702</v></c></row>' * rows)  # row numbers may be left out: they count on
    sheet.append("</sheetData></worksheet>")
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": "".join(sheet),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in files.items():
            book.writestr(name, text)
    return out.getvalue()


def test_an_xlsx_of_a_million_rows_is_refused_early_in_little_memory(tmp_path):
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_xlsx_of(ROWS))
    assert path.stat().st_size < 400_000  # small on the wire, a million rows inside
    assert _run(path).strip() == "0 ['At most 20000 rows per file.']"


def test_a_small_file_is_read_whole(tmp_path):
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_xlsx_of(3))
    assert _run(path).strip() == "3 []"
