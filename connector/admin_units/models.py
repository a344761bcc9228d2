from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.extensions import db


class Province(db.Model):
    """A province or centrally-run city (tỉnh, thành phố), 2025 official code."""

    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # "Tỉnh Quảng Trị"
    short_name: Mapped[str] = mapped_column(String(80))  # "Quảng Trị"
    unit_type: Mapped[str] = mapped_column(String(20))  # "Tỉnh" | "Thành phố"
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    search_key: Mapped[str] = mapped_column(String(120), index=True)  # folded names

    communes: Mapped[list[Commune]] = relationship(back_populates="province", order_by="Commune.code")


class Commune(db.Model):
    """A commune, ward or special zone (xã, phường, đặc khu), 2025 official code."""

    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # "Xã Hải Lăng"
    short_name: Mapped[str] = mapped_column(String(80))  # "Hải Lăng"
    unit_type: Mapped[str] = mapped_column(String(20))  # "Xã" | "Phường" | "Đặc khu"
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    search_key: Mapped[str] = mapped_column(String(200), index=True)

    province: Mapped[Province] = relationship(back_populates="communes")
