"""Listen to catalogue and household changes: their listings follow (price, stock, delisting)."""

from sqlalchemy import select

from connector.catalogue.models import Product
from connector.extensions import db
from connector.signals import household_changed, product_changed


@product_changed.connect
def _product_changed(product, **_):
    from connector.marketplaces.services import sync_product_listings

    sync_product_listings(product)


@household_changed.connect
def _household_changed(household, **_):
    from connector.marketplaces.services import sync_product_listings

    for product in db.session.scalars(select(Product).where(Product.household_id == household.id)):
        sync_product_listings(product)
