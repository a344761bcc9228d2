"""The publishing pipeline: listings per product and marketplace, kept in step with the product.

Every change only *requests* a sync (an outbox job written in the same transaction); the sync job
makes the marketplace match the product, whatever happened before. It is idempotent: the seller SKU
is the connector's listing id, so after an unknown outcome the next attempt finds the listing that
was created instead of creating a second one.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import contains_eager

from connector.auth.roles import has_permission
from connector.catalogue.models import Product, ProductPhoto, ProductStatus
from connector.db import insert_unless_present, utcnow
from connector.errors import PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.households.models import HouseholdStatus
from connector.jobs import enqueue_after_commit
from connector.marketplaces import MARKETPLACES
from connector.marketplaces.adapters import adapter_for, storefront_for
from connector.marketplaces.adapters.base import RemoteListing
from connector.marketplaces.categories import override_join, remote_category
from connector.marketplaces.models import CategoryMapping, Listing, RemoteImage
from connector.marketplaces.states import REMOTE_STATES, REPUBLISHABLE, SENDING, ListingState, move
from connector.media.storage import get_storage
from connector.remote import Refused, RemoteError, UnknownOutcome
from connector.signals import listing_rejected

log = logging.getLogger(__name__)




# -- requests from agents and from other features --------------------------------------------------
def listings_of(product: Product) -> dict[str, Listing]:
    return listings_of_products([product.id])[product.id]


def listings_of_products(product_ids: list[int]) -> dict[int, dict[str, Listing]]:
    """Each product's listings by marketplace, in one query (the household page lists them all)."""
    found: dict[int, dict[str, Listing]] = {product_id: {} for product_id in product_ids}
    if product_ids:
        for listing in db.session.scalars(select(Listing).where(Listing.product_id.in_(product_ids))):
            found[listing.product_id][listing.marketplace] = listing
    return found


def publish_product(user, product: Product, marketplaces=MARKETPLACES) -> list[Listing]:
    """Put a product on sale on the chosen marketplaces ("Đăng lên sàn")."""
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    if product.status != ProductStatus.ACTIVE or not product.photos:
        raise ValidationFailed(errors={"product": [_("Only a product on sale, with a photo, can be published.")]})
    if product.household.status != HouseholdStatus.ACTIVE:
        raise ValidationFailed(errors={"product": [_("The household must be active (with consent) first.")]})
    unknown = [name for name in marketplaces if name not in MARKETPLACES]
    if unknown:
        raise ValidationFailed(errors={"marketplaces": [_("Unknown marketplace: %(name)s.", name=unknown[0])]})
    existing = listings_of(product)
    chosen, new = [], []
    for name in marketplaces:
        listing = existing.get(name)
        if listing is None:
            # Nobody else can see a listing before this transaction commits: its sync is requested
            # without request_sync's row lock, and the new rows go out in one INSERT.
            listing = Listing(product_id=product.id, marketplace=name, remote_version=0, attempts=0,
                              sync_pending=True, storefront=storefront_for(name, product.household.province_code))
            new.append(listing)
        listing.wanted = True
        if (listing.state or ListingState.DRAFT) in REPUBLISHABLE:
            move(listing, ListingState.QUEUED)
            listing.attempts, listing.reason = 0, None
        if listing in existing.values():
            request_sync(listing)
        chosen.append(listing)
    if new:
        from connector.marketplaces.jobs import sync_listing_job

        db.session.add_all(new)
        db.session.flush()
        for listing in new:
            enqueue_after_commit(sync_listing_job, listing.id)
    return chosen


def delist(user, listing: Listing) -> Listing:
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    listing.wanted = False
    request_sync(listing)
    return listing


def retry(user, listing: Listing) -> Listing:
    """The agent's retry button after a failure: start counting attempts again."""
    if not has_permission(user, "households.write"):
        raise PermissionDenied()
    listing.attempts, listing.next_attempt_at = 0, None
    if listing.state == ListingState.FAILED:
        move(listing, ListingState.QUEUED)
    listing.sync_pending = False
    request_sync(listing)
    return listing


def request_sync(listing: Listing, delay_seconds: float | None = None) -> None:
    """Ask for a sync. Quick successive edits coalesce: while one sync is pending, no second is queued.

    The flag is read under a row lock (PostgreSQL; SQLite transactions are serial anyway): a sync job
    claiming the listing at this moment then either waits for this transaction and reads its changes,
    or has claimed it already, and this edit queues a job of its own. Without the lock, an edit could
    see the flag still set, skip, and commit after the job had read the product: a lost edit."""
    if delay_seconds is None and listing.id is not None:
        listing.sync_pending = db.session.scalar(
            select(Listing.sync_pending).where(Listing.id == listing.id).with_for_update())
    if listing.sync_pending and delay_seconds is None:
        return
    listing.sync_pending = True
    db.session.flush()
    from connector.marketplaces.jobs import sync_listing_job

    enqueue_after_commit(sync_listing_job, listing.id, delay_seconds=delay_seconds)


def sync_product_listings(product: Product) -> None:
    """Price, stock, status or photos changed: every listing of the product follows."""
    for listing in listings_of(product).values():
        if listing.wanted or listing.remote_id:
            request_sync(listing)


