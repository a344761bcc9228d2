from datetime import timedelta

from rq import Retry

from connector.auth.services import purge_dead_tokens
from connector.db import utcnow
from connector.jobs import MAINTENANCE, job


@job(MAINTENANCE, retry=Retry(max=3, interval=[10, 60, 300]))
def purge_dead_tokens_job(keep_days: int = 30) -> int:
    """Delete API tokens that died (expired or revoked) more than `keep_days` ago."""
    return purge_dead_tokens(utcnow() - timedelta(days=keep_days))
