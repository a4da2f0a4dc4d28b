"""Pure field rules."""

from __future__ import annotations

from typing import Any

from apps.core.params import get_int_param, get_param
from apps.core.uploads import check_attachment


def validate_attachment(file: Any) -> None:
    check_attachment(
        file,
        allowed_types=get_param("ledger_attachment_types").split(","),
        max_mb=get_int_param("ledger_attachment_max_mb"),
    )
