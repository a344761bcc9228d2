"""Record and read the audit trail. Secret fields are masked before they are written."""

from __future__ import annotations

from sqlalchemy import select

from connector.audit.models import AuditEvent
from connector.db import utcnow
from connector.extensions import db

# Fields whose values never enter the audit trail in clear.
MASKED_FIELDS = frozenset({"payout_account", "password", "password_hash"})


def mask(value) -> str | None:
    """Keep the last 3 characters so staff can tell accounts apart: ******789."""
    if value in (None, ""):
        return value
    text = str(value)
    return "*" * max(len(text) - 3, 3) + text[-3:]


def record(actor, action: str, entity_type: str, entity_id: int, changes: dict | None = None,
           flush: bool = True) -> AuditEvent:
    """Write one audit event in the current transaction (it commits or rolls back with the change)."""
    safe = {
        field: [mask(old), mask(new)] if field in MASKED_FIELDS else [old, new]
        for field, (old, new) in (changes or {}).items()
    }
    event = AuditEvent(
        actor_id=actor.id if actor else None, action=action, entity_type=entity_type,
        entity_id=entity_id, changes=safe, created_at=utcnow(),
    )
    db.session.add(event)
    if flush:  # bulk import flushes once for thousands of events
        db.session.flush()
    return event


def history(entity_type: str, entity_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ))
