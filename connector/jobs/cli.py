import click
from flask.cli import with_appcontext

from connector.extensions import db
from connector.jobs.outbox import dispatch_outbox


@click.group("jobs", help="Background jobs.")
def jobs_cli():
    pass


@jobs_cli.command("dispatch")
@with_appcontext
def dispatch_command():
    """Push outbox jobs that never reached Redis (workers also do this every few seconds)."""
    pushed = dispatch_outbox()
    db.session.commit()
    click.echo(f"pushed {pushed} job(s)")
