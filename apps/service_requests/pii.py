"""Requester data (name, phone, address) shown in full only to roles that need it; everyone else sees it
masked in pages, API and exports. Each full view is audited by the caller (``requester_reveal``)."""

from __future__ import annotations

from typing import Any

from apps.core.pii import can_see_full_pii, mask_phone

PERM = "service_requests.reveal_requester_pii"


def can_see_requester(user: Any) -> bool:
    return can_see_full_pii(user) or bool(user and user.is_authenticated and user.has_perm(PERM))


def mask_name(value: str) -> str:
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_address(value: str) -> str:
    if not value:
        return ""
    keep = min(6, max(len(value) // 2, 1))
    return value[:keep] + "****"


def requester_view(user: Any, req: Any, *, reveal: bool = False) -> dict[str, str]:
    """The requester's data as this user may see it; full only with ``reveal`` and the permission."""
    if reveal and can_see_requester(user):
        return {"name": req.requester_name, "phone": req.requester_phone, "address": req.requester_address,
                "masked": False}  # fmt: skip
    return {
        "name": mask_name(req.requester_name),
        "phone": mask_phone(req.requester_phone),
        "address": mask_address(req.requester_address),
        "masked": True,
    }


def requester_reveal(*, acting_user: Any, request: Any) -> dict[str, str]:
    """A full view of the requester's data: permission checked, one audit row."""
    from django.core.exceptions import PermissionDenied

    from apps.core.audit import audit_record

    if not can_see_requester(acting_user):
        raise PermissionDenied
    audit_record(actor=acting_user, event="servicerequest.view_pii", obj=request, note="查看群众完整联系方式")
    return requester_view(acting_user, request, reveal=True)
