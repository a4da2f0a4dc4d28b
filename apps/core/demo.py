"""Shared context for ``manage.py seed_demo``: each app's ``demo.py`` has ``seed(ctx)``, called in order."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

DEMO_PASSWORD = "Dangjian@2026"

#: apps whose demo.seed(ctx) runs, in this order (a missing module is skipped)
SEED_ORDER = [
    "organizations",
    "accounts",
    "members",
    "responsibility",
    "supervision",
    "notifications",
    "funding",
    "service_requests",
    "assessment",
    "dashboards",
]


@dataclass
class DemoContext:
    rng: random.Random
    today: datetime.date = field(default_factory=timezone.localdate)
    scale: int = 0
    stdout: Any = None
    root: Any = None
    #: handy organizations by role in the demo story: "district", "street", "community", "branch", "sibling_branch"
    orgs: dict[str, Any] = field(default_factory=dict)
    #: username -> User
    users: dict[str, Any] = field(default_factory=dict)
    #: (username, role label, organization name) for the printed table
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    def log(self, msg: str) -> None:
        if self.stdout is not None:
            self.stdout.write(msg)