# -- the sync job's work ---------------------------------------------------------------------------
def should_be_on_sale(listing: Listing) -> bool:
    product = listing.product
    return (listing.wanted and product.status == ProductStatus.ACTIVE and product.stock > 0
            and product.household.status == HouseholdStatus.ACTIVE)


@dataclass
class SyncPlan:
    """What a sync needs to know, read in one short transaction before any remote call."""

    listing_id: int
    marketplace: str
    storefront: str
    seller_sku: str
    remote_id: str | None
    on_sale: bool
    price: int
    stock: int
    name: str
    description: str
    category_id: str | None  # None: our category is not mapped on this marketplace
    photos: list[tuple[int, str, str | None]] = field(default_factory=list)  # photo id, key, remote id
    look_up_first: bool = True  # a create may have happened before: find by seller SKU first


@dataclass
class SyncOutcome:
    remote: RemoteListing | None = None
    uploaded: dict[int, str] = field(default_factory=dict)  # photo id -> remote image id
    error: RemoteError | None = None


# The sync's statements are built once: SQLAlchemy then skips building them and computing their
# cache keys on every job (about a tenth of a worker's CPU per listing at publishing rates).
_CLAIM = update(Listing).where(Listing.id == bindparam("listing_id")).values(sync_pending=False)
# The listing, its product, household and category override in one query.
_READ_LISTING = (
    select(Listing, CategoryMapping.remote_category_id).join(Listing.product)
    .outerjoin(CategoryMapping, override_join(Listing.marketplace, Product.category))
    .where(Listing.id == bindparam("listing_id"))
    .options(contains_eager(Listing.product).joinedload(Product.household, innerjoin=True))
    .execution_options(populate_existing=True))
# The product's photos, with their ids on this marketplace when uploaded before.
_READ_PHOTOS = (
    select(ProductPhoto.id, ProductPhoto.key, RemoteImage.remote_image_id)
    .outerjoin(RemoteImage, (RemoteImage.photo_id == ProductPhoto.id)
               & (RemoteImage.marketplace == bindparam("marketplace")))
    .where(ProductPhoto.product_id == bindparam("product_id")).order_by(ProductPhoto.position))


def plan_sync(listing_id: int) -> SyncPlan | None:
    """Claim the pending request (edits from now on queue a new sync) and read what the sync needs."""
    # Claim first, in a statement of its own: it waits for any edit holding the row (see request_sync),
    # so everything read below includes that edit; later edits see no pending sync and queue their own.
    db.session.execute(_CLAIM, {"listing_id": listing_id})
    found = db.session.execute(_READ_LISTING, {"listing_id": listing_id}).first()
    if found is None:
        return None
    listing, category_override = found
    look_up_first = listing.create_attempted
    on_sale = should_be_on_sale(listing)
    if listing.remote_id is None and on_sale:
        # Committed before the create call is made: from now on the listing may exist there, and
        # the agent sees it being sent.
        listing.create_attempted = True
        move(listing, ListingState.SUBMITTING)
    product = listing.product
    photos = db.session.execute(_READ_PHOTOS, {"marketplace": listing.marketplace, "product_id": product.id}).all()
    return SyncPlan(
        listing_id=listing.id, marketplace=listing.marketplace, storefront=listing.storefront,
        seller_sku=listing.seller_sku,
        remote_id=listing.remote_id, on_sale=on_sale, price=product.price_vnd,
        stock=product.stock if on_sale else 0, name=product.name,
        description=product.description,
        category_id=remote_category(listing.marketplace, product.category, category_override),
        photos=[tuple(photo) for photo in photos],
        look_up_first=look_up_first,
    )


CATEGORY_NOT_MAPPED = "CATEGORY_NOT_MAPPED"  # the listing's reason: "ERROR: CATEGORY_NOT_MAPPED"


def perform_sync(plan: SyncPlan) -> SyncOutcome:
    """The remote calls, outside any database transaction. Never raises a marketplace error."""
    adapter = adapter_for(plan.marketplace, plan.storefront)
    outcome = SyncOutcome()
    try:
        remote = adapter.get(plan.remote_id) if plan.remote_id else None
        if remote is None and plan.look_up_first:  # after any earlier create: it may exist already
            remote = adapter.find_by_sku(plan.seller_sku)
        if remote is None and plan.on_sale:
            if plan.category_id is None:  # never sent without a category: failed until an admin maps it
                raise Refused(CATEGORY_NOT_MAPPED)
            remote = adapter.create({
                "seller_sku": plan.seller_sku, "name": plan.name, "description": plan.description,
                "price": plan.price, "stock": plan.stock, "category_id": plan.category_id,
                "image_ids": _upload_images(adapter, plan, outcome)})
        if remote is not None:
            # A photo added or deleted since: the listing shows the photos as they are now.
            if remote.image_ids != tuple(remote_image_id for _, _, remote_image_id in plan.photos):
                remote = adapter.update_images(remote.id, _upload_images(adapter, plan, outcome))
            if plan.on_sale and remote.status == "DELISTED":
                remote = adapter.set_listed(remote.id, True)
            if (remote.price, remote.stock) != (plan.price, plan.stock) and remote.status != "REJECTED":
                remote = adapter.update_price_stock(remote.id, plan.price, plan.stock)
            if not plan.on_sale and remote.status in ("LIVE", "REVIEWING"):
                remote = adapter.set_listed(remote.id, False)
        outcome.remote = remote
    except RemoteError as error:
        outcome.error = error
    return outcome


