"""A large import run by a background job (issue 15, finding 4): the request records it, a worker
validates and writes every row in one transaction, and the run's page shows the progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from connector.db import UTCDateTime, utcnow
from connector.extensions import db


class ImportRun(db.Model):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # households, products
    upload_token: Mapped[str] = mapped_column(String(80))
    rows: Mapped[int] = mapped_column(Integer)  # rows to add, as the preview counted them
    # queued, running, done (committed with the rows it added), failed (nothing added)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    imported: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list | None] = mapped_column(JSON)  # [[row, column, message], ...] when refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
