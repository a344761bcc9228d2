"""One Redis client per app, created on first use (never at import)."""

from flask import current_app
from redis import Redis


def get_redis() -> Redis:
    client = current_app.extensions.get("connector.redis")
    if client is None:
        client = Redis.from_url(
            current_app.config["REDIS_URL"], socket_timeout=3, socket_connect_timeout=2
        )
        current_app.extensions["connector.redis"] = client
    return client
