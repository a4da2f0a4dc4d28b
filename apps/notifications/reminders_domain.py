"""Reminders on the members and responsibility models (registered only when those models exist)."""
