"""RQ queue names, by purpose. Workers take jobs from them in turn (round robin), starting here."""

PUBLISHING = "publishing"  # push listings, price and stock to the marketplaces
ORDERS = "orders"  # take orders back from the marketplaces
PAYMENTS = "payments"  # payment notices and reconciliation
LOGISTICS = "logistics"  # pickup matching and carrier booking
MAINTENANCE = "maintenance"  # housekeeping: purge expired tokens and the like

# Taken in turn, so a buyer's order never waits behind a thousand listings being published, and
# publishing is never starved by order-side work.
ALL_QUEUES = (ORDERS, PUBLISHING, PAYMENTS, LOGISTICS, MAINTENANCE)
