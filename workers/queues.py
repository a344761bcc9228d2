"""RQ queue names, by purpose. A worker listens to them in this order (earlier = more urgent)."""

PUBLISHING = "publishing"  # push listings, price and stock to the marketplaces
ORDERS = "orders"  # take orders back from the marketplaces
PAYMENTS = "payments"  # payment notices and reconciliation
LOGISTICS = "logistics"  # pickup matching and carrier booking
MAINTENANCE = "maintenance"  # housekeeping: purge expired tokens and the like

# Orders and marketplace events first: they are quick, and a buyer's order must not wait behind a
# thousand listings being published.
ALL_QUEUES = (ORDERS, PUBLISHING, PAYMENTS, LOGISTICS, MAINTENANCE)
