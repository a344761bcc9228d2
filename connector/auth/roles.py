"""Roles, what each may do, and the area each may see."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    AGENT = "agent"
    NATIONAL = "national"  # reads every province's figures and reports, changes nothing (a ministry)


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.OFFICER: _l("Provincial officer"),
    Role.AGENT: _l("Postal agent"),
    Role.NATIONAL: _l("National viewer"),
}

# Permission -> roles holding it. Features add their permissions here, next to the others, so that
# one table answers "who may do what".
PERMISSIONS: dict[str, frozenset[Role]] = {
    "households.read": frozenset({Role.ADMIN, Role.OFFICER, Role.AGENT}),
    "households.write": frozenset({Role.ADMIN, Role.AGENT}),
    "reports.read": frozenset({Role.ADMIN, Role.OFFICER, Role.NATIONAL}),
    "reports.national": frozenset({Role.ADMIN, Role.NATIONAL}),  # every province at once
    "targets.import": frozenset({Role.ADMIN}),  # the national file of agricultural households and targets
    "targets.adjust": frozenset({Role.ADMIN, Role.OFFICER}),  # an officer, their own province's
    "trainings.record": frozenset({Role.ADMIN, Role.AGENT}),
    "users.manage": frozenset({Role.ADMIN}),
    "jobs.manage": frozenset({Role.ADMIN}),  # background jobs are not tied to an area
    "marketplaces.manage": frozenset({Role.ADMIN}),  # category mapping
    "households.suspend": frozenset({Role.ADMIN, Role.OFFICER}),
    "payments.record": frozenset({Role.ADMIN, Role.AGENT}),  # cash at the post office, a transfer seen
    "payments.manage": frozenset({Role.ADMIN}),  # banks registry, unmatched payments (not tied to an area)
    "pickups.manage": frozenset({Role.ADMIN, Role.AGENT}),  # parcels received at the service point
    "admin_units.read": frozenset({Role.ADMIN, Role.OFFICER, Role.AGENT}),
}

# What the home page tells each role it can do, in the order shown: only what has a page today.
CAPABILITIES = {
    Role.ADMIN: [
        _l("Manage staff accounts and roles"),
        _l("Follow every province's progress against its targets"),
        _l("Import the communes' agricultural households and onboarding targets"),
        _l("Onboard households and products in every province"),
        _l("Match payments that need staff, and keep the list of banks and wallets"),
        _l("Map product categories to the marketplaces' categories"),
        _l("See what notices to farmers cost, by channel"),
    ],
    Role.OFFICER: [
        _l("Follow your province's progress against its targets, commune by commune, and download the reports"),
        _l("Set your province's onboarding targets"),
        _l("See your province's households, products and orders"),
        _l("See which products the marketplaces refused, and why"),
        _l("Suspend a household, and reinstate it"),
        _l("See what notices to farmers cost, by channel"),
    ],
    Role.NATIONAL: [
        _l("Follow onboarding and sales in every province against the targets, and download the reports"),
        _l("See what notices to farmers cost, by channel"),
    ],
    Role.AGENT: [
        _l("Register farming households and their products"),
        _l("Record the trainings you give a household"),
        _l("Publish products to PostMart and VoSo"),
    ],
}


def has_permission(user, permission: str) -> bool:
    return bool(user and user.is_authenticated and user.role in PERMISSIONS.get(permission, ()))


def province_scope(user) -> str | None:
    """The province a user is limited to, or None for an admin or a national viewer (every province)."""
    return None if user.role in (Role.ADMIN, Role.NATIONAL) else user.province_code
