"""Farmers' own identity: sign-in by phone code or printed QR, and their sessions (issue 12)."""
