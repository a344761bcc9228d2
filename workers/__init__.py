"""The worker process: `python -m workers` runs RQ on the connector's queues (see run.py).

Only an entry point: queues, periodic tasks and the worker machinery belong to the connector
(connector/jobs/ and each feature's jobs.py), which never imports this package.
"""
