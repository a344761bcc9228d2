"""Payments: acquirer BINs (banks and mobile money), VietQR (later issue)."""
