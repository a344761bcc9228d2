"""RQ queue names, by purpose. A worker listens to them in this order (earlier = more urgent)."""

PUBLISHING = "publishing"  # push listings, price and stock to the marketplaces
ORDERS = "orders"  # take orders back from the marketplaces
PAYMENTS = "payments"  # payment notices and reconciliation
LOGISTICS = "logistics"  # pickup matching and carrier booking
MAINTENANCE = "maintenance"  # housekeeping: purge expired tokens and the like

ALL_QUEUES = (PUBLISHING, ORDERS, PAYMENTS, LOGISTICS, MAINTENANCE)
