"""Background jobs on RQ: declared per purpose, enqueued after commit through an outbox.

    from connector.jobs import MAINTENANCE, job, enqueue_after_commit

    @job(MAINTENANCE)
    def purge_dead_tokens(days: int) -> int: ...

    enqueue_after_commit(purge_dead_tokens, 30)   # inside a request or another job

A feature declares its own queue and periodic tasks (`registry.declare_queue`, `registry.periodic`);
the app factory imports them all. `python -m workers` runs them (worker.py, dispatcher.py).
"""

from connector.jobs.base import finish_current_job, job, queue_for
from connector.jobs.outbox import dispatch_outbox, enqueue_after_commit
from connector.jobs.registry import MAINTENANCE

__all__ = ["job", "finish_current_job", "queue_for", "enqueue_after_commit", "dispatch_outbox", "MAINTENANCE"]
