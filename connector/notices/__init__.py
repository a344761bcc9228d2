"""Farmer notices: what to tell a farmer, through which channel (SMS, Zalo, Web Push), and when."""
