"""acquirers: the VietQR members of NAPAS missing from the first list (Co-opBank, VBSP, BVBank, Kienlongbank...)

Adds the rows banks/data/acquirers.csv gained (41, read 2026-12-03) to a registry installed before;
rows already there, and admins' changes to them, are kept. A fresh install has them from 0007.

Revision ID: 0017_napas_members
Revises: 0016_staff_session_version
Create Date: 2026-12-03 15:05:00

"""
import csv
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

ACQUIRERS_CSV = Path(__file__).resolve().parents[2] / "banks" / "data" / "acquirers.csv"

revision = '0017_napas_members'
down_revision = '0016_staff_session_version'
branch_labels = None
depends_on = None

acquirers = sa.table(
    "acquirers", sa.column("bin", sa.String), sa.column("short_name", sa.String), sa.column("name_vi", sa.String),
    sa.column("kind", sa.String), sa.column("source", sa.String), sa.column("listed_on", sa.Date),
    sa.column("note", sa.String), sa.column("enabled", sa.Boolean), sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)


def upgrade():
    known = {row[0] for row in op.get_bind().execute(sa.select(acquirers.c.bin))}
    now = datetime.now(timezone.utc)
    with ACQUIRERS_CSV.open(encoding="utf-8") as handle:
        rows = [dict(row, listed_on=date.fromisoformat(row["listed_on"]), enabled=True, created_at=now,
                     updated_at=now) for row in csv.DictReader(handle) if row["bin"] not in known]
    if rows:
        op.bulk_insert(acquirers, rows)


def downgrade():
    pass  # the rows stay: payout accounts may name them by now
