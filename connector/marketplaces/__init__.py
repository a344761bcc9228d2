"""Publishing to the postal marketplaces (PostMart, VoSo): listings, sync jobs, webhooks, orders."""

MARKETPLACES = ("postmart", "voso")
