"""Background jobs on RQ: declared per purpose, enqueued after commit through an outbox.

    from connector.jobs import job, enqueue_after_commit

    @job(MAINTENANCE)
    def purge_dead_tokens(days: int) -> int: ...

    enqueue_after_commit(purge_dead_tokens, 30)   # inside a request or another job
"""

from connector.jobs.base import finish_current_job, job, queue_for
from connector.jobs.outbox import dispatch_outbox, enqueue_after_commit

__all__ = ["job", "finish_current_job", "queue_for", "enqueue_after_commit", "dispatch_outbox"]
