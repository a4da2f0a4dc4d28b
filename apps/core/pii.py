"""Personal-data masking, expressed once: serializers, template filters and exports all call these."""

from __future__ import annotations

from typing import Any

FULL_PII_PERMISSION = "accounts.view_full_pii"


def can_see_full_pii(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.has_perm(FULL_PII_PERMISSION))


def mask_id_number(value: str | None) -> str:
    """110105********1234 — first 6, stars, last 4 (GB 11643 numbers; 15-digit legacy ones alike)."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678 for mobiles; fixed lines keep their first 3 and last 2 digits."""
    if not value:
        return ""
    value = str(value)
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def id_number_for(user: Any, value: str | None) -> str:
    return value or "" if can_see_full_pii(user) else mask_id_number(value)


def phone_for(user: Any, value: str | None) -> str:
    return value or "" if can_see_full_pii(user) else mask_phone(value)
