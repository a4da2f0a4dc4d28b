"""Demo roster: realistic members for every branch of the demo tree, applicants in the pipeline, transfers.

``member_rows`` is also what bench/members_list.py feeds to COPY, so it produces plain dicts fast. ID
numbers are valid GB 11643 numbers, unique by construction (a bijection from the row index onto
area × birth date × sequence), never random collisions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from apps.core.demo import DemoContext
from apps.core.periods import add_years
from apps.organizations.choices import BRANCH_KINDS, OrgKind
from apps.organizations.models import Organization

from .crypto import id_number_fields
from .models import Member, Recruitment, Transfer
from .validators import id_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国志文辉鹏飞斌波宇浩凯健俊帆帅旭宁晨"
AREAS = (
    "370102",
    "370103",
    "370104",
    "370105",
    "370112",
    "370202",
    "370203",
    "370211",
    "370302",
    "370303",
    "370402",
    "370502",
    "370602",
    "370702",
    "370802",
    "370902",
    "371002",
    "371102",
    "371302",
    "371402",
)
UNITS = (
    "街道办事处",
    "社区居委会",
    "第一中学",
    "人民医院",
    "供电公司",
    "农商银行",
    "市场监管所",
    "卫生院",
    "小学",
    "自来水公司",
    "物业公司",
    "科技有限公司",
    "建筑公司",
    "村委会",
    "退休",
)
POSITIONS = ("科员", "主任", "副主任", "教师", "医生", "护士", "工程师", "会计", "职员", "村民", "")
PLACES = ("广东省深圳市", "浙江省杭州市", "江苏省苏州市", "上海市", "北京市", "山东省青岛市")
EDUCATION = ("21", "21", "21", "31", "31", "14", "41", "61", "71", "11")
NATIVE_PLACES = ("北京市", "山东省济南市", "山东省潍坊市", "河南省郑州市")
OCCUPATIONS = (
    "worker",
    "farmer",
    "professional",
    "enterprise_manager",
    "civil_servant",
    "institution_staff",
    "retired",
    "student",
    "other",
)
LOST_REASONS = ("migrant_work", "residence", "unit_change", "other")
ETHNIC = ("01",) * 30 + ("03", "08", "11", "04")

_BIRTH_START = datetime.date(1951, 1, 1)
_BIRTH_DAYS = 19700  # 1951-01-01 .. 2004-12: ages about 22–75 in 2026
_SEQS = 999
_STRIDE = 2_654_435_761  # coprime to the space size below (tests/members/test_demo.py checks uniqueness)


def _space() -> int:
    return len(AREAS) * _BIRTH_DAYS * _SEQS


def id_number_for_index(i: int) -> tuple[str, datetime.date, str]:
    """A unique valid ID number for row ``i``: (number, birth date, gender code); born 1951–2004."""
    space = _space()
    j = (i * _STRIDE) % space
    seq, rest = j % _SEQS + 1, j // _SEQS
    day, area = rest % _BIRTH_DAYS, rest // _BIRTH_DAYS
    birth = _BIRTH_START + datetime.timedelta(days=day)
    first17 = f"{AREAS[area]}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17), birth, "1" if seq % 2 else "2"


def chinese_name(rng: Any) -> str:
    surname = SURNAMES[min(int(rng.expovariate(1 / 12)), len(SURNAMES) - 1)]
    if rng.random() < 0.3:
        return surname + rng.choice(GIVEN)
    return surname + rng.choice(GIVEN) + rng.choice(GIVEN)


POSTS = ("secretary", "deputy_secretary", "organization", "publicity", "discipline")
#: Who holds a party post: a full member of working age.
POST_AGES = (28, 60)
MAX_JOIN_AGE = 45


def _age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _dates(birth: datetime.date, *, rng: Any, today: datetime.date, post: bool) -> tuple[str, Any, Any]:
    """(category, 入党日期, 转正日期): joined at 18–45 (mostly young); probationary only if joined this year."""
    age = _age(birth, today)
    chance = 0.0 if post else 0.12 if age < 30 else 0.05 if age < 40 else 0.015 if age <= MAX_JOIN_AGE else 0.0
    if rng.random() < chance:
        joined = today - datetime.timedelta(days=rng.randint(20, 360))
        if joined >= add_years(birth, 18):
            return "probationary", joined, None
    low = add_years(birth, 18)
    high = min(add_years(birth, MAX_JOIN_AGE), today - datetime.timedelta(days=400))
    span = max((high - low).days, 0)
    joined = low + datetime.timedelta(days=int(span * rng.betavariate(1.3, 3.0)))
    confirmed = min(add_years(joined, 1) + datetime.timedelta(days=rng.randint(0, 20)), today)
    return "full", joined, confirmed


def member_rows(
    branches: list[tuple[int, str]],
    *,
    rng: Any,
    today: datetime.date,
    per_branch: tuple[int, int] = (15, 40),
    start_index: int = 0,
    encrypt: bool = True,
    secretaries: dict[int, tuple[str, str]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Plain column dicts for Member rows; ``branches`` is [(organization_id, path)].

    The first five members of a branch hold its party posts (full members aged 28–60). ``secretaries``:
    {organization_id: (name, gender code)} names the 书记 of those branches (the demo user accounts).
    """
    secretaries = secretaries or {}
    i = start_index
    for org_id, path in branches:
        n = rng.randint(*per_branch)
        for k in range(n):
            post = POSTS[k] if k < len(POSTS) else ""
            wanted_gender = secretaries[org_id][1] if post == "secretary" and org_id in secretaries else None
            while True:  # indices stay unique: skip the ones that do not fit the post
                number, birth, gender = id_number_for_index(i)
                i += 1
                if not post or (POST_AGES[0] <= _age(birth, today) <= POST_AGES[1] and wanted_gender in (None, gender)):
                    break
            category, joined, confirmed = _dates(birth, rng=rng, today=today, post=bool(post))
            retired = _age(birth, today) >= 60
            mobile = not retired and rng.random() < 0.05
            lost = rng.random() < 0.015
            name = chinese_name(rng)
            if wanted_gender is not None:
                name = secretaries[org_id][0]
            row = {
                "name": name,
                "gender": gender,
                "ethnicity": rng.choice(ETHNIC),
                "birth_date": birth,
                "native_place": rng.choice(NATIVE_PLACES),
                "education": rng.choice(EDUCATION),
                "phone": f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                "work_unit": "退休" if retired else rng.choice(UNITS[:-1]),
                "position": "" if retired else rng.choice(POSITIONS),
                "occupation_category": "retired" if retired else rng.choice(OCCUPATIONS[:-3] + OCCUPATIONS[-1:]),
                "category": category,
                "joined_on": joined,
                "confirmed_on": confirmed,
                "probation_ends_on": add_years(joined, 1) if category == "probationary" else None,
                "organization_id": org_id,
                "party_group_id": None,
                "org_path": path,
                "party_post": post,
                "status": "active",
                "status_changed_on": None,
                "mobile_state": "outflow" if mobile else "",
                "mobile_place": rng.choice(PLACES) if mobile else "",
                "mobile_since": today - datetime.timedelta(days=rng.randint(30, 900)) if mobile else None,
                "mobile_contact": "微信群联系" if mobile else "",
                "lost_contact": lost,
                "lost_contact_since": today - datetime.timedelta(days=rng.randint(60, 1500)) if lost else None,
                "lost_contact_reason": rng.choice(("migrant_work", "residence", "unit_change", "other"))
                if lost
                else "",
                "points": rng.randint(60, 100),
            }
            if encrypt:
                row.update(id_number_fields(number))
            else:
                row["id_number"] = number
            yield row


