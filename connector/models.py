"""Every model, imported in one place so that Alembic's autogenerate sees the whole schema."""

from connector.admin_units.models import Commune, Province
from connector.audit.models import AuditEvent
from connector.auth.models import ApiToken, User
from connector.banks.models import Acquirer
from connector.catalogue.models import Product, ProductPhoto
from connector.farmers.models import FarmerChange, FarmerSession, SignInCode, SignInLink
from connector.households.models import Household
from connector.imports.models import ImportRun
from connector.jobs.outbox import OutboxJob
from connector.logistics.models import IndexVersion, Pickup, ServicePoint, Shipment
from connector.marketplaces.models import (
    CategoryMapping,
    EventCursor,
    Listing,
    MarketplaceEvent,
    RemoteImage,
)
from connector.notices.models import Notice, NoticeAttempt, PushSubscription
from connector.orders.models import Order, OrderItem, Receipt
from connector.payments.models import Payment
from connector.reports.models import CommuneTarget, ReportExport, Training
from connector.reports.summary_tables import report_changes  # the summary tables, for autogenerate

__all__ = [
    "Province", "Commune", "User", "ApiToken", "OutboxJob", "AuditEvent", "Household", "Product", "ProductPhoto",
    "Listing", "RemoteImage", "CategoryMapping", "MarketplaceEvent", "EventCursor", "Order", "OrderItem", "Receipt",
    "Acquirer", "Payment", "ServicePoint", "IndexVersion", "Pickup", "Shipment", "SignInCode", "SignInLink",
    "FarmerSession", "FarmerChange", "Notice", "NoticeAttempt", "PushSubscription", "CommuneTarget", "Training",
    "ReportExport", "ImportRun",
    "report_changes",
]
