"""The bridge from inspection findings to the responsibility app's problem list."""

from __future__ import annotations

from typing import Any

from .models import Finding


def problem_item_for_finding(*, acting_user: Any, finding: Finding) -> str:
    """Create the ProblemItem for a finding when the responsibility app provides one; returns its ref."""
    return ""
