"""The sandbox of outside systems: PostMart-style and VoSo-style marketplaces over real HTTP.

A separate small Flask app (`python -m connector.sandbox`, port 5001 under `make run`), used by
development, demos and tests in place of the real marketplaces, whose APIs need partner
credentials. It keeps its state in memory, signs its webhooks, retries them, and can inject faults.
"""

from connector.sandbox.app import create_sandbox_app

__all__ = ["create_sandbox_app"]
