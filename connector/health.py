"""GET /healthz: is the database reachable, is Redis reachable. 503 when either is down."""

import logging

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from connector.extensions import db, limiter
from connector.redis_client import get_redis

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as error:
        log.warning("health: database down: %s", type(error).__name__)
        db.session.rollback()
        checks["database"] = "down"
    try:
        get_redis().ping()
        checks["redis"] = "ok"
    except RedisError as error:
        log.warning("health: redis down: %s", type(error).__name__)
        checks["redis"] = "down"
    healthy = all(state == "ok" for state in checks.values())
    return jsonify(status="ok" if healthy else "down", **checks), 200 if healthy else 503
