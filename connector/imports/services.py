"""Preview and run imports. A file with any error imports nothing; the import is one transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text

from connector.auth.roles import has_permission
from connector.errors import NotFound, PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.imports import households, products
from connector.tables import RowError, read_table, template_csv, template_xlsx

KINDS = {
    "households": (households.COLUMNS, households.plan_households, households.import_households),
    "products": (products.COLUMNS, products.plan_products, products.import_products),
}
# The downloaded templates' file names and sheet names, in Vietnamese like the headers inside them
# (ASCII file names: they survive every phone's download folder and e-mail client).
TEMPLATE_NAMES = {"households": ("mau-ho", "Hộ gia đình"), "products": ("mau-san-pham", "Sản phẩm")}
TOKEN = re.compile(r"^\d+-[0-9a-f]{64}$")


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    new: int = 0
    unchanged: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.errors


def columns_for(kind: str):
    if kind not in KINDS:
        raise NotFound()
    return KINDS[kind][0]


def template_file(kind: str, ext: str) -> tuple[bytes, str] | None:
    """The template to fill in, as (content, file name); None for a format other than csv or xlsx."""
    columns = columns_for(kind)
    stem, sheet = TEMPLATE_NAMES[kind]
    if ext == "csv":
        return template_csv(columns), f"{stem}.csv"
    if ext == "xlsx":
        return template_xlsx(columns, sheet), f"{stem}.xlsx"
    return None


def _plan(user, kind: str, data: bytes, wrap_rows=None):
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    columns = columns_for(kind)
    plan_rows = KINDS[kind][1]
    table = read_table(data, columns)
    if wrap_rows is not None:
        table.rows = wrap_rows(table.rows)
    report = ImportReport(kind=kind, rows=len(table.rows), errors=list(table.errors))
    if table.errors:
        return report, None
    plan = plan_rows(user, table)
    report.new, report.unchanged, report.errors = len(plan.new), plan.unchanged, plan.errors
    return report, plan


def preview_import(user, kind: str, data: bytes) -> ImportReport:
    """Validate every row and count what would be added; writes nothing."""
    return _plan(user, kind, data)[0]


def run_import(user, kind: str, data: bytes, wrap_rows=None) -> ImportReport:
    """Validate, then import everything or, if any row is wrong, nothing (ValidationFailed).
    `wrap_rows` may wrap the file's rows before they are checked (a background run counts them)."""
    report, plan = _plan(user, kind, data, wrap_rows)
    if not report.clean:
        raise ValidationFailed(_("The file has errors: nothing was imported."),
                               errors={"rows": [f"{e.row}|{e.column}|{e.message}" for e in report.errors]})
    report.imported = KINDS[kind][2](user, plan)
    _analyze_after(kind, report.imported)
    return report


ANALYZE_AFTER_ROWS = 500
ANALYZED = {"households": "households", "products": "products"}


def _analyze_after(kind: str, rows: int) -> None:
    """After a large import, fresh statistics for the table it filled (issue 15: a server with
    autovacuum off planned the household list from the empty table's statistics and served it at half
    speed). ANALYZE runs inside the transaction and counts its own new rows; SQLite needs none."""
    if rows >= ANALYZE_AFTER_ROWS and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {ANALYZED[kind]}"))  # noqa: S608 - a table name of ours


def _upload_dir() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(user, data: bytes, new_rows: int = 0) -> str:
    """Keep an uploaded file between the preview and the confirmation; the token is tied to its user.
    How many rows the preview found to add is kept beside it: it decides whether the run waits."""
    token = f"{user.id}-{hashlib.sha256(data).hexdigest()}"
    (_upload_dir() / token).write_bytes(data)
    (_upload_dir() / f"{token}.rows").write_text(str(new_rows))
    return token


def stashed_rows(token: str) -> int:
    """The preview's count of rows to add for a stashed file (0 when unknown)."""
    path = _upload_dir() / f"{token}.rows"
    try:
        return int(path.read_text()) if TOKEN.match(token or "") else 0
    except (OSError, ValueError):
        return 0


def load_upload(user, token: str) -> bytes:
    if not TOKEN.match(token or "") or not token.startswith(f"{user.id}-"):
        raise NotFound()
    path = _upload_dir() / token
    if not path.is_file():
        raise ValidationFailed(errors={"file": [_("The uploaded file has expired. Upload it again.")]})
    return path.read_bytes()