def _upload_images(adapter, plan: SyncPlan, outcome: SyncOutcome) -> list[str]:
    """The product's photos as image ids on this marketplace: each photo is uploaded once, then reused."""
    image_ids = []
    for photo_id, key, remote_image_id in plan.photos:
        if remote_image_id is None:
            remote_image_id = outcome.uploaded[photo_id] = adapter.upload_image(get_storage().read(key))
        image_ids.append(remote_image_id)
    return image_ids


def record_sync(plan: SyncPlan, outcome: SyncOutcome) -> Listing | None:
    """Write the outcome in one short transaction: state, reason, retry schedule, image ids."""
    # Locked, like a review event applied at the same moment: the newer remote version wins.
    listing = db.session.get(Listing, plan.listing_id, with_for_update=True)
    if listing is None:
        return None
    for photo_id, remote_image_id in outcome.uploaded.items():
        insert_unless_present(db.session, RemoteImage, dict(
            photo_id=photo_id, marketplace=plan.marketplace, remote_image_id=remote_image_id),
            unique=["photo_id", "marketplace"])
    error = outcome.error
    if isinstance(error, Refused):
        move(listing, ListingState.FAILED)
        listing.reason = f"ERROR: {error.message}"[:200]
    elif error is not None:
        _schedule_retry(listing, error)
    else:
        if outcome.remote is not None:
            listing.remote_id = outcome.remote.id
            if outcome.remote.version >= listing.remote_version:
                _record_remote(listing, outcome.remote)
        else:
            move(listing, ListingState.DRAFT)
        listing.attempts, listing.next_attempt_at = 0, None
        listing.synced_price, listing.synced_stock, listing.synced_at = plan.price, plan.stock, utcnow()
    db.session.flush()
    return listing


def _record_remote(listing: Listing, remote: RemoteListing) -> None:
    state = REMOTE_STATES.get(remote.status, ListingState.PENDING_REVIEW)
    if remote.status == "DELISTED" and listing.product.household.status == HouseholdStatus.SUSPENDED:
        state = ListingState.SUSPENDED
    rejected_now = state == ListingState.REJECTED and listing.state != ListingState.REJECTED
    move(listing, state)
    listing.reason = remote.reason or None
    listing.remote_version = max(listing.remote_version, remote.version)
    if rejected_now:
        listing_rejected.send(listing, reason=listing.reason or "", version=remote.version)


def _schedule_retry(listing: Listing, error: RemoteError) -> None:
    """Exponential backoff with jitter, at least Retry-After; after the ceiling, failed with the reason."""
    listing.attempts += 1
    listing.reason = f"ERROR: {error.message}"[:200]
    if listing.attempts >= current_app.config["PUBLISH_MAX_ATTEMPTS"]:
        move(listing, ListingState.FAILED)
        return
    base = current_app.config["PUBLISH_BACKOFF_SECONDS"]
    ceiling = current_app.config["PUBLISH_BACKOFF_MAX_SECONDS"]
    delay = min(ceiling, base * 2 ** (listing.attempts - 1)) * (0.5 + random.random())  # noqa: S311 - jitter
    if error.retry_after:
        delay = max(delay, error.retry_after)
    if isinstance(error, UnknownOutcome):
        delay = min(delay, base)  # look it up soon: it probably exists
    listing.next_attempt_at = utcnow() + timedelta(seconds=delay)
    if listing.state in (ListingState.DRAFT, ListingState.SUBMITTING):
        move(listing, ListingState.QUEUED)
    request_sync(listing, delay_seconds=delay)


def recover_stuck_listings() -> int:
    """Listings whose sync died with its worker (SIGKILL, deploy) get a new sync, and listings under
    review for long are asked again, since a review result (webhook and its job) can be lost."""
    now = utcnow()
    cutoff = now - timedelta(seconds=2 * current_app.config["SYNC_LOCK_SECONDS"])
    review_cutoff = now - timedelta(seconds=current_app.config["REVIEW_POLL_SECONDS"])
    # sync_pending is cleared when a sync job starts; a listing still waiting in the queue keeps it
    # set and is left alone (re-queuing those would multiply the jobs).
    stuck = db.session.scalars(select(Listing).where(
        Listing.sync_pending.is_(False),
        ((Listing.updated_at < cutoff) & Listing.state.in_(SENDING)
         & ((Listing.next_attempt_at.is_(None)) | (Listing.next_attempt_at < cutoff)))
        | ((Listing.updated_at < review_cutoff) & (Listing.state == ListingState.PENDING_REVIEW)),
    ).limit(500)).all()
    for listing in stuck:
        request_sync(listing)  # sets sync_pending, which also moves updated_at: not again next period
    return len(stuck)
