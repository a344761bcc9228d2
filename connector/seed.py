"""`flask --app connector seed demo`: demo staff for one province (idempotent, never in production)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from connector.admin_units.models import Province
from connector.admin_units.services import sync_admin_units
from connector.auth.models import User
from connector.auth.services import create_user
from connector.extensions import db

DEMO_PROVINCE = "44"  # Quảng Trị (2025 code), the province DOMAIN.md uses as its example
DEMO_USERS = (
    # username, password, role, province, full name
    ("admin.demo", "demo-admin-2025", "admin", None, "Quản trị Demo"),
    ("canbo.quangtri", "demo-canbo-2025", "officer", DEMO_PROVINCE, "Trần Thị Cán Bộ"),
    ("buudien.hailang", "demo-buudien-2025", "agent", DEMO_PROVINCE, "Nguyễn Văn Bưu Điện"),
    ("quocgia.demo", "demo-quocgia-2025", "national", None, "Phạm Thị Quốc Gia"),
)


DEMO_SERVICE_POINT = "BD19702"  # generated BĐVHX of Xã Hải Lăng
# A demo farming household of Hải Lăng whose farmer signs in at /farmer with this phone; the code
# arrives at the sandbox's SMS gateway (make run prints where to read it).
DEMO_FARMER_PHONE = "0912 000 044"
DEMO_FARMER = {"head_name": "Lê Thị Mai", "phone": DEMO_FARMER_PHONE, "commune_code": "19702",
               "village": "Thôn Mỹ Chánh", "address_line": "", "main_products": "Gạo, mật ong",
               "payout_bin": "970405", "payout_account": "3906205000044", "payout_holder": "Lê Thị Mai",
               "consent": True}


def seed_demo() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo staff; returns (username, password, role) for each."""
    if db.session.get(Province, DEMO_PROVINCE) is None:
        sync_admin_units()
    logins = []
    for username, password, role, province, full_name in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            create_user(username=username, password=password, role=role,
                        province_code=province, full_name=full_name)
        else:  # same state on every run: the printed logins always work
            user.password_hash = generate_password_hash(password)
            user.role, user.province_code, user.active = role, province, True
        logins.append((username, password, role))
    db.session.flush()
    # The demo agent works at Hải Lăng's commune post office, when demo service points exist.
    from connector.logistics.models import ServicePoint

    agent = db.session.scalar(select(User).where(User.username == "buudien.hailang"))
    if db.session.scalar(select(ServicePoint.id).where(ServicePoint.code == DEMO_SERVICE_POINT)):
        agent.service_point_code = DEMO_SERVICE_POINT
        db.session.flush()
    _seed_demo_farmer(agent)
    return logins


def _seed_demo_farmer(agent: User) -> None:
    from connector.households.models import Household
    from connector.households.services import create_household
    from connector.households.validation import clean_phone

    if db.session.scalar(select(Household.id).where(Household.phone == clean_phone(DEMO_FARMER_PHONE))) is None:
        create_household(agent, dict(DEMO_FARMER), confirm_duplicates=True)


@click.group("seed", help="Demo data.")
def seed_cli():
    pass


@seed_cli.command("demo")
@with_appcontext
def demo_command():
    """Create the demo staff accounts and print their logins."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo accounts are never created in production")
    logins = seed_demo()
    db.session.commit()
    click.echo("Demo logins (province 44, Quảng Trị):")
    for username, password, role in logins:
        click.echo(f"  {role:<8} {username:<17} {password}")
    click.echo(f"  farmer   /farmer with the phone {DEMO_FARMER_PHONE}; the code arrives by SMS at the sandbox:")
    click.echo(f"           {current_app.config['SANDBOX_URL']}/_sandbox/sms/messages")


def _register_scale() -> None:
    from connector.seed_scale import scale_command

    seed_cli.add_command(scale_command)


_register_scale()
