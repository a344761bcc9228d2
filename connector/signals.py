"""Signals between features, so that a feature can react to another without the other knowing it.

catalogue and households send them; marketplaces listens (to push changes to the listings).
marketplaces sends order_received; logistics listens (to match the order to a pickup point).
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Product whose price, stock, status or photos changed
product_changed = _signals.signal("product-changed")
# sender: the Household whose status changed (suspended or archived households are delisted)
household_changed = _signals.signal("household-changed")
# sender: the Order just taken in from a marketplace (its seller household known, no exception)
order_received = _signals.signal("order-received")
