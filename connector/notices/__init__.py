"""Notices to farmers: what happened, by the cheapest channel that reaches them (issue 12)."""
