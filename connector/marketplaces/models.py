from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.catalogue.models import Product
from connector.db import TimestampMixin, UTCDateTime, utcnow
from connector.extensions import db
from connector.marketplaces.states import ListingState


class Listing(TimestampMixin, db.Model):
    """One product on one marketplace. Its id is the seller SKU, so a retry can always find it."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("product_id", "marketplace"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    marketplace: Mapped[str] = mapped_column(String(20))
    # "" for the national account, else the province code of the provincial shop it is listed in;
    # fixed when the listing is created, so its remote id always belongs to the same account.
    storefront: Mapped[str] = mapped_column(String(10), default="", server_default="")
    state: Mapped[str] = mapped_column(String(20), default=ListingState.DRAFT, index=True)
    wanted: Mapped[bool] = mapped_column(Boolean, default=True)  # the agent wants it listed
    remote_id: Mapped[str | None] = mapped_column(String(64))
    remote_version: Mapped[int] = mapped_column(Integer, default=0)  # last review/status event applied
    reason: Mapped[str | None] = mapped_column(String(200))  # rejection reason or last error
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_pending: Mapped[bool] = mapped_column(Boolean, default=False)  # coalesces quick edits
    # Set (and committed) before the first create call: from then on, with no remote id, the listing
    # may exist on the marketplace and is looked up by seller SKU before any new create.
    create_attempted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    synced_price: Mapped[int | None] = mapped_column(BigInteger)
    synced_stock: Mapped[int | None] = mapped_column(Integer)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship()

    @property
    def seller_sku(self) -> str:
        return f"CN-{self.product_id}"


class RemoteImage(db.Model):
    """A photo uploaded to a marketplace once, reused for every later update."""

    __tablename__ = "remote_images"
    __table_args__ = (UniqueConstraint("photo_id", "marketplace"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("product_photos.id", ondelete="CASCADE"))
    marketplace: Mapped[str] = mapped_column(String(20))
    remote_image_id: Mapped[str] = mapped_column(String(64))


class CategoryMapping(db.Model):
    """Our category -> the marketplace's category id (defaults in code; admins override here)."""

    __tablename__ = "category_mappings"
    __table_args__ = (UniqueConstraint("marketplace", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    remote_category_id: Mapped[str] = mapped_column(String(40))


class MarketplaceEvent(db.Model):
    """A webhook or pulled event, stored once (unique by event id) and applied by a job."""

    __tablename__ = "marketplace_events"
    __table_args__ = (UniqueConstraint("marketplace", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    problem: Mapped[str | None] = mapped_column(String(200))


class EventCursor(db.Model):
    """How far the periodic pull has read each marketplace's event list."""

    __tablename__ = "event_cursors"

    marketplace: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
