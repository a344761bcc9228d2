"""The staff home page and the language switch."""
