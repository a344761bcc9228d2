"""Orders: the centre every feature shares. An order comes from a source (a marketplace today; the
post office counter or the phone tomorrow) through one intake function, has one fulfilment status
in words a farmer understands, and keeps its money traceable: what is due, what was received by
which channel, what the carrier still collects, and what must be refunded.

Marketplaces, payments and logistics import this package; it imports none of them. They learn of
changes through the signals order_received, order_paid and order_status_changed."""
