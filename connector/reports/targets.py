"""Commune targets: the admins' national file (CSV or XLSX, all rows or none) and the officers'
adjustments of their own province. Services only flush; every change leaves an audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from connector.admin_units.models import Commune, Province
from connector.audit.services import record
from connector.auth.roles import has_permission, province_scope
from connector.errors import NotFound, PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.reports.drawn import figures_changed
from connector.reports.models import CommuneTarget
from connector.tables import Column, RowError, read_table, template_csv, template_xlsx

FIRST_YEAR, LAST_YEAR = 2020, 2035
MAX_COUNT = 1_000_000  # far above any commune's households; keeps a typo (an extra zero or three) out
COLUMNS = [
    Column("Mã xã", "commune_code", True, "19702", ("commune_code", "ma_xa", "ma xa", "mã_xã")),
    Column("Năm", "year", True, "2026", ("year", "nam", "năm")),
    Column("Số hộ nông nghiệp", "agricultural_households", True, "1200",
           ("agricultural_households", "so_ho_nong_nghiep", "so ho nong nghiep", "số_hộ_nông_nghiệp")),
    Column("Chỉ tiêu", "onboarding_target", True, "300",
           ("onboarding_target", "chi_tieu", "chi tieu", "chỉ_tiêu", "Chỉ tiêu lên sàn")),
]
HEADER_FOR = {column.field: column.header for column in COLUMNS}
TEMPLATE_NAME, SHEET_NAME = "mau-chi-tieu", "Chỉ tiêu"
# Whole numbers as people type them: 1200, 1.200, 1,200 or 1 200 (thousands grouped by three).
WHOLE = re.compile(r"^\d+$|^\d{1,3}([., ]\d{3})+$")


@dataclass
class TargetRow:
    row: int
    commune_code: str
    year: int
    agricultural_households: int
    onboarding_target: int


@dataclass
class TargetReport:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.errors


def parse_count(text: str) -> tuple[int | None, str | None]:
    """A whole number ≥ 0 (at most MAX_COUNT), or the Vietnamese reason it is not one."""
    text = (text or "").strip()
    if not text:
        return None, _("Enter a number.")
    if text.startswith("-") and WHOLE.match(text[1:]):
        return None, _("The number cannot be negative.")
    if not WHOLE.match(text):
        return None, _("Enter a whole number, for example 1200.")
    value = int(re.sub(r"\D", "", text))
    if value > MAX_COUNT:
        return None, _("At most %(n)s.", n=f"{MAX_COUNT:,}".replace(",", "."))
    return value, None


def parse_year(text: str) -> tuple[int | None, str | None]:
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        return None, _("Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    return int(text), None


def check_counts(agricultural: int | None, target: int | None) -> str | None:
    if agricultural is not None and target is not None and target > agricultural:
        return _("The target cannot exceed the number of agricultural households.")
    return None


# -- the national file ------------------------------------------------------------------------------

def template_file(ext: str) -> tuple[bytes, str] | None:
    """The file to fill in, as (content, file name); None for a format other than csv or xlsx."""
    if ext == "csv":
        return template_csv(COLUMNS), f"{TEMPLATE_NAME}.csv"
    if ext == "xlsx":
        return template_xlsx(COLUMNS, SHEET_NAME), f"{TEMPLATE_NAME}.xlsx"
    return None


def _plan(user, data: bytes) -> tuple[TargetReport, list[TargetRow]]:
    if not has_permission(user, "targets.import"):
        raise PermissionDenied()
    table = read_table(data, COLUMNS)
    report = TargetReport(rows=len(table.rows), errors=list(table.errors))
    if table.errors:
        return report, []
    known = set(db.session.scalars(select(Commune.code)))
    seen: dict[tuple[str, int], int] = {}
    good: list[TargetRow] = []
    for index, raw in enumerate(table.rows):
        row = index + 2  # the header is row 1
        errors_before = len(report.errors)

        def fail(field_name: str, message: str, row=row) -> None:
            report.errors.append(RowError(row, HEADER_FOR[field_name], message))

        code = raw.get("commune_code", "").strip()
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)  # Excel drops the leading zeros of "00004"
        if not code:
            fail("commune_code", _("Enter the commune code."))
        elif code not in known:
            fail("commune_code", _("Unknown commune code: %(code)s.", code=code))
        year, problem = parse_year(raw.get("year", ""))
        if problem:
            fail("year", problem)
        agricultural, problem = parse_count(raw.get("agricultural_households", ""))
        if problem:
            fail("agricultural_households", problem)
        target, problem = parse_count(raw.get("onboarding_target", ""))
        if problem:
            fail("onboarding_target", problem)
        if problem := check_counts(agricultural, target):
            fail("onboarding_target", problem)
        if code in known and year is not None:
            if (code, year) in seen:
                fail("commune_code", _("Same commune and year as row %(row)s.", row=seen[(code, year)]))
            else:
                seen[(code, year)] = row
        if len(report.errors) == errors_before:
            good.append(TargetRow(row, code, year, agricultural, target))
    if report.errors:
        return report, []
    existing = _existing({(r.commune_code, r.year) for r in good})
    for target_row in good:
        found = existing.get((target_row.commune_code, target_row.year))
        if found is None:
            report.new += 1
        elif (found.agricultural_households, found.onboarding_target) == (
                target_row.agricultural_households, target_row.onboarding_target):
            report.unchanged += 1
        else:
            report.updated += 1
    return report, good


def _existing(keys: set[tuple[str, int]]) -> dict[tuple[str, int], CommuneTarget]:
    years = {year for _code, year in keys}
    if not years:
        return {}
    return {(t.commune_code, t.year): t for t in db.session.scalars(
        select(CommuneTarget).where(CommuneTarget.year.in_(years)))}


def preview_targets(user, data: bytes) -> TargetReport:
    """Check every row and count what would be added or changed; writes nothing."""
    return _plan(user, data)[0]


def import_targets(user, data: bytes) -> TargetReport:
    """Check every row, then write them all (new rows added, existing commune and year updated) or,
    when any row is wrong, nothing: ValidationFailed with every error."""
    report, rows = _plan(user, data)
    if not report.clean:
        raise ValidationFailed(_("The file has errors: nothing was imported."),
                               errors={"rows": [f"{e.row}|{e.column}|{e.message}" for e in report.errors]})
    existing = _existing({(r.commune_code, r.year) for r in rows})
    _save(user, [(existing.get((r.commune_code, r.year)), r.commune_code, r.year, r.agricultural_households,
                  r.onboarding_target) for r in rows], "import")
    return report


def _save(user, rows: list[tuple[CommuneTarget | None, str, int, int, int]], action: str) -> int:
    """Insert or update targets, given as (existing or None, commune code, year, agricultural households,
    target), each change with its audit event; returns how many changed. One flush for the lot: a
    national file has thousands of rows."""
    changed: list[tuple[CommuneTarget, dict]] = []
    for found, code, year, agricultural, target in rows:
        before = (found.agricultural_households, found.onboarding_target) if found else (None, None)
        if before == (agricultural, target):
            continue
        if found is None:
            found = CommuneTarget(commune_code=code, year=year)
            db.session.add(found)
        found.agricultural_households, found.onboarding_target = agricultural, target
        found.updated_by_id = user.id
        changes = {"agricultural_households": [before[0], agricultural], "onboarding_target": [before[1], target]}
        changed.append((found, {key: value for key, value in changes.items() if value[0] != value[1]}))
    db.session.flush()  # the new targets get their ids, which the audit events name
    for found, changes in changed:
        record(user, action, "commune_target", found.id, changes, flush=False)
    if changed:
        figures_changed()  # the dashboards draw the new targets at once (reports/drawn.py)
    db.session.flush()
    return len(changed)


# -- one province, adjusted by its officer ----------------------------------------------------------

def target_province(user, requested: str | None) -> Province | None:
    """The province whose targets `user` sees: an officer's own (asking for another is "not found");
    for an admin the one asked for, or None until one is chosen."""
    if not has_permission(user, "targets.adjust"):
        raise PermissionDenied()
    scope = province_scope(user)
    if scope is not None and requested and requested != scope:
        raise NotFound()
    code = scope or requested
    if not code:
        return None
    province = db.session.get(Province, code)
    if province is None:
        raise NotFound()
    return province


def province_targets(province: Province, year: int) -> list[tuple[Commune, CommuneTarget | None]]:
    """Every commune of the province with its target for `year` (None where there is none yet)."""
    communes = db.session.scalars(
        select(Commune).where(Commune.province_code == province.code).order_by(Commune.short_name)).all()
    targets = {t.commune_code: t for t in db.session.scalars(select(CommuneTarget).where(
        CommuneTarget.year == year, CommuneTarget.commune_code.in_([c.code for c in communes])))}
    return [(commune, targets.get(commune.code)) for commune in communes]


def adjust_targets(user, province: Province, year: int, values: dict[str, tuple[str, str]]) -> int:
    """Save the numbers typed for the province's communes, `values` mapping a commune code to the
    (agricultural households, target) texts. Every row is checked first: any error saves nothing
    (ValidationFailed, errors keyed "agricultural-<code>" / "target-<code>"). A commune outside the
    province is "not found". Returns how many communes changed."""
    by_code = {commune.code: (commune, target) for commune, target in province_targets(province, year)}
    if any(code not in by_code for code in values):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    clean: list[tuple[str, CommuneTarget | None, int, int]] = []
    for code, (agricultural_text, target_text) in values.items():
        _commune, found = by_code[code]
        if found is None and not agricultural_text.strip() and not target_text.strip():
            continue  # no target yet and none typed
        agricultural, problem = parse_count(agricultural_text)
        if problem:
            errors[f"agricultural-{code}"] = [problem]
        target, problem = parse_count(target_text)
        if problem or (problem := check_counts(agricultural, target)):
            errors[f"target-{code}"] = [problem]
        if agricultural is not None and target is not None and f"target-{code}" not in errors:
            clean.append((code, found, agricultural, target))
    if errors:
        raise ValidationFailed(_("Some numbers are not valid: nothing was saved."), errors=errors)
    return _save(user, [(found, code, year, agricultural, target) for code, found, agricultural, target in clean],
                 "update")
