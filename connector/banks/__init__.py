"""Banks and wallets: the acquirer registry that payout accounts and VietQR codes are checked against."""
