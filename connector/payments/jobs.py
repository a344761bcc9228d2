"""Payments' background work. Bank notices are applied in the webhook's own request today; the queue is
declared so that reconciliation jobs have their place, and workers already listen on it."""

from connector.jobs.registry import declare_queue

PAYMENTS = declare_queue("payments", "payment notices and reconciliation", rank=30)
