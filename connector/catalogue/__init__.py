"""Products of farming households: prices in VND, stock, OCOP certification, photos."""
