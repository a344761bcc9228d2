import click
from flask.cli import with_appcontext

from connector.admin_units.services import sync_admin_units
from connector.extensions import db


@click.group("admin-units", help="Vietnam's administrative units.")
def admin_units_cli():
    pass


@admin_units_cli.command("sync")
@with_appcontext
def sync_command():
    """Load or refresh the 34 provinces and 3,321 communes (idempotent; run at each release)."""
    counts = sync_admin_units()
    db.session.commit()
    click.echo(f"{counts['provinces']} provinces, {counts['communes']} communes")
