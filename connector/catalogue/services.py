"""Products and their photos. Same area rules as households; services only flush."""

from __future__ import annotations

import errno
import logging
import uuid

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from connector.admin_units.services import get_province
from connector.audit.services import record
from connector.auth.roles import has_permission
from connector.catalogue.models import MAX_PHOTOS, Product, ProductPhoto, ProductStatus
from connector.catalogue.schemas import ProductInputSchema
from connector.errors import MESSAGES, NotFound, PermissionDenied, StorageFull, ValidationFailed
from connector.extensions import db
from connector.households.models import Household, HouseholdStatus
from connector.households.services import get_household, scoped_households
from connector.media.images import process_photo
from connector.media.storage import get_storage
from connector.signals import product_changed
from connector.text import fold

log = logging.getLogger(__name__)

AUDITED_FIELDS = tuple(ProductInputSchema().fields)


def _load(raw: dict) -> dict:
    try:
        data = ProductInputSchema().load(raw)
    except ValidationError as error:
        raise ValidationFailed(errors=error.messages) from error
    if data.get("ocop_province_code"):
        get_province(data["ocop_province_code"], "ocop_province_code")
    return data


def _require_write(user) -> None:
    if not has_permission(user, "households.write"):
        raise PermissionDenied()


def get_product(user, product_id: int, for_write: bool = False) -> Product:
    """A product of a household in `user`'s area; otherwise "not found"."""
    households = scoped_households(user).with_only_columns(Household.id)
    product = db.session.scalar(
        select(Product).where(Product.id == product_id, Product.household_id.in_(households.scalar_subquery()))
    )
    if product is None:
        raise NotFound()
    if for_write:
        _require_write(user)
    return product


def list_products(household: Household, include_archived: bool = False) -> list[Product]:
    statement = select(Product).where(Product.household_id == household.id)
    if not include_archived:
        statement = statement.where(Product.status != ProductStatus.ARCHIVED)
    # With their photos (the household page shows each product's first): one query, not one per product.
    return list(db.session.scalars(statement.options(selectinload(Product.photos)).order_by(Product.id)))


def _check_activation(product: Product) -> None:
    if product.status != ProductStatus.ACTIVE:
        return
    if not product.photos:
        raise ValidationFailed(errors={"status": [_("Add at least one photo before putting the product on sale.")]})
    if product.household.status != HouseholdStatus.ACTIVE:
        raise ValidationFailed(errors={"status": [_("The household must be active (with consent) first.")]})


def apply_product_input(product: Product, data: dict) -> None:
    """Copy validated input onto the product (also used by bulk import)."""
    for field, value in data.items():
        setattr(product, field, value)
    product.name_key = fold(product.name)
    if not product.ocop_stars:
        product.ocop_certificate_no = product.ocop_province_code = None
        product.ocop_issued_on = product.ocop_expires_on = None


def create_product(user, household_id: int, raw: dict, photos: list[bytes] | None = None) -> Product:
    """Create a product for a household in the user's area, with up to 6 photos."""
    household = get_household(user, household_id, for_write=True)
    if household.status == HouseholdStatus.ARCHIVED:
        raise ValidationFailed(errors={"household": [_("An archived household cannot get new products.")]})
    data = _load(raw)
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(errors={"photo": [_("At most %(n)s photos.", n=MAX_PHOTOS)]})
    processed = [process_photo(photo) for photo in photos]  # all checked before anything is saved
    product = Product(household=household)
    apply_product_input(product, data)
    db.session.add(product)
    db.session.flush()
    _store_photos(product, processed)
    _check_activation(product)
    db.session.flush()
    record(user, "create", "product", product.id, {k: [None, str(v)] for k, v in data.items() if v not in (None, "")})
    return product


def product_as_input(product: Product) -> dict:
    return {field: getattr(product, field) for field in AUDITED_FIELDS}


def update_product(user, product: Product, changes: dict) -> Product:
    _require_write(user)
    return _apply_changes(user, product, changes, "update")


# What a farmer may change on their own product from their phone; the rest is done at the post office.
FARMER_FIELDS = frozenset({"price_vnd", "stock", "status"})
FARMER_STATUSES = frozenset({ProductStatus.ACTIVE, ProductStatus.PAUSED})


def update_by_farmer(household_id: int, product: Product, changes: dict) -> Product:
    """The farmer of `household_id` changes price, stock or pauses their product: the same rules as
    staff (the same schema), audited with no staff actor, sent to the marketplaces like any change."""
    if product.household_id != household_id:
        raise NotFound()
    if set(changes) - FARMER_FIELDS or changes.get("status", ProductStatus.ACTIVE) not in FARMER_STATUSES:
        raise ValidationFailed(errors={"product": [_("This change is made at the post office.")]})
    return _apply_changes(None, product, changes, "farmer_update")


