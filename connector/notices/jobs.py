"""The notices queue: sent before any other work, since a sign-in code is waited for."""

from __future__ import annotations

from rq import Retry

from connector.jobs import job
from connector.jobs.registry import declare_queue

NOTICES = declare_queue("notices", "sign-in codes and notices to farmers (SMS, Zalo, Web Push)", rank=5)


# A send is at most three calls (push, Zalo, SMS), each with NOTICES_READ_TIMEOUT (10 s) at worst.
@job(NOTICES, retry=Retry(max=6, interval=[5, 15, 60, 180, 600, 1800]), timeout=40)
def send_notice_job(notice_id: int) -> str:
    from connector.notices.sending import send_notice

    return send_notice(notice_id)
