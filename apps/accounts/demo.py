from __future__ import annotations

from apps.core.demo import DEMO_PASSWORD, DemoContext

from .models import Role
from .services import user_create

DEMO_USERS = [
    # username, role, ctx.orgs key (None = the root), display name, superuser
    ("admin", Role.SYSTEM_ADMIN, None, "系统管理员", True),
    ("city_staff", Role.ORG_STAFF, None, "市委组织部 刘明", False),
    ("leader", Role.LEADER, None, "市委组织部 王部长", False),
    ("inspector", Role.INSPECTOR, None, "市委督查室 孙立", False),
    ("district_staff", Role.ORG_STAFF, "district", "区委组织部 陈静", False),
    ("roster_admin", Role.ROSTER_ADMIN, "district", "区委组织部 党员信息管理员 周宁", False),
    ("street_staff", Role.COMMITTEE_STAFF, "street", "街道党工委 赵磊", False),
    ("secretary", Role.BRANCH_SECRETARY, "branch", "支部书记 张建国", False),
    ("secretary2", Role.BRANCH_SECRETARY, "sibling_branch", "支部书记 李红梅", False),
]


def seed(ctx: DemoContext) -> None:
    for username, role, key, display, superuser in DEMO_USERS:
        org = ctx.root if key is None else ctx.orgs[key]
        user = user_create(
            acting_user=None,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            organization=org,
            display_name=display,
            is_superuser=superuser,
        )
        ctx.users[username] = user
        ctx.accounts.append((username, Role(role).label, org.name))
