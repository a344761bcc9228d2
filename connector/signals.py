"""Signals between features, so that a feature can react to another without the other knowing it.

catalogue and households send product_changed and household_changed; marketplaces listens (to push
changes to the listings). orders sends order_received, order_paid and order_status_changed;
logistics listens (to match the order to a pickup point, and to keep the cash on delivery right).
logistics sends pickup_planned and marketplaces listing_rejected; notices listens to these and to the
order signals, to tell the farmer.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Product whose price, stock, status or photos changed
product_changed = _signals.signal("product-changed")
# sender: the Household whose status changed (suspended or archived households are delisted)
household_changed = _signals.signal("household-changed")
# sender: the Order just taken in (its seller household known, no exception)
order_received = _signals.signal("order-received")
# sender: the Order for which money was received; keywords: channel, amount
order_paid = _signals.signal("order-paid")
# sender: the Order whose fulfilment status moved; keywords: before, after
order_status_changed = _signals.signal("order-status-changed")
# sender: the Pickup just planned for an order: a service point and day, or flagged for staff
pickup_planned = _signals.signal("pickup-planned")
# sender: the Listing a marketplace refused; keywords: reason, version
listing_rejected = _signals.signal("listing-rejected")