def _branches(root: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(path__startswith=root.path, kind__in=BRANCH_KINDS, is_active=True).order_by("id")
    )


def _recruitments(branches: list[Organization], ctx: DemoContext, start_index: int) -> list[Recruitment]:
    rows = []
    today = ctx.today
    i = start_index
    for org in branches[:: max(1, len(branches) // 40)]:
        for stage in ("applicant", "activist", "activist", "candidate"):
            number, birth, gender = id_number_for_index(i)
            i += 1
            applied = today - datetime.timedelta(days=ctx.rng.randint(60, 200) + (500 if stage != "applicant" else 0))
            rec = Recruitment(
                name=chinese_name(ctx.rng),
                gender=gender,
                birth_date=birth,
                education=ctx.rng.choice(EDUCATION),
                organization=org,
                stage=stage,
                applied_on=applied,
                talked_on=applied + datetime.timedelta(days=ctx.rng.randint(5, 25)),
                talked_by="支部书记",
            )
            if stage in ("activist", "candidate"):
                rec.activist_on = applied + datetime.timedelta(days=40)
            if stage == "candidate":
                rec.candidate_on = add_years(rec.activist_on, 1) + datetime.timedelta(days=10)
            rec.id_number = number
            rows.append(rec)
    return rows


def seed(ctx: DemoContext) -> None:
    if ctx.scale or ctx.root is None:
        return
    branches = _branches(ctx.root)
    groups: dict[int, list[int]] = {}
    for gid, parent_id in Organization.objects.filter(
        path__startswith=ctx.root.path, kind=OrgKind.PARTY_GROUP
    ).values_list("id", "parent_id"):
        groups.setdefault(parent_id, []).append(gid)
    now = timezone.now()
    objs = []
    # The 书记 of the demo branches are the people the demo secretary accounts are named after.
    secretaries = {}
    for key, name, gender in (("branch", "张建国", "1"), ("sibling_branch", "李红梅", "2")):
        if ctx.orgs.get(key) is not None:
            secretaries[ctx.orgs[key].pk] = (name, gender)
    rows = member_rows([(b.pk, b.path) for b in branches], rng=ctx.rng, today=ctx.today, secretaries=secretaries)
    for row in rows:
        gs = groups.get(row["organization_id"])
        if gs:
            row["party_group_id"] = ctx.rng.choice(gs)
        objs.append(Member(**row, created_at=now, updated_at=now))
    Member.objects.bulk_create(objs, batch_size=2000)
    recs = _recruitments(branches, ctx, start_index=len(objs) + 10)
    Recruitment.objects.bulk_create(recs, batch_size=1000)
    # a pending transfer between the two demo branches, waiting for the receiving side
    branch, sibling = ctx.orgs.get("branch"), ctx.orgs.get("sibling_branch")
    if branch is not None and sibling is not None and branch.pk != sibling.pk:
        mover = Member.objects.filter(organization=branch, party_post="").order_by("id").first()
        if mover is not None:
            Transfer.objects.create(
                member=mover,
                from_org=branch,
                to_org=sibling,
                reason="工作单位变动",
                status="approved",
                letter_number=f"{branch.code}-{ctx.today.year}-000001",
                valid_until=ctx.today + datetime.timedelta(days=80),
                approved_at=now,
            )
    _link_secretaries(branches)
    ctx.log(f"  党员：{len(objs)} 名；发展党员：{len(recs)} 人")
    from . import demo_yearly

    demo_yearly.seed(ctx)


def _link_secretaries(branches: list) -> None:
    """Each branch's secretary record points at the member holding the 书记 post."""
    by_org = dict(
        Member.objects.filter(party_post="secretary", organization__in=branches).values_list("organization_id", "id")
    )
    names = dict(Member.objects.filter(pk__in=by_org.values()).values_list("id", "name"))

    orgs = list(Organization.objects.filter(pk__in=by_org))
    for org in orgs:
        org.secretary_member_id = by_org[org.pk]
        org.secretary_name = names[org.secretary_member_id]
    Organization.objects.bulk_update(orgs, ["secretary_member", "secretary_name"], batch_size=1000)
