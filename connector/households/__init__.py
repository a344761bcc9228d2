"""Farming households (hộ sản xuất nông nghiệp): onboarding by postal agents, with consent."""
