"""One fulfilment status per order, derived from the events of every source in one table.

The marketplace, the pickup and the carrier each report in their own words; `EVENTS` turns them
into one status, and `ALLOWED` says which moves are possible from each status, so a late or
repeated event (the marketplace's "confirmed" after the carrier's "in transit") changes nothing.
"""

from __future__ import annotations

from connector.orders.models import Fulfilment as F  # noqa: N817 - the table reads better short

# (source, what it said) -> the status it means.
EVENTS: dict[tuple[str, str], F] = {
    ("marketplace", "CREATED"): F.NEW,
    ("marketplace", "CONFIRMED"): F.CONFIRMED,
    ("marketplace", "PACKED"): F.READY,
    ("marketplace", "SHIPPING"): F.IN_TRANSIT,
    ("marketplace", "DELIVERED"): F.DELIVERED,
    ("marketplace", "COMPLETED"): F.DELIVERED,
    ("marketplace", "CANCELLED"): F.CANCELLED,
    ("marketplace", "RETURNED"): F.RETURNED,
    ("farmer", "confirmed"): F.CONFIRMED,  # the farmer took the order on their page
    ("pickup", "assigned"): F.READY,
    ("pickup", "received"): F.HANDED_IN,
    ("carrier", "RECEIVED_AT_POST_OFFICE"): F.HANDED_IN,
    ("carrier", "IN_TRANSIT"): F.IN_TRANSIT,
    ("carrier", "DELIVERED"): F.DELIVERED,
    ("carrier", "FAILED"): F.FAILED,
    ("carrier", "RETURNED"): F.RETURNED,
}

# From each status, where it may go. Cancelling is possible until the parcel is handed in; a failed
# delivery may still be delivered on a second try, or returned.
ALLOWED: dict[F, set[F]] = {
    F.NEW: {F.CONFIRMED, F.READY, F.HANDED_IN, F.IN_TRANSIT, F.DELIVERED, F.CANCELLED},
    F.CONFIRMED: {F.READY, F.HANDED_IN, F.IN_TRANSIT, F.DELIVERED, F.CANCELLED},
    F.READY: {F.HANDED_IN, F.IN_TRANSIT, F.DELIVERED, F.CANCELLED},
    F.HANDED_IN: {F.IN_TRANSIT, F.DELIVERED, F.FAILED, F.RETURNED},
    F.IN_TRANSIT: {F.DELIVERED, F.FAILED, F.RETURNED},
    F.FAILED: {F.IN_TRANSIT, F.DELIVERED, F.RETURNED},
    F.DELIVERED: {F.RETURNED},  # the buyer sent it back
    F.CANCELLED: set(),
    F.RETURNED: set(),
}
# Nothing more is expected to happen to these orders by itself (pages stop refreshing them).
SETTLED = frozenset({F.DELIVERED, F.CANCELLED, F.RETURNED})
# The money of these orders goes back to the buyer (nothing was delivered for it).
UNDELIVERED = {F.CANCELLED, F.RETURNED}


def next_status(current: str, source: str, said: str) -> F | None:
    """The status after `source` said `said`, or None when it changes nothing."""
    target = EVENTS.get((source, (said or "")))
    if target is None or target == current or target not in ALLOWED[F(current)]:
        return None
    return target
