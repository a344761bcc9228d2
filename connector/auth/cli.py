"""`flask --app connector users ...`: staff accounts from the command line."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from connector.auth import services
from connector.auth.jobs import purge_dead_tokens_job
from connector.auth.models import User
from connector.auth.roles import Role
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.jobs import enqueue_after_commit


def fail_with(error: ValidationFailed) -> None:
    for field, messages in error.errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@click.group("users", help="Staff accounts.")
def users_cli():
    pass


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--province", "province_code", default=None, help="2025 province code, e.g. 44.")
@click.option("--full-name", default="")
@with_appcontext
def create_command(username, password, role, province_code, full_name):
    """Create a staff account."""
    try:
        user = services.create_user(
            username=username, password=password, role=role, province_code=province_code, full_name=full_name
        )
    except ValidationFailed as error:
        db.session.rollback()
        fail_with(error)
    db.session.commit()
    click.echo(f"created {user.username} ({user.role}{', ' + user.province_code if user.province_code else ''})")


@users_cli.command("revoke-tokens")
@click.option("--username", required=True)
@with_appcontext
def revoke_tokens_command(username):
    """Revoke every API token of a user (lost phone, staff leaving)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"no such user: {username}", err=True)
        raise SystemExit(1)
    count = services.revoke_user_tokens(user)
    db.session.commit()
    click.echo(f"revoked {count} token(s)")


def _user_named(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        click.echo(f"no such user: {username}", err=True)
        raise SystemExit(1)
    return user


@users_cli.command("set-password")
@click.option("--username", required=True)
@click.password_option(help="At least 10 characters.")
@with_appcontext
def set_password_command(username, password):
    """Give a staff member a new password: their page sessions and API tokens end."""
    try:
        services.set_password(_user_named(username), password)
    except ValidationFailed as error:
        db.session.rollback()
        fail_with(error)
    db.session.commit()
    click.echo("password changed; every session of this account has ended")


@users_cli.command("deactivate")
@click.option("--username", required=True)
@with_appcontext
def deactivate_command(username):
    """Staff leaving: the account can no longer sign in, and its sessions and tokens end now."""
    services.deactivate(_user_named(username))
    db.session.commit()
    click.echo("deactivated; every session of this account has ended")


@users_cli.command("purge-tokens")
@click.option("--keep-days", default=30, show_default=True, type=click.IntRange(min=0))
@with_appcontext
def purge_tokens_command(keep_days):
    """Queue the maintenance job that deletes long-dead API tokens (run it daily from a scheduler)."""
    enqueue_after_commit(purge_dead_tokens_job, keep_days)
    db.session.commit()
    click.echo("queued")
