"""The worker process: `python -m workers` runs RQ on the connector's queues (see queues.py)."""