def _apply_changes(actor, product: Product, changes: dict, action: str) -> Product:
    if product.status == ProductStatus.ARCHIVED:
        raise ValidationFailed(errors={"status": [_("An archived product cannot be edited.")]})
    unknown = set(changes) - set(AUDITED_FIELDS)
    if unknown:
        raise ValidationFailed(errors={field: [_("This field is not recognised.")] for field in sorted(unknown)})
    before = product_as_input(product)
    merged = {**before, **changes}
    for field in ("ocop_issued_on", "ocop_expires_on"):
        if hasattr(merged[field], "isoformat"):
            merged[field] = merged[field].isoformat()
    data = _load(merged)
    apply_product_input(product, data)
    _check_activation(product)
    db.session.flush()
    after = product_as_input(product)
    diff = {f: [_plain(before[f]), _plain(after[f])] for f in AUDITED_FIELDS if before[f] != after[f]}
    if diff:
        record(actor, action, "product", product.id, diff)
        product_changed.send(product)
    return product


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def archive_product(user, product: Product) -> Product:
    _require_write(user)
    if product.status != ProductStatus.ARCHIVED:
        record(user, "archive", "product", product.id, {"status": [product.status, ProductStatus.ARCHIVED]})
        product.status = ProductStatus.ARCHIVED
        db.session.flush()
        product_changed.send(product)
    return product


# The disk, its quota or a file-size limit refused the write: the server's condition, not the input's.
NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _store_photos(product: Product, photos) -> None:
    """Store every photo or none: when the disk fills up midway, the files already written go too."""
    stored = []
    try:
        for photo in photos:
            stored.append(_store_photo(product, photo))
    except StorageFull:
        storage = get_storage()
        for entry in stored:
            product.photos.remove(entry)
            storage.delete(entry.key)
            storage.delete(entry.thumb_key)
        raise


def _store_photo(product: Product, photo) -> ProductPhoto:
    storage = get_storage()
    name = uuid.uuid4().hex
    key, thumb_key = f"products/{product.id}/{name}.jpg", f"products/{product.id}/{name}_thumb.jpg"
    try:
        storage.save(key, photo.full)
        storage.save(thumb_key, photo.thumb)
    except OSError as error:
        storage.delete(key)
        if error.errno not in NO_SPACE:
            raise
        log.error("No room left to store a photo (%s): nothing saved", errno.errorcode.get(error.errno))
        raise StorageFull(errors={"photo": [str(MESSAGES[StorageFull.status])]}) from error
    position = max((p.position for p in product.photos), default=0) + 1
    entry = ProductPhoto(position=position, key=key, thumb_key=thumb_key, width=photo.width, height=photo.height)
    product.photos.append(entry)
    return entry


def add_photo(user, product: Product, data: bytes) -> ProductPhoto:
    """Check, clean and store one more photo (at most 6 per product)."""
    _require_write(user)
    if len(product.photos) >= MAX_PHOTOS:
        raise ValidationFailed(errors={"photo": [_("At most %(n)s photos.", n=MAX_PHOTOS)]})
    photo = _store_photo(product, process_photo(data))
    db.session.flush()
    record(user, "update", "product", product.id, {"photos": [len(product.photos) - 1, len(product.photos)]})
    product_changed.send(product)  # the marketplaces show the photos as they are now
    return photo


def delete_photo(user, product: Product, photo_id: int) -> None:
    """Remove a photo (a product on sale keeps at least one); the marketplaces follow."""
    _require_write(user)
    photo = next((p for p in product.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound()
    if product.status == ProductStatus.ACTIVE and len(product.photos) == 1:
        raise ValidationFailed(errors={"photo": [_("A product on sale keeps at least one photo.")]})
    product.photos.remove(photo)
    db.session.flush()
    # Files go after the rows: a failed transaction then leaves at worst an orphan file, never a broken row.
    storage = get_storage()
    storage.delete(photo.key)
    storage.delete(photo.thumb_key)
    record(user, "update", "product", product.id, {"photos": [len(product.photos) + 1, len(product.photos)]})
    product_changed.send(product)


def take_stock(product: Product, quantity: int, reference: str) -> bool:
    """An order took `quantity` of the product: one atomic decrement (two orders at once never both
    read the same stock), an audit entry, and the marketplaces follow. Returns True when the
    product is now oversold (staff must act)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(errors={"quantity": [_("The quantity must be a whole number above 0.")]})
    after = db.session.execute(update(Product).where(Product.id == product.id)
                               .values(stock=Product.stock - quantity).returning(Product.stock),
                               execution_options={"synchronize_session": False}).scalar_one()
    set_committed_value(product, "stock", after)  # what the database holds now: nothing more to write
    record(None, "stock_taken", "product", product.id, {"stock": [after + quantity, after],
                                                        "order": [None, reference]})
    product_changed.send(product)
    return product.stock < 0
