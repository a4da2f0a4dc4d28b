from __future__ import annotations

import itertools
from typing import Any

from apps.organizations.models import Organization
from apps.organizations.services import organization_create

_codes = itertools.count(1)


def make_org(
    parent: Organization | None = None, *, kind: str = "branch", name: str | None = None, **fields: Any
) -> Organization:
    """Create an organization through the service (paths and counts as in production)."""
    from apps.accounts.models import User

    n = next(_codes)
    actor = User(username="factory", is_superuser=True, is_active=True)
    fields.setdefault("sector", "community")
    return organization_create(
        acting_user=actor,
        parent=parent,
        kind=kind,
        name=name or f"测试组织{n}",
        code=fields.pop("code", f"T{n:06d}"),
        **fields,
    )
