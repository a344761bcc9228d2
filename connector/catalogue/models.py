from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.clock import vietnam_today
from connector.db import TimestampMixin, UTCDateTime, utcnow
from connector.extensions import db
from connector.households.models import Household

MAX_PHOTOS = 6


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    name_key: Mapped[str] = mapped_column(String(150), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20))
    price_vnd: Mapped[int] = mapped_column(BigInteger)  # VND has no minor unit: an integer, > 0
    stock: Mapped[int] = mapped_column(Integer, default=0)
    weight_grams: Mapped[int] = mapped_column(Integer)  # per unit, for shipping
    ocop_stars: Mapped[int | None] = mapped_column(Integer)
    ocop_certificate_no: Mapped[str | None] = mapped_column(String(60))
    ocop_province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    ocop_issued_on: Mapped[date | None] = mapped_column(Date)
    ocop_expires_on: Mapped[date | None] = mapped_column(Date)
    lot_code: Mapped[str] = mapped_column(String(60), default="")  # harvest season or lot, traceability
    status: Mapped[str] = mapped_column(String(12), default=ProductStatus.DRAFT)

    household: Mapped[Household] = relationship()
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="ProductPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def ocop_expired(self) -> bool:
        return bool(self.ocop_stars and self.ocop_expires_on and self.ocop_expires_on < vietnam_today())

    @property
    def ocop_advertised_stars(self) -> int | None:
        """Stars that may be shown to buyers: none once the certificate has expired."""
        return None if self.ocop_expired else self.ocop_stars


class ProductPhoto(db.Model):
    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")
