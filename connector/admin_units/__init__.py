"""Vietnam's administrative units since 1 July 2025 (34 provinces, 3,321 communes), and conversion
of pre-2025 addresses. Data derived from the MIT-licensed `vietnamadminunits` package (data/NOTICE)."""
