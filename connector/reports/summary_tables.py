"""The summary rows the dashboards read (issue 14: exact figures at a million households).

Written only by `connector.reports.summaries`, which recounts a commune's rows from the base tables
whenever database triggers (migration 0015) have marked the commune changed: every insert, update or
delete that can move a figure, bulk statements included, marks its commune in `report_changes` in
the same transaction. Plain tables rather than mapped classes: rows are replaced a commune at a time
and read only as sums.

- `report_days` / `report_months`: what happened on a day (in Vietnam) or in a month, per commune:
  households onboarded or first trained, orders, their value, money received, parcels by the status
  their order's parcel has now. Cumulative figures sum every earlier month and day.
- `report_now`: how things stand now (products, OCOP products, listings and live households).
- `report_active`: households active in the 90 days before each day (not a sum of days).
- `report_reasons`: refused listings per commune, marketplace and reason.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, Integer, String, Table, Text, func

from connector.db import UTCDateTime
from connector.extensions import db

# Columns of the day and month rows (flows), and of the "now" rows (states).
FLOWS = ("onboarded", "trained", "orders", "order_value", "received", "received_transfer", "received_cod",
         "received_marketplace", "parcels_on_the_way", "parcels_delivered", "parcels_failed_or_returned",
         "pickups_flagged")
STATES = ("products", "ocop_3", "ocop_4", "ocop_5", "ocop_3plus", "ocop_3plus_live_both", "live_postmart",
          "live_voso", "live_both", "listings_live_postmart", "listings_pending_postmart",
          "listings_rejected_postmart", "listings_live_voso", "listings_pending_voso", "listings_rejected_voso")


def _counts(names):
    return [Column(name, BigInteger, nullable=False, default=0) for name in names]


report_changes = Table(
    "report_changes", db.metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("commune_code", String(5), nullable=False),
    Column("marked_at", UTCDateTime, nullable=False, server_default=func.now()),
)

def _flows_table(name: str, moment: str) -> Table:
    """Rows of flows per commune and `moment` (a day, or a month's first day)."""
    return Table(
        name, db.metadata,
        Column("commune_code", String(5), primary_key=True),
        Column(moment, Date, primary_key=True),
        Column("province_code", String(2), nullable=False),
        *_counts(FLOWS),
        Index(f"ix_{name}_province_{moment}", "province_code", moment),
        Index(f"ix_{name}_{moment}", moment),
    )


report_days = _flows_table("report_days", "day")
report_months = _flows_table("report_months", "month")

report_now = Table(
    "report_now", db.metadata,
    Column("commune_code", String(5), primary_key=True),
    Column("province_code", String(2), nullable=False, index=True),
    *_counts(STATES),
)

report_active = Table(
    "report_active", db.metadata,
    Column("commune_code", String(5), primary_key=True),
    Column("day", Date, primary_key=True),  # households active in the 90 days before this day
    Column("province_code", String(2), nullable=False),
    Column("households", BigInteger, nullable=False),
    Index("ix_report_active_day_province", "day", "province_code"),
)

report_reasons = Table(
    "report_reasons", db.metadata,
    Column("commune_code", String(5), primary_key=True),
    Column("marketplace", String(20), primary_key=True),
    Column("reason", String(200), primary_key=True),
    Column("province_code", String(2), nullable=False, index=True),
    Column("listings", BigInteger, nullable=False),
)

# Small facts about the summaries: when they were last brought up to date, up to which day the
# "active" rows run.
report_state = Table(
    "report_state", db.metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(40), nullable=False),
)

# What each periodic recount found: the summaries against a direct count over the base tables.
report_recounts = Table(
    "report_recounts", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("communes", Integer, nullable=False),
    Column("seconds", Integer, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("differences", Text, nullable=False, default=""),  # one line per difference
)
