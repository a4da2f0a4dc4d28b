from __future__ import annotations

import itertools

from apps.accounts.models import User
from apps.accounts.services import user_create

_n = itertools.count(1)


def make_user(org, role: str = "org_staff", *, username: str | None = None, superuser: bool = False) -> User:
    return user_create(
        acting_user=None,
        username=username or f"user{next(_n)}",
        password="pw-Test-1234",
        role=role,
        organization=org,
        display_name=username or "测试用户",
        is_superuser=superuser,
    )
