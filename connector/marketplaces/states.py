"""A listing's life in one place: its states, which moves are possible and why, and the
marketplaces' words for them.

    draft ─publish─▶ queued ─a create is sent─▶ submitting ─created─▶ pending_review ─review─▶ live | rejected
    live ─paused, stock 0, taken down─▶ delisted        live ─household suspended─▶ suspended
    delisted | suspended ─on sale again─▶ live (or pending_review, when the marketplace reviews again)
    queued | submitting ─refused, or out of attempts─▶ failed ─retry or publish─▶ queued
    rejected | delisted ─publish─▶ queued

A sync reads the listing as the marketplace has it, so after any sync (or a review event) the
listing takes the marketplace's state, whatever it was before: those moves are in REMOTE_MOVES.
"""

from __future__ import annotations

from enum import StrEnum


class ListingState(StrEnum):
    DRAFT = "draft"  # not published, or taken down before it ever reached the marketplace
    QUEUED = "queued"  # a sync is waiting (first publish, or a retry after a passing error)
    SUBMITTING = "submitting"  # the create call is being made: the listing may exist already
    PENDING_REVIEW = "pending_review"
    LIVE = "live"
    REJECTED = "rejected"
    DELISTED = "delisted"
    SUSPENDED = "suspended"  # delisted because the household is suspended; back on reinstatement
    FAILED = "failed"  # refused, or out of attempts: the agent's retry button


S = ListingState
# The marketplace's status -> our state (both dialects speak these words; see the adapters).
REMOTE_STATES = {"REVIEWING": S.PENDING_REVIEW, "LIVE": S.LIVE, "REJECTED": S.REJECTED, "DELISTED": S.DELISTED}

# States the marketplace can put a listing in after a sync or an event, from any state (draft: the
# marketplace has no such listing, never created or gone).
REMOTE_MOVES = frozenset({S.DRAFT, S.PENDING_REVIEW, S.LIVE, S.REJECTED, S.DELISTED, S.SUSPENDED})
# Our own moves: from each state, where the connector itself may take a listing.
OWN_MOVES: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.QUEUED, S.SUBMITTING, S.FAILED}),
    S.QUEUED: frozenset({S.SUBMITTING, S.FAILED}),
    S.SUBMITTING: frozenset({S.QUEUED, S.FAILED}),
    S.PENDING_REVIEW: frozenset({S.FAILED}),
    S.LIVE: frozenset({S.FAILED}),
    S.REJECTED: frozenset({S.QUEUED, S.FAILED}),
    S.DELISTED: frozenset({S.QUEUED, S.FAILED}),
    S.SUSPENDED: frozenset({S.QUEUED, S.FAILED}),
    S.FAILED: frozenset({S.QUEUED, S.SUBMITTING}),
}
# Publishing (again) puts these back in the queue; the others are on their way or on the marketplace.
REPUBLISHABLE = frozenset({S.DRAFT, S.DELISTED, S.FAILED, S.REJECTED})
# A sync is on its way: a listing left here by a killed worker is synced again.
SENDING = frozenset({S.QUEUED, S.SUBMITTING})
# States that change with no one acting (a sync or a review is under way): pages showing them refresh.
IN_PROGRESS = SENDING | {S.PENDING_REVIEW}


class IllegalMove(ValueError):
    """A move the table does not have: a bug in the connector, never the user's input."""


def can_move(current: str | None, target: S) -> bool:
    current = S(current or S.DRAFT)
    return target == current or target in REMOTE_MOVES or target in OWN_MOVES[current]


def move(listing, target: S) -> None:
    """Put `listing` in `target`, refusing a move that is not in the table."""
    if not can_move(listing.state, target):
        raise IllegalMove(f"listing {listing.id}: {listing.state} -> {target}")
    listing.state = target
