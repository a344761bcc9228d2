"""Agent pages: household list and search, the step-by-step form, detail, edit, archive, consent."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from connector.admin_units import choices
from connector.audit.services import history
from connector.auth.roles import Role
from connector.auth.sessions import login_required
from connector.banks.registry import acquirers, find_acquirer
from connector.errors import ValidationFailed, act_and_flash
from connector.extensions import db
from connector.households import services
from connector.households.models import HouseholdStatus
from connector.households.services import CONSENT_VERSION, PossibleDuplicate

bp = Blueprint("households", __name__, url_prefix="/households")

FORM_FIELDS = (
    "head_name", "phone", "commune_code", "legacy_province", "legacy_district", "legacy_commune", "village",
    "address_line", "lat", "lon", "vpostcode", "main_products", "payout_bin", "payout_account", "payout_holder",
)
PER_PAGE = 20
MAX_PAGE = 100_000  # beyond any list: a larger number asked for is the last empty page, not an overflow


def status_labels() -> dict:
    return {
        HouseholdStatus.DRAFT: _("Draft"),
        HouseholdStatus.ACTIVE: _("Active"),
        HouseholdStatus.SUSPENDED: _("Suspended"),
        HouseholdStatus.ARCHIVED: _("Archived"),
    }


def area_communes() -> choices.ProvinceCommunes:
    """The communes offered in the filter and the form: the staff member's province (admins type a code)."""
    if current_user.role == Role.ADMIN or not current_user.province_code:
        return choices.NONE
    return choices.province_communes(current_user.province_code)


def form_input() -> dict:
    """The submitted form as the service expects it: blanks become None where a number is expected."""
    data = {field: request.form.get(field, "") for field in FORM_FIELDS}
    for field in ("lat", "lon", "commune_code", "vpostcode"):
        data[field] = data[field].strip() or None
    data["consent"] = request.form.get("consent") == "yes"
    return data


def render_form(values: dict, errors: dict | None = None, household=None, duplicates=None, status: int = 200):
    # A saved account number is never sent back to the page (a shared phone, a screenshot): the
    # field starts empty, the hint shows it masked, and an empty field keeps it.
    account_masked = household.payout_account_masked if household is not None else None
    if account_masked and values.get("payout_account") == household.payout_account:
        values = {**values, "payout_account": ""}
    return render_template(
        "households/form.html", account_masked=account_masked,
        values=values, errors=errors or {}, household=household, duplicates=duplicates or [],
        commune_options=area_communes().options(values.get("commune_code")),
        acquirers=acquirers().values(), consent_version=CONSENT_VERSION,
    ), status


@bp.route("")
@login_required("households.read")
def index():
    q = request.args.get("q", "")[:100]
    commune_code = request.args.get("commune_code") or None
    status = request.args.get("status") or None
    if status and status not in HouseholdStatus.__members__.values():
        status = None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    agent = request.args.get("agent", type=int)  # from the reports' breakdown by agent or service point
    point = (request.args.get("point") or "")[:20] or None
    items, total = services.search_households(current_user, q, commune_code, status, page, PER_PAGE,
                                              agent_id=agent, point_code=point)
    return render_template(
        "households/list.html", items=items, total=total, page=page, per_page=PER_PAGE, q=q,
        commune_code=commune_code, status=status, status_labels=status_labels(), agent=agent, point=point,
        commune_options=area_communes().options(commune_code, short=True),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required("households.write")
def create():
    if request.method == "GET":
        return render_form({"consent": False})
    values = form_input()
    try:
        household, conversion = services.create_household(
            current_user, values, confirm_duplicates=request.form.get("confirm_duplicates") == "yes"
        )
    except PossibleDuplicate as duplicate:
        return render_form(values, duplicate.errors, duplicates=duplicate.matches, status=409)
    except ValidationFailed as failure:
        return render_form(values, failure.errors, status=422)
    flash(_("Household %(name)s saved.", name=household.head_name), "success")
    if conversion:
        flash(_("The old address %(old)s is now %(new)s.",
                old=", ".join(filter(None, [conversion["legacy"]["commune"], conversion["legacy"]["district"],
                                            conversion["legacy"]["province"]])),
                new=f"{household.commune.name}, {household.commune.province.name}"), "info")
    return redirect(url_for("households.detail", household_id=household.id))


@bp.route("/<int:household_id>")
@login_required("households.read")
def detail(household_id: int):
    household = services.get_household(current_user, household_id)
    return render_template(
        "households/detail.html", household=household, events=history("household", household.id),
        acquirer=find_acquirer(household.payout_bin), status_labels=status_labels(),
    )


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@login_required("households.write")
def edit(household_id: int):
    household = services.get_household(current_user, household_id, for_write=True)
    if household.status == HouseholdStatus.ARCHIVED:
        abort(404)
    if request.method == "GET":
        return render_form(services.household_as_input(household), household=household)
    values = form_input()
    changes = {key: value for key, value in values.items() if not key.startswith("legacy_") or value}
    if not (changes.get("payout_account") or "").strip() and household.payout_account:
        changes.pop("payout_account")  # left empty: the saved account stays (it was never on the page)
    try:
        services.update_household(current_user, household, changes)
    except ValidationFailed as failure:
        db.session.rollback()
        return render_form(values, failure.errors, household=household, status=422)
    flash(_("Household %(name)s saved.", name=household.head_name), "success")
    return redirect(url_for("households.detail", household_id=household.id))


@bp.route("/<int:household_id>/archive", methods=["POST"])
@login_required("households.write")
def archive(household_id: int):
    household = services.get_household(current_user, household_id, for_write=True)
    services.archive_household(current_user, household)
    flash(_("Household %(name)s archived.", name=household.head_name), "info")
    return redirect(url_for("households.index"))


@bp.route("/<int:household_id>/suspend", methods=["POST"])
@login_required("households.suspend")
def suspend(household_id: int):
    household = services.get_household(current_user, household_id)
    act_and_flash(lambda: services.suspend_household(current_user, household, request.form.get("reason", "")),
                  _("Household %(name)s suspended: its products are being taken down.", name=household.head_name),
                  "info")
    return redirect(url_for("households.detail", household_id=household_id))


@bp.route("/<int:household_id>/reinstate", methods=["POST"])
@login_required("households.suspend")
def reinstate(household_id: int):
    household = services.get_household(current_user, household_id)
    act_and_flash(lambda: services.reinstate_household(current_user, household),
                  _("Household %(name)s reinstated: its products go back on sale.", name=household.head_name))
    return redirect(url_for("households.detail", household_id=household_id))


@bp.route("/consent")
@bp.route("/<int:household_id>/consent")
@login_required("households.read")
def consent(household_id: int | None = None):
    """The consent text in Vietnamese, printable, with the household's name when there is one."""
    household = services.get_household(current_user, household_id) if household_id else None
    return render_template("households/consent.html", household=household, version=CONSENT_VERSION)


@bp.app_template_filter("phone")
def phone_filter(e164: str) -> str:
    from connector.households.validation import display_phone

    return display_phone(e164)
