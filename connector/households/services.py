"""Onboarding households: validation, scoping, duplicates, consent, audit. Services only flush."""

from __future__ import annotations

import difflib

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from connector.admin_units.services import convert_legacy_address, get_commune
from connector.audit.services import record
from connector.auth.models import User
from connector.auth.roles import Role, has_permission
from connector.db import utcnow
from connector.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.households.models import Household, HouseholdStatus
from connector.households.schemas import HouseholdInputSchema
from connector.households.validation import check_location
from connector.signals import household_changed
from connector.text import fold, to_nfc

CONSENT_VERSION = "2026-12"  # of templates/households/consent.html: a new one whenever its text changes
SIMILAR_NAME_RATIO = 0.85
AUDITED_FIELDS = (
    "head_name", "phone", "commune_code", "village", "address_line", "lat", "lon", "location_approximate",
    "vpostcode", "main_products", "payout_bin", "payout_account", "payout_holder", "status", "consent_version",
)


class PossibleDuplicate(DomainError):
    """Households with a similar name already live in this commune; the agent must confirm."""

    status = 409

    def __init__(self, matches: list[Household]):
        super().__init__(
            _("A household with a similar name already exists in this commune. Check it, or confirm to save."),
            errors={"head_name": [_("Possible duplicate: %(names)s.", names=", ".join(
                f"{m.head_name} ({m.village or m.commune.short_name})" for m in matches))]},
        )
        self.matches = matches


def scoped_households(user) -> Select:
    """The households `user` may see: admins all, officers and agents their province.

    Agents move to their service point's communes once service points exist (logistics issue).
    """
    statement = select(Household)
    if user.role != Role.ADMIN:
        statement = statement.where(Household.province_code == user.province_code)
    return statement


def get_household(user, household_id: int, for_write: bool = False) -> Household:
    """A household in `user`'s area; another area's household is "not found", not "forbidden"."""
    household = db.session.scalar(scoped_households(user).where(Household.id == household_id))
    if household is None:
        raise NotFound()
    if for_write and not has_permission(user, "households.write"):
        raise PermissionDenied()
    return household


