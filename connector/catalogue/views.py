"""Agent pages for products: add and edit (with the phone's camera for photos), archive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from connector.admin_units.services import list_provinces
from connector.auth.sessions import login_required
from connector.catalogue import services
from connector.catalogue.choices import CATEGORIES, UNITS
from connector.catalogue.models import MAX_PHOTOS, ProductStatus
from connector.errors import ValidationFailed, act_and_flash
from connector.extensions import db
from connector.households.services import get_household
from connector.i18n import format_number

bp = Blueprint("catalogue", __name__)

FORM_FIELDS = ("name", "description", "category", "unit", "price_vnd", "stock", "weight_grams", "ocop_stars",
               "ocop_certificate_no", "ocop_province_code", "ocop_issued_on", "ocop_expires_on", "lot_code", "status")
OPTIONAL = ("ocop_stars", "ocop_certificate_no", "ocop_province_code", "ocop_issued_on", "ocop_expires_on")


def status_labels() -> dict:
    """The agent's decision about the product. "On sale" is a marketplace's word, said by each listing's
    badge once the product is live there; an active product is only ready to be sold."""
    return {
        ProductStatus.DRAFT: _("Draft"), ProductStatus.ACTIVE: _("Ready to sell"),
        ProductStatus.PAUSED: _("Paused"), ProductStatus.ARCHIVED: _("Archived"),
    }


def form_input() -> dict:
    data = {field: request.form.get(field, "").strip() for field in FORM_FIELDS}
    for field in OPTIONAL:
        data[field] = data[field] or None
    data["stock"] = data["stock"] or "0"
    data["status"] = data["status"] or ProductStatus.DRAFT
    return data


def uploaded_photos() -> list[bytes]:
    return [upload.read() for upload in request.files.getlist("photos") if upload and upload.filename]


def render_form(household, values, errors=None, product=None, status=200):
    return render_template(
        "catalogue/form.html", household=household, product=product, values=values, errors=errors or {},
        categories=CATEGORIES, units=UNITS, provinces=list_provinces(), max_photos=MAX_PHOTOS,
        status_labels=status_labels(),
    ), status


@bp.route("/households/<int:household_id>/products/new", methods=["GET", "POST"])
@login_required("households.write")
def create(household_id: int):
    household = get_household(current_user, household_id, for_write=True)
    if request.method == "GET":
        return render_form(household, {"unit": "kg", "status": ProductStatus.DRAFT})
    values = form_input()
    try:
        product = services.create_product(current_user, household.id, values, uploaded_photos())
    except ValidationFailed as failure:
        db.session.rollback()
        return render_form(household, values, failure.errors, status=422)
    flash(_("Product %(name)s saved.", name=product.name), "success")
    return redirect(url_for("households.detail", household_id=household.id))


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required("households.write")
def edit(product_id: int):
    product = services.get_product(current_user, product_id, for_write=True)
    if request.method == "GET":
        values = services.product_as_input(product)
        # As the agent types it and reads it everywhere else: "150.000" (parse_vnd takes it back).
        values["price_vnd"] = format_number(values["price_vnd"])
        return render_form(product.household, values, product=product)
    values = form_input()
    try:
        for photo in uploaded_photos():
            services.add_photo(current_user, product, photo)
        services.update_product(current_user, product, values)
    except ValidationFailed as failure:
        db.session.rollback()
        return render_form(product.household, values, failure.errors, product=product, status=422)
    flash(_("Product %(name)s saved.", name=product.name), "success")
    return redirect(url_for("households.detail", household_id=product.household_id))


@bp.route("/products/<int:product_id>/archive", methods=["POST"])
@login_required("households.write")
def archive(product_id: int):
    product = services.get_product(current_user, product_id, for_write=True)
    services.archive_product(current_user, product)
    flash(_("Product %(name)s archived.", name=product.name), "info")
    return redirect(url_for("households.detail", household_id=product.household_id))


@bp.route("/products/<int:product_id>/photos/<int:photo_id>/delete", methods=["POST"])
@login_required("households.write")
def delete_photo(product_id: int, photo_id: int):
    product = services.get_product(current_user, product_id, for_write=True)
    act_and_flash(lambda: services.delete_photo(current_user, product, photo_id), _("Photo deleted."), "info")
    return redirect(url_for("catalogue.edit", product_id=product_id))


@bp.app_template_global()
def household_products(household):
    """For the household page: its products, without making households depend on the catalogue."""
    return services.list_products(household)


@bp.app_template_global()
def product_status_labels():
    return status_labels()


@bp.app_template_global()
def category_label(code: str) -> str:
    return str(CATEGORIES.get(code, code))
