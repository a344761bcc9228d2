"""Media files (product photos): image checks and resizing, and where the files are kept."""
