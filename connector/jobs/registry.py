"""Which queues exist and what every worker does periodically, as declared by the features that own them.

A feature declares its queue beside its jobs and its periodic work beside that work:

    PUBLISHING = declare_queue("publishing", "push listings, price and stock to the marketplaces", rank=20)

    @periodic("publishing periodic tasks")
    def run_periodic() -> None: ...

The app factory imports every feature module that declares one, so once `create_app()` has run the
registry is complete: workers listen on `queue_names()` and their dispatcher runs `periodic_tasks()`.
Declarations are facts about the code, made at import like a blueprint's routes, so they live in the
module rather than in one app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueDeclaration:
    name: str
    purpose: str  # one line, for readers (and shown by `python -m workers` when asked for an unknown queue)
    rank: int  # workers take jobs from the queues in turn (round robin), lowest rank first


_queues: dict[str, QueueDeclaration] = {}
_periodic: dict[str, Callable[[], object]] = {}


def declare_queue(name: str, purpose: str, *, rank: int) -> str:
    """Declare the queue `name` and return the name (for `@job(NAME)`). Declaring it again the same way
    is harmless (a module imported twice); two different declarations of one name are a mistake."""
    declaration = QueueDeclaration(name, purpose, rank)
    known = _queues.setdefault(name, declaration)
    if known != declaration:
        raise ValueError(f"queue {name!r} is already declared differently: {known}")
    return name


def is_declared(name: str) -> bool:
    return name in _queues


def queue_names() -> tuple[str, ...]:
    """Every declared queue, in the order workers take them in turn."""
    return tuple(q.name for q in sorted(_queues.values(), key=lambda q: (q.rank, q.name)))


def queue_declarations() -> tuple[QueueDeclaration, ...]:
    return tuple(sorted(_queues.values(), key=lambda q: (q.rank, q.name)))


def periodic(name: str):
    """Declare work that every worker's dispatcher runs every WORKER_PERIODIC_SECONDS, after the outbox,
    in a transaction of its own (one failing does not undo or hold up the others). It must be cheap and
    safe to run from several workers at once: queue a singleton job (`enqueue_singleton`) for real work."""

    def decorator(task: Callable[[], object]):
        _periodic[name] = task  # by name: importing the module twice does not run the task twice
        return task

    return decorator


def periodic_tasks() -> list[tuple[str, Callable[[], object]]]:
    """(name, task) in the order they were declared, which is the app factory's import order."""
    return list(_periodic.items())


# The one queue the foundation owns: housekeeping that any feature may queue (purging expired tokens
# and the like), taken last so that it never delays a buyer or a farmer.
MAINTENANCE = declare_queue("maintenance", "housekeeping: purge expired tokens and the like", rank=90)
