from __future__ import annotations

from apps.core.scoping import OrgScopedQuerySet


class SnapshotQuerySet(OrgScopedQuerySet):
    # The organization's path is copied onto each snapshot row: subtree reads need no join.
    scope_path = "org_path"
