"""Responsibility pages, one module per workflow (mirroring ``services``)."""
