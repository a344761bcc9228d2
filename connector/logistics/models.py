"""Postal service points, and which one each order's parcel goes to on which day."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.db import TimestampMixin, UTCDateTime
from connector.extensions import db


class PointKind(StrEnum):
    POST_OFFICE = "buu_cuc"  # bưu cục: a district or town post office
    COMMUNE_POST = "bdvhx"  # bưu điện văn hóa xã: the commune cultural post office
    AGENT = "agent"  # an agent point (a shop that takes parcels)


class ServicePoint(TimestampMixin, db.Model):
    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(10), default=PointKind.COMMUNE_POST)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    address: Mapped[str] = mapped_column(String(250), default="")
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164; farmers call it about their parcels
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[dict] = mapped_column(JSON)  # see logistics/hours.py
    daily_capacity: Mapped[int] = mapped_column(Integer, default=30)  # parcels it can take in a day
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)  # demo data, not the operator's


class ServedCommune(db.Model):
    """A commune set by hand to be served by a point, overriding the nearest-point rule (a river or
    a mountain can make the nearest point the wrong one)."""

    __tablename__ = "served_communes"

    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)


class IndexVersion(db.Model):
    """One row: bumped in the same transaction as any change to service points, so every web and
    worker process knows when to rebuild its in-memory index."""

    __tablename__ = "service_point_index_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class PickupStatus(StrEnum):
    ASSIGNED = "assigned"
    FLAGGED = "flagged"  # no open point with room within reach: staff decide
    RECEIVED = "received"  # the parcel is at the service point


class Pickup(TimestampMixin, db.Model):
    """Where and when an order's parcel is dropped off. One per order."""

    __tablename__ = "pickups"
    __table_args__ = (UniqueConstraint("order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"), index=True)
    pickup_date: Mapped[date] = mapped_column(Date, index=True)
    distance_km: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default=PickupStatus.ASSIGNED)
    reason: Mapped[str | None] = mapped_column(String(40))  # why not the nearest / why flagged (a code)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service_point: Mapped[ServicePoint | None] = relationship()
    order = relationship("Order")





class ShipmentStatus(StrEnum):
    BOOKING = "booking"  # asked the carrier; no answer yet
    BOOKED = "booked"
    RECEIVED = "received_at_post_office"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    FAILED = "failed"  # delivery failed (it may still be returned)
    RETURNED = "returned"
    CANCELLED = "cancelled"


class Shipment(TimestampMixin, db.Model):
    """The carrier's shipment for an order: drop-off at the pickup point's post office, COD amount."""

    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    remote_id: Mapped[str | None] = mapped_column(String(40))
    tracking_code: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10), default="dropoff")  # dropoff | pickup (at the door)
    post_office_code: Mapped[str | None] = mapped_column(String(20))
    cod_amount: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(30), default=ShipmentStatus.BOOKING, index=True)
    remote_version: Mapped[int] = mapped_column(Integer, default=0)  # last carrier event applied
    last_error: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order")
