"""Demo tree for seed_demo: a realistic city, or (with --scale) a province-sized tree built in bulk."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

from apps.core.demo import DemoContext
from apps.core.periods import add_years

from .choices import OrgKind, Sector
from .models import Organization

CITY = "江州市"
DISTRICTS = [("东城区", "district"), ("西湖区", "district"), ("青山县", "county"), ("南河县", "county")]
STREETS = {
    "东城区": ["解放路街道", "人民路街道", "滨江街道"],
    "西湖区": ["湖滨街道", "北山街道", "文新街道"],
    "青山县": ["青山镇", "龙潭镇", "白云乡"],
    "南河县": ["南河镇", "石桥镇", "柳林乡"],
}
COMMUNITY_NAMES = [
    "幸福", "和平", "光明", "朝阳", "春华", "秋实", "建设", "新华", "育才", "锦绣", "桂花", "长青", "阳光", "翠苑",
    "金桥", "枫林", "望江", "紫荆", "丽景", "安康", "永安", "兴隆", "振兴", "瑞丰",
]  # fmt: skip
VILLAGE_NAMES = [
    "李家", "王庄", "张湾", "刘村", "陈家坝", "杨柳", "东坡", "西岭", "马鞍山", "桃园", "石门", "大河", "黄泥塘",
    "柏树湾", "花桥", "新塘", "高家岭", "油坊", "枣林", "竹园", "上河", "下坝", "三合", "龙井",
]  # fmt: skip
ENTERPRISES = ["江州机械制造有限公司", "江州数字科技有限公司", "江州物流集团", "恒达建材有限公司"]
SOCIAL_ORGS = ["江州市物业管理协会", "东城区志愿者联合会"]


@dataclass
class _Node:
    name: str
    kind: str
    sector: str
    children: list[_Node]
    short_name: str = ""


def _groups(n: int) -> list[_Node]:
    return [_Node(f"第{'一二三四五'[i]}党小组", OrgKind.PARTY_GROUP, "", []) for i in range(n)]


def _city_spec(rng: Any) -> _Node:
    # Names drawn without replacement: no two communities or villages in the city share a name.
    community_pool = rng.sample(COMMUNITY_NAMES, len(COMMUNITY_NAMES))
    village_pool = rng.sample(VILLAGE_NAMES, len(VILLAGE_NAMES))
    districts = []
    for dname, dtype in DISTRICTS:
        streets = []
        for sname in STREETS[dname]:
            if dtype == "district":
                units = []
                for cname in [community_pool.pop() for _ in range(4)]:
                    branches = [
                        _Node(f"{cname}社区第{'一二三'[i]}网格党支部", OrgKind.BRANCH, Sector.COMMUNITY, _groups(2))
                        for i in range(3)
                    ]
                    branches.append(_Node(f"{cname}社区离退休党员党支部", OrgKind.BRANCH, Sector.COMMUNITY, _groups(1)))
                    units.append(
                        _Node(
                            f"中共{sname}{cname}社区委员会",
                            OrgKind.COMMITTEE,
                            Sector.COMMUNITY,
                            branches,
                            f"{cname}社区党委",
                        )
                    )
                streets.append(
                    _Node(
                        f"中共{dname}{sname}工作委员会",
                        OrgKind.WORKING_COMMITTEE,
                        Sector.COMMUNITY,
                        units,
                        f"{sname}党工委",
                    )
                )
            else:
                units = []
                for vname in [village_pool.pop() for _ in range(4)]:
                    if rng.random() < 0.5:
                        units.append(
                            _Node(
                                f"中共{sname}{vname}村总支部委员会",
                                OrgKind.GENERAL_BRANCH,
                                Sector.RURAL,
                                [
                                    _Node(f"{vname}村第{'一二'[i]}党支部", OrgKind.BRANCH, Sector.RURAL, _groups(2))
                                    for i in range(2)
                                ],
                                f"{vname}村党总支",
                            )
                        )
                    else:
                        units.append(
                            _Node(
                                f"中共{sname}{vname}村支部委员会",
                                OrgKind.BRANCH,
                                Sector.RURAL,
                                _groups(2),
                                f"{vname}村党支部",
                            )
                        )
                streets.append(
                    _Node(f"中共{dname}{sname}委员会", OrgKind.COMMITTEE, Sector.RURAL, units, f"{sname}党委")
                )
        if dname == "东城区":
            firms = [_Node(f"{e}党支部", OrgKind.BRANCH, Sector.PRIVATE_ENTERPRISE, _groups(1)) for e in ENTERPRISES]
            firms.append(_Node("东城区商务楼宇联合党支部", OrgKind.JOINT_BRANCH, Sector.PRIVATE_ENTERPRISE, []))
            firms += [_Node(f"{s}党支部", OrgKind.BRANCH, Sector.SOCIAL_ORGANIZATION, []) for s in SOCIAL_ORGS]
            streets.append(
                _Node(
                    "中共东城区非公有制经济组织和社会组织委员会",
                    OrgKind.COMMITTEE,
                    Sector.PRIVATE_ENTERPRISE,
                    firms,
                    "区两新组织党委",
                )
            )
        districts.append(_Node(f"中共{CITY}{dname}委员会", OrgKind.COMMITTEE, Sector.GOVERNMENT, streets, f"{dname}委"))
    organs = []
    for dept in ["发展和改革委员会", "财政局", "教育局", "卫生健康委员会", "交通运输局"]:
        branches = [
            _Node(f"市{dept}第{'一二三'[i]}党支部", OrgKind.BRANCH, Sector.GOVERNMENT, _groups(1)) for i in range(2)
        ]
        organs.append(
            _Node(f"中共{CITY}{dept}机关委员会", OrgKind.COMMITTEE, Sector.GOVERNMENT, branches, f"市{dept}机关党委")
        )
    schools = [_Node(f"江州市第{n}中学党支部", OrgKind.BRANCH, Sector.SCHOOL, _groups(1)) for n in "一二三"]
    organs.append(
        _Node("中共江州市教育系统总支部委员会", OrgKind.GENERAL_BRANCH, Sector.SCHOOL, schools, "教育系统党总支")
    )
    districts.append(
        _Node(f"中共{CITY}直属机关工作委员会", OrgKind.WORKING_COMMITTEE, Sector.GOVERNMENT, organs, "市直机关工委")
    )
    districts.append(_Node("江州市重点项目建设临时党支部", OrgKind.TEMPORARY_BRANCH, Sector.STATE_ENTERPRISE, []))
    return _Node(f"中共{CITY}委员会", OrgKind.COMMITTEE, Sector.GOVERNMENT, districts, "江州市委")


def _next_ids(n: int) -> Iterator[int]:
    start = (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    return iter(range(start, start + n))


def _reset_sequence() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('organizations_organization','id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM organizations_organization))"
            )


def bulk_build(
    spec: _Node, *, rng: Any, today: datetime.date, code_prefix: str = "37", batch_size: int = 5000
) -> Organization:
    """Insert a whole tree with precomputed ids and paths (no per-row queries); returns the root."""
    count = 0
    stack = [spec]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node.children)
    ids = _next_ids(count)
    rows: list[Organization] = []

    def visit(node: _Node, parent: Organization | None) -> int:
        oid = next(ids)
        path = f"{parent.path if parent else '/'}{oid}/"
        years = 5 if node.sector in (Sector.RURAL, Sector.COMMUNITY) or node.kind == OrgKind.COMMITTEE else 3
        # Mostly mid-term; about 4% overdue for a term election, as in real rosters.
        overdue = rng.random() < 0.04
        age_days = rng.randint(years * 365 + 10, years * 365 + 200) if overdue else rng.randint(30, years * 365 - 5)
        started = today - datetime.timedelta(days=age_days)
        has_term = node.kind != OrgKind.PARTY_GROUP
        org = Organization(
            id=oid,
            name=node.name,
            short_name=node.short_name,
            code=f"{code_prefix}{oid:08d}",
            kind=node.kind,
            sector=node.sector,
            parent=parent,
            path=path,
            depth=path.count("/") - 2,
            established_on=started - datetime.timedelta(days=rng.randint(0, 20 * 365)) if has_term else None,
            term_started_on=started if has_term else None,
            term_years=years if has_term else None,
            term_due_on=add_years(started, years) if has_term else None,
            star_rating=rng.choice([None, 3, 4, 5, 2]) if has_term else None,
            grade=rng.choice(["advanced", "standard", "standard", "lagging"])
            if node.kind != OrgKind.PARTY_GROUP
            else "",
            secretary_name="",
        )
        rows.append(org)
        below = 0
        for child in node.children:
            below += visit(child, org)
        org.descendant_count = below
        return below + 1

    visit(spec, None)
    for i in range(0, len(rows), batch_size):
        Organization.objects.bulk_create(rows[i : i + batch_size], batch_size=batch_size)
    _reset_sequence()
    return rows[0]


def scale_spec(target: int) -> _Node:
    """About ``target`` organizations over 5 levels: province → cities → counties → streets → branches."""
    fan = max(2, round((target / 1.0) ** (1 / 4.6)))
    cities, counties, streets = max(2, fan // 2), fan, fan
    per_street = max(1, round(target / (cities * counties * streets)) - 1)
    return _Node(
        "中共示范省委员会",
        OrgKind.COMMITTEE,
        Sector.GOVERNMENT,
        [
            _Node(
                f"中共第{c + 1}市委员会",
                OrgKind.COMMITTEE,
                Sector.GOVERNMENT,
                [
                    _Node(
                        f"中共第{c + 1}市第{k + 1}县委员会",
                        OrgKind.COMMITTEE,
                        Sector.GOVERNMENT,
                        [
                            _Node(
                                f"第{c + 1}市第{k + 1}县第{s + 1}街道党工委",
                                OrgKind.WORKING_COMMITTEE,
                                Sector.COMMUNITY,
                                [
                                    _Node(
                                        f"第{c + 1}市{k + 1}县{s + 1}街道第{b + 1}党支部",
                                        OrgKind.BRANCH,
                                        Sector.COMMUNITY,
                                        [],
                                    )
                                    for b in range(per_street)
                                ],
                            )
                            for s in range(streets)
                        ],
                    )
                    for k in range(counties)
                ],
            )
            for c in range(cities)
        ],
    )


def _demo_doc_prefix(org: Organization, root: Organization) -> str:
    """发文机关代字 for the committees that issue letters: 江组 (city), 东组 (东城区), 解工 (解放路街道党工委)."""
    if org.pk == root.pk:
        return CITY[0] + "组"
    if org.depth == root.depth + 1 and org.kind == OrgKind.COMMITTEE and org.name.endswith(("区委员会", "县委员会")):
        return org.name.removeprefix(f"中共{CITY}")[0] + "组"
    if org.kind == OrgKind.WORKING_COMMITTEE and "街道" in org.name:
        street = org.name.split("区", 1)[-1]
        return street[0] + "工"
    return ""


def seed(ctx: DemoContext) -> None:
    if ctx.scale:
        root = bulk_build(scale_spec(ctx.scale), rng=ctx.rng, today=ctx.today)
    else:
        root = bulk_build(_city_spec(ctx.rng), rng=ctx.rng, today=ctx.today)
    ctx.root = root
    qs = Organization.objects.filter(path__startswith=root.path)
    district = qs.filter(depth=root.depth + 1, kind=OrgKind.COMMITTEE).order_by("id").first()
    street = qs.filter(parent=district).order_by("id").first()
    community = qs.filter(parent=street).order_by("id").first() or street
    branches = list(qs.filter(parent=community, kind=OrgKind.BRANCH).order_by("id")[:2]) or list(
        qs.filter(kind=OrgKind.BRANCH).order_by("id")[:2]
    )
    ctx.orgs.update(
        district=district,
        street=street,
        community=community,
        branch=branches[0],
        sibling_branch=branches[1] if len(branches) > 1 else branches[0],
    )
    names = ["张建国", "李红梅", "王志强", "刘芳", "陈国华", "杨秀英", "赵立新", "黄丽萍", "周卫东", "吴晓燕"]
    if not ctx.scale:
        orgs = list(qs.exclude(kind=OrgKind.PARTY_GROUP))
        for org in orgs:
            org.doc_prefix = _demo_doc_prefix(org, root)
            org.secretary_name = ctx.rng.choice(names)
            org.is_weak = ctx.rng.random() < 0.03
            org.consolidation_status = "in_progress" if org.is_weak else ""
            org.is_demonstration = ctx.rng.random() < 0.05
            org.demonstration_year = ctx.today.year - ctx.rng.randint(0, 2) if org.is_demonstration else None
        Organization.objects.bulk_update(
            orgs,
            [
                "doc_prefix",
                "secretary_name",
                "is_weak",
                "consolidation_status",
                "is_demonstration",
                "demonstration_year",
            ],
            batch_size=1000,
        )
    ctx.log(f"  党组织：{qs.count()} 个")
