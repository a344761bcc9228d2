"""`flask --app connector service-points import FILE | generate --province CODE|--all | rematch --date D`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from connector.extensions import db
from connector.logistics.batch import rematch_day
from connector.logistics.generator import generate_points
from connector.logistics.importer import import_points


@click.group("service-points", help="Postal service points: import, demo data, pickup re-matching.")
def service_points_cli():
    pass


@service_points_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path):
    """Import CSV/XLSX (columns code,name,lat,lon[,type,commune_code,address,daily_capacity,opening_hours])
    or GeoJSON points. Any bad row: nothing is imported and every error is listed."""
    result = import_points(file.read_bytes(), file.name)
    if result.errors:
        db.session.rollback()
        for error in result.errors:
            where = f"row {error.row}" if error.row else "file"
            click.echo(f"{where}, {error.column or '-'}: {error.message}", err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"{result.created} created, {result.updated} updated")


@service_points_cli.command("generate")
@click.option("--province", help="Province code (e.g. 44)")
@click.option("--all", "everywhere", is_flag=True, help="Every province")
@with_appcontext
def generate_command(province, everywhere):
    """Demo data: a BĐVHX per commune and a bưu cục per ~10 communes (marked as generated)."""
    if bool(province) == bool(everywhere):
        raise click.UsageError("give --province CODE or --all")
    created, updated = generate_points(None if everywhere else province)
    db.session.commit()
    click.echo(f"{created} created, {updated} updated (generated demo data)")


@service_points_cli.command("rematch")
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@with_appcontext
def rematch_command(day):
    """Re-match a day's pickups at the least total distance; prints greedy vs optimal."""
    stats = rematch_day(date.fromordinal(day.toordinal()), current_app.config["PICKUP_MAX_DISTANCE_KM"])
    db.session.commit()
    click.echo(f"{stats['orders']} orders: greedy {stats['greedy_km']} km, optimal {stats['optimal_km']} km, "
               f"unassigned {stats['unassigned']}")


@service_points_cli.command("assign-agent")
@click.option("--username", required=True)
@click.option("--code", required=True, help="Service point code")
@with_appcontext
def assign_agent_command(username, code):
    """Link an agent's account to the service point they work at."""
    from sqlalchemy import select

    from connector.auth.models import User
    from connector.logistics.models import ServicePoint

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    if db.session.scalar(select(ServicePoint.id).where(ServicePoint.code == code)) is None:
        raise click.ClickException(f"no service point {code}")
    user.service_point_code = code
    db.session.commit()
    click.echo(f"{username} -> {code}")


@service_points_cli.command("serve")
@click.argument("code")
@click.argument("communes", nargs=-1, required=True)
@click.option("--nearest", "by_nearest", is_flag=True,
              help="Hand these communes back to the nearest-point rule instead")
@with_appcontext
def serve_command(code, communes, by_nearest):
    """Set by hand that the point CODE serves COMMUNES (commune codes), overriding the nearest point."""
    from sqlalchemy import select

    from connector.errors import ValidationFailed
    from connector.logistics.models import ServicePoint
    from connector.logistics.services import set_served_communes

    point = db.session.scalar(select(ServicePoint).where(ServicePoint.code == code))
    if point is None:
        raise click.ClickException(f"no service point {code}")
    try:
        set_served_communes(point, list(communes), by_nearest=by_nearest)
    except ValidationFailed as failure:
        raise click.ClickException(failure.text()) from None
    db.session.commit()
    click.echo(f"{len(communes)} communes {'back to the nearest point' if by_nearest else f'served by {code}'}")

