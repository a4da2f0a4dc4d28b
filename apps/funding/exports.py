"""Excel export of every funding table, through the one spreadsheet home in core (formula guard, widths)."""

from apps.core.spreadsheets import xlsx_response  # noqa: F401