def search_households(user, q: str = "", commune_code: str | None = None, status: str | None = None,
                      page: int = 1, per_page: int = 20, agent_id: int | None = None,
                      point_code: str | None = None) -> tuple[list[Household], int]:
    """Households matching `q` (name without diacritics or case, or phone digits), newest first;
    `agent_id` and `point_code` keep those an agent, or the agents of a service point, onboarded."""
    statement = scoped_households(user)
    if agent_id is not None:
        statement = statement.where(Household.onboarded_by_id == agent_id)
    if point_code:
        statement = statement.where(Household.onboarded_by_id.in_(
            select(User.id).where(User.service_point_code == point_code)))
    query = fold(q or "")
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        conditions = [Household.name_key.contains(query, autoescape=True)]
        if len(digits) >= 4:
            conditions.append(Household.phone.contains(digits.lstrip("0"), autoescape=True))
        statement = statement.where(or_(*conditions))
    if commune_code:
        statement = statement.where(Household.commune_code == commune_code)
    if status:
        statement = statement.where(Household.status == status)
    else:
        statement = statement.where(Household.status != HouseholdStatus.ARCHIVED)
    # The page and the number of matches in one query (a window over the matches, counted before
    # LIMIT): one round trip and one statement fewer on every list page and API call.
    rows = db.session.execute(
        statement.add_columns(func.count().over()).options(joinedload(Household.commune))
        .order_by(Household.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        return [household for household, _total in rows], rows[0][1]
    # Past the last page the window has no row to say how many there are.
    total = 0 if page == 1 else db.session.scalar(select(func.count()).select_from(statement.subquery()))
    return [], total


def possible_duplicates(head_name: str, commune_code: str, exclude_id: int | None = None) -> list[Household]:
    """Households in the same commune whose folded name is the same or nearly the same."""
    key = fold(head_name)
    statement = select(Household).where(
        Household.commune_code == commune_code, Household.status != HouseholdStatus.ARCHIVED
    )
    if exclude_id:
        statement = statement.where(Household.id != exclude_id)
    return [
        household for household in db.session.scalars(statement)
        if difflib.SequenceMatcher(None, key, household.name_key).ratio() >= SIMILAR_NAME_RATIO
    ]


def _load(raw: dict) -> dict:
    try:
        return HouseholdInputSchema().load(raw)
    except ValidationError as error:
        raise ValidationFailed(errors=error.messages) from error


def _resolve_commune(user, data: dict) -> tuple:
    """The 2025 commune from its code or from a pre-2025 address; it must be in the agent's area."""
    conversion = None
    if data.get("commune_code"):
        commune = get_commune(data["commune_code"])
    else:
        try:
            conversion = convert_legacy_address(
                data["legacy_province"], data["legacy_district"], data["legacy_commune"]
            )
        except ValidationFailed as error:
            raise ValidationFailed(errors={f"legacy_{field}": messages
                                           for field, messages in error.errors.items()}) from error
        commune = conversion["commune"]
    if user.role != Role.ADMIN and commune.province_code != user.province_code:
        raise ValidationFailed(errors={"commune_code": [_("This commune is outside your area.")]})
    return commune, conversion


def fill_household(user, household: Household, data: dict, commune) -> None:
    """Copy validated input onto the household (also used by bulk import)."""
    household.head_name = data["head_name"]
    household.name_key = fold(data["head_name"])
    household.phone = data["phone"]
    household.commune_code = commune.code
    household.province_code = commune.province_code
    household.village = data["village"]
    household.address_line = data["address_line"]
    if data.get("lat") is not None:
        try:
            check_location(data["lat"], data["lon"], commune)
        except ValidationError as error:
            raise ValidationFailed(errors={"lat": error.messages}) from error
        household.lat, household.lon, household.location_approximate = data["lat"], data["lon"], False
    else:  # no GPS fix: the commune's centre, marked approximate
        household.lat, household.lon, household.location_approximate = commune.lat, commune.lon, True
    household.vpostcode = data["vpostcode"]
    household.main_products = data["main_products"]
    household.payout_bin = data["payout_bin"]
    household.payout_account = data["payout_account"]
    household.payout_holder = data["payout_holder"]
    if data.get("consent") and not household.consent_at:
        household.consent_version = CONSENT_VERSION
        household.consent_at = utcnow()
        household.consent_recorded_by_id = user.id
    if household.consent_at and household.status == HouseholdStatus.DRAFT:
        household.status = HouseholdStatus.ACTIVE


def _check_phone_free(household: Household) -> None:
    if household.status != HouseholdStatus.ACTIVE:
        return
    # Without autoflush: flushing the changed household first would hit the unique index (a 500)
    # before this check could say what is wrong.
    with db.session.no_autoflush:
        taken = db.session.scalar(select(Household.id).where(
            Household.phone == household.phone, Household.status == HouseholdStatus.ACTIVE,
            Household.id != (household.id or 0),
        ))
    if taken:
        raise ValidationFailed(errors={"phone": [_("This phone number already belongs to another active household.")]})


def _snapshot(household: Household) -> dict:
    return {field: getattr(household, field) for field in AUDITED_FIELDS}


def create_household(user, raw: dict, confirm_duplicates: bool = False) -> tuple[Household, dict | None]:
    """Register a household. Active once consent is recorded, else a draft.

    Returns the household and, when the commune came from a pre-2025 address, the conversion (so
    the agent sees what it became). Raises ValidationFailed, or PossibleDuplicate unless confirmed.
    """
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    data = _load(raw)
    commune, conversion = _resolve_commune(user, data)
    if not confirm_duplicates:
        matches = possible_duplicates(data["head_name"], commune.code)
        if matches:
            raise PossibleDuplicate(matches)
    household = Household(status=HouseholdStatus.DRAFT, onboarded_by_id=user.id)
    fill_household(user, household, data, commune)
    _check_phone_free(household)
    db.session.add(household)
    db.session.flush()
    record(user, "create", "household", household.id,
           {field: [None, value] for field, value in _snapshot(household).items() if value not in (None, "")})
    return household, conversion


def household_as_input(household: Household) -> dict:
    """The stored household in the shape of HouseholdInputSchema, to merge an update into."""
    return {
        "head_name": household.head_name, "phone": household.phone, "commune_code": household.commune_code,
        "village": household.village, "address_line": household.address_line,
        "lat": None if household.location_approximate else household.lat,
        "lon": None if household.location_approximate else household.lon,
        "vpostcode": household.vpostcode, "main_products": household.main_products,
        "payout_bin": household.payout_bin or "", "payout_account": household.payout_account or "",
        "payout_holder": household.payout_holder or "", "consent": bool(household.consent_at),
    }


def update_household(user, household: Household, changes: dict) -> Household:
    """Apply changed fields (validated together with the stored ones) and audit the difference."""
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    if household.status == HouseholdStatus.ARCHIVED:
        raise ValidationFailed(errors={"status": [_("An archived household cannot be edited.")]})
    unknown = set(changes) - set(HouseholdInputSchema().fields)
    if unknown:
        raise ValidationFailed(errors={field: [_("This field is not recognised.")] for field in sorted(unknown)})
    merged = household_as_input(household)
    merged.update(changes)
    if "commune_code" not in changes and any(k.startswith("legacy_") for k in changes):
        merged["commune_code"] = None
    data = _load(merged)
    commune, _conversion = _resolve_commune(user, data)
    before = _snapshot(household)
    fill_household(user, household, data, commune)
    _check_phone_free(household)
    db.session.flush()
    after = _snapshot(household)
    diff = {field: [before[field], after[field]] for field in AUDITED_FIELDS if before[field] != after[field]}
    if diff:
        record(user, "update", "household", household.id, diff)
        if "status" in diff:
            household_changed.send(household)
    return household


def suspend_household(user, household: Household, reason: str) -> Household:
    """Stop an active household selling (a complaint, a lapsed certificate): its listings are taken
    down on every marketplace and come back when it is reinstated. A reason is required."""
    if not has_permission(user, "households.suspend"):
        raise PermissionDenied()
    reason = to_nfc(reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [_("Say why the household is suspended.")]})
    if len(reason) > 200:
        raise ValidationFailed(errors={"reason": [_("At most %(max)d characters.", max=200)]})
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationFailed(errors={"status": [_("Only an active household can be suspended.")]})
    record(user, "suspend", "household", household.id, {"status": [household.status, "suspended"],
                                                         "status_reason": [household.status_reason, reason]})
    household.status, household.status_reason = HouseholdStatus.SUSPENDED, reason
    db.session.flush()
    household_changed.send(household)
    return household


def reinstate_household(user, household: Household) -> Household:
    """A suspended household sells again: its wanted listings go back on sale."""
    if not has_permission(user, "households.suspend"):
        raise PermissionDenied()
    if household.status != HouseholdStatus.SUSPENDED:
        raise ValidationFailed(errors={"status": [_("Only a suspended household can be reinstated.")]})
    household.status = HouseholdStatus.ACTIVE
    _check_phone_free(household)
    record(user, "reinstate", "household", household.id, {"status": ["suspended", "active"],
                                                           "status_reason": [household.status_reason, None]})
    household.status_reason = None
    db.session.flush()
    household_changed.send(household)
    return household


def archive_household(user, household: Household) -> Household:
    """Archive (never delete): it leaves lists and frees its phone, its history stays."""
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    if household.status != HouseholdStatus.ARCHIVED:
        record(user, "archive", "household", household.id, {"status": [household.status, "archived"]})
        household.status = HouseholdStatus.ARCHIVED
        db.session.flush()
        household_changed.send(household)
    return household
