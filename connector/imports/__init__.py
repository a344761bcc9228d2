"""Bulk import of households and products from CSV (UTF-8) and XLSX with Vietnamese headers.

Every row is validated first; a file with any error imports nothing; re-importing a file adds
nothing twice.
"""
