"""Staff accounts, roles and areas; page sessions and API bearer tokens."""
