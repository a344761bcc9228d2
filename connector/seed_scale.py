"""`flask --app connector seed scale --households N`: realistic volumes on PostgreSQL for the
dashboards' benchmarks (issue 14).

Households are skewed by commune (a few communes hold many, most hold a few hundred), onboarded over
the last two years; each has about three products (a third OCOP-rated), listings on both
marketplaces in every state, about five orders following the order model (money received for most,
a parcel for most, in every status), trainings and farmer sign-ins. Rows are made by the database
itself (INSERT ... SELECT over generate_series): a million households take minutes, not hours.
The summary triggers are held off while the rows go in (one mark per row would be millions of
marks); every commune is then marked once and recounted, which is timed and printed.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from connector.extensions import db

TRIGGERED = ("households", "products", "listings", "orders", "order_receipts", "shipments", "pickups",
             "household_trainings", "farmer_sessions")

STEPS = [
    ("communes", """
        CREATE TEMP TABLE scale_communes ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY md5(code))) - 1 AS n, code, province_code,
               coalesce(lat, 16.5) AS lat, coalesce(lon, 107.2) AS lon FROM communes
        WHERE CAST(:province AS varchar) IS NULL OR province_code = CAST(:province AS varchar)"""),
    ("households", """
        INSERT INTO households (head_name, name_key, phone, province_code, commune_code, village, address_line,
            lat, lon, location_approximate, main_products, status, consent_version, consent_at, created_at, updated_at)
        SELECT 'Hộ Quy Mô ' || s.g, 'ho quy mo ' || s.g, '+849' || lpad((:base + s.g)::text, 8, '0'),
               c.province_code, c.code, 'Thôn Một', '', c.lat, c.lon, true, 'Gạo',
               CASE WHEN s.r < 0.03 THEN 'archived' WHEN s.r < 0.05 THEN 'suspended' ELSE 'active' END,
               '2025-01', s.t, s.t, s.t
        FROM (SELECT g, random() AS r, floor(:communes * power(random(), 1.5))::int AS n,
                     now() - random() * interval '730 days' AS t
              FROM generate_series(1, :households) g) s
        JOIN scale_communes c ON c.n = s.n"""),
    ("products", """
        INSERT INTO products (household_id, name, name_key, description, category, unit, price_vnd, stock,
            weight_grams, ocop_stars, ocop_certificate_no, ocop_province_code, ocop_issued_on, ocop_expires_on,
            lot_code, status, created_at, updated_at)
        SELECT h.id, 'Sản phẩm ' || p, 'san pham ' || p, '', 'gao', 'kg', 20000 + (random() * 300)::int * 1000,
               (random() * 100)::int, 1000, s.stars,
               CASE WHEN s.stars IS NULL THEN NULL ELSE 'OCOP-' || h.id || '-' || p END,
               CASE WHEN s.stars IS NULL THEN NULL ELSE h.province_code END,
               CASE WHEN s.stars IS NULL THEN NULL ELSE date '2025-01-01' END,
               CASE WHEN s.stars IS NULL THEN NULL ELSE date '2028-01-01' END,
               '', CASE WHEN random() < 0.05 THEN 'archived' ELSE 'active' END,
               h.created_at + interval '1 day', h.created_at + interval '1 day'
        FROM households h
        CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 5)::int + (h.id * 0)) p
        CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.67 THEN NULL WHEN random() < 0.6 THEN 3
                                        WHEN random() < 0.75 THEN 4 ELSE 5 END + (p * 0) AS stars) s
        WHERE h.id > :first_household"""),
    ("listings", """
        INSERT INTO listings (product_id, marketplace, state, reason, wanted, remote_version, attempts, sync_pending,
                              created_at, updated_at)
        SELECT p.id, m.name, s.state,
               CASE WHEN s.state = 'rejected' THEN (ARRAY['Ảnh sản phẩm bị mờ', 'Thiếu giấy chứng nhận',
                    'Mô tả chưa đủ', 'Giá chưa hợp lệ', 'Sai danh mục'])[1 + floor(random() * 5)::int] END,
               true, 1, 1, false, p.created_at, p.created_at
        FROM products p
        CROSS JOIN (VALUES ('postmart', 0.85), ('voso', 0.7)) m(name, share)
        CROSS JOIN LATERAL (SELECT CASE WHEN x < 0.75 THEN 'live' WHEN x < 0.85 THEN 'pending_review'
                                        WHEN x < 0.95 THEN 'rejected' ELSE 'queued' END AS state, y
                            FROM (SELECT random() + (p.id * 0) AS x, random() + (p.id * 0) + (m.share * 0) AS y) r) s
        WHERE p.id > :first_product AND s.y < m.share"""),
    ("orders", """
        INSERT INTO orders (marketplace, remote_order_id, household_id, province_code, status, fulfilment,
            last_event_sequence, total_vnd, pay_by, buyer_name, buyer_phone, buyer_address, code, paid_vnd,
            payment_status, created_at, updated_at)
        SELECT CASE WHEN random() < 0.6 THEN 'postmart' ELSE 'voso' END, 'SCALE-' || h.id || '-' || o,
               h.id, h.province_code, 'DELIVERED', 'delivered', 1, s.total, 'cod', 'Người Mua', '+84900000000',
               'Hà Nội', 'S' || lpad((h.id * 16 + o)::text, 11, '0'), s.total, 'paid', s.t, s.t
        FROM households h
        CROSS JOIN LATERAL generate_series(1, floor(random() * 11)::int + (h.id * 0)) o
        CROSS JOIN LATERAL (SELECT 50000 + (random() * 150)::int * 10000 + (o * 0) AS total,
                                   h.created_at + random() * (now() - h.created_at) + (o * interval '0') AS t) s
        WHERE h.id > :first_household AND h.status <> 'archived'"""),
    ("receipts", """
        INSERT INTO order_receipts (order_id, channel, amount_vnd, reference, received_at, created_at)
        SELECT o.id, (ARRAY['transfer', 'cod', 'marketplace'])[1 + floor(random() * 3)::int], o.total_vnd,
               'SCALE-' || o.id, s.at, s.at
        FROM orders o CROSS JOIN LATERAL (SELECT least(o.created_at + interval '3 days', now()) AS at) s
        WHERE o.id > :first_order AND random() < 0.85"""),
    ("shipments", """
        INSERT INTO shipments (order_id, mode, cod_amount, status, remote_version, created_at, updated_at)
        SELECT o.id, 'dropoff', 0, CASE WHEN x < 0.85 THEN 'delivered' WHEN x < 0.9 THEN 'in_transit'
                                        WHEN x < 0.93 THEN 'received_at_post_office' WHEN x < 0.97 THEN 'failed'
                                        ELSE 'returned' END, 1, o.created_at, o.created_at
        FROM (SELECT o.*, random() AS x FROM orders o WHERE o.id > :first_order) o WHERE random() < 0.9"""),
    ("trainings", """
        INSERT INTO household_trainings (household_id, trained_on, topic, created_at)
        SELECT h.id, (h.created_at + interval '7 days')::date, 'Bán hàng trên sàn', h.created_at
        FROM households h WHERE h.id > :first_household AND random() < 0.6"""),
    ("farmer sessions", """
        INSERT INTO farmer_sessions (household_id, token_hash, via, device, created_at, last_seen_at, expires_at)
        SELECT h.id, md5('scale-' || h.id || '-' || random()), 'code', '', s.t, s.t, s.t + interval '60 days'
        FROM households h CROSS JOIN LATERAL (SELECT h.created_at + random() * (now() - h.created_at) AS t) s
        WHERE h.id > :first_household AND random() < 0.2"""),
]


def seed_scale(households: int, echo=print, province: str | None = None) -> None:
    """Add `households` households and their rows, then recount the summaries; with `province`,
    only in that province's communes (the load benchmark's one province, as an agent sees it)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("made-up households are never added in production")
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("seed scale fills PostgreSQL: set DATABASE_URL to a PostgreSQL database")
    session = db.session
    first = {name: session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))  # noqa: S608 - our names
             for name, table in (("household", "households"), ("product", "products"), ("order", "orders"))}
    params = {"households": households, "base": first["household"],
              "communes": session.scalar(text("SELECT count(*) FROM communes WHERE CAST(:province AS varchar) IS NULL "
                                              "OR province_code = CAST(:province AS varchar)"), {"province": province}),
              "first_household": first["household"], "first_product": first["product"],
              "first_order": first["order"], "province": province}
    for table in TRIGGERED:
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    for name, statement in STEPS:
        started = time.perf_counter()
        made = session.execute(text(statement), params).rowcount
        echo(f"  {name:<16} {max(made, 0):>11,} rows  {time.perf_counter() - started:7.1f} s")
    for table in TRIGGERED:
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    session.execute(text("INSERT INTO report_changes (commune_code) SELECT DISTINCT commune_code FROM households "
                         "WHERE id > :first_household"), params)
    # Plan the next queries from the new statistics, not from those of empty tables.
    session.execute(text(f"ANALYZE {', '.join(TRIGGERED)}"))
    session.commit()
    from connector.reports.summaries import refresh

    started, communes = time.perf_counter(), 0
    while done := refresh():
        session.commit()
        communes += done
    echo(f"  summaries        {communes:>11,} communes recounted in {time.perf_counter() - started:.1f} s")


@click.command("scale")
@click.option("--households", type=click.IntRange(1, 5_000_000), default=10_000, show_default=True)
@click.option("--province", default=None, help="Only this province's communes (a code, e.g. 44); default: all.")
@with_appcontext
def scale_command(households: int, province: str | None) -> None:
    """Fill PostgreSQL with realistic volumes for the benchmarks (about 3 products and 5 orders per household)."""
    seed_scale(households, echo=click.echo, province=province)
