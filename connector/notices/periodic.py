"""Once a day's worth of checks, run by every worker's dispatcher: certificates about to expire."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from redis.exceptions import RedisError
from sqlalchemy import select

from connector.catalogue.models import Product, ProductStatus
from connector.clock import vietnam_today
from connector.extensions import db
from connector.jobs.registry import periodic
from connector.notices.models import NoticeKind
from connector.notices.services import create_notice
from connector.redis_client import get_redis

log = logging.getLogger(__name__)

WARN_DAYS = 30  # the farmer needs time to renew with the province's OCOP council


CHECK_EVERY_SECONDS = 3600
_LAST_CHECK_KEY = "connector:notices:certificates-checked"


@periodic("certificates about to expire")
def run_periodic() -> None:
    """Every worker's dispatcher calls this every few seconds; the check itself runs once an hour,
    in whichever worker claims the hour first."""
    try:
        if not get_redis().set(_LAST_CHECK_KEY, 1, nx=True, ex=CHECK_EVERY_SECONDS):
            return
    except RedisError:
        log.warning("Redis unavailable: certificate check skipped")
        return
    warn_expiring_certificates()


def warn_expiring_certificates(today: date | None = None) -> int:
    """One notice per product and expiry date, 30 days ahead (the key makes later runs do nothing)."""
    today = today or vietnam_today()
    products = db.session.scalars(select(Product).where(
        Product.status != ProductStatus.ARCHIVED, Product.ocop_stars.is_not(None),
        Product.ocop_expires_on.between(today, today + timedelta(days=WARN_DAYS)))).all()
    made = 0
    for product in products:
        made += create_notice(product.household, NoticeKind.CERTIFICATE_EXPIRING,
                              f"certificate:{product.id}:{product.ocop_expires_on.isoformat()}",
                              {"product": product.name, "day": product.ocop_expires_on.isoformat()}) is not None
    return made
