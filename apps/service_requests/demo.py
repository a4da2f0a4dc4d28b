"""Demo: a year of requests for the demo city's communities (most on time, some late, some reopened, a few
open and overdue), micro-wishes and 双报到 with service records. Bulk inserts, then one stats rebuild."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.core.demo import DEMO_PASSWORD, DemoContext
from apps.core.workdays import add_working_days, working_days_between
from apps.organizations.choices import OrgKind, Sector
from apps.organizations.models import Organization

from .choices import (
    Channel,
    ClaimantKind,
    RecordStatus,
    RegistrationStatus,
    RequestStatus,
    Satisfaction,
    StepAction,
    WishStatus,
)
from .models import (
    CommunityRegistration,
    MicroWish,
    ServiceCategory,
    ServicePost,
    ServiceRecord,
    ServiceRequest,
    ServiceStep,
)
from .services import categories_seed_defaults
from .stats import stats_rebuild

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建华", "志强", "淑珍", "国庆", "丽华", "文斌", "海燕", "德明", "玉兰", "春生"]
CONTENT = {
    "社保": ["咨询灵活就业人员社保缴费", "代办社保卡补办", "办理养老保险关系转移"],
    "医保": ["代办城乡居民医保参保", "咨询异地就医备案", "代办慢特病门诊申请"],
    "证照": ["代办居住证", "代办老年人优待证", "咨询身份证异地换领"],
    "养老": ["申请居家养老服务", "高龄津贴申领"],
    "残疾人证": ["代办残疾人证换证", "申请残疾人两项补贴"],
    "矛盾纠纷调解": ["楼上漏水邻里纠纷", "物业费纠纷调解", "停车位占用纠纷", "装修噪音扰民"],
    "困难帮扶": ["独居老人生活困难求助", "申请临时救助", "残疾人家庭帮扶"],
    "政策咨询": ["咨询公租房申请条件", "咨询低保政策", "咨询老旧小区改造政策"],
    "环境整治": ["小区垃圾清运不及时", "楼道堆放杂物", "路灯损坏", "下水道堵塞"],
    "其他": ["反映小区充电桩安装需求", "建议增设便民座椅"],
}
WISHES = [
    ("为独居老人添置一台电暖器", 300),
    ("给留守儿童买一套课外读物", 150),
    ("帮困难家庭修缮漏雨屋顶", 800),
    ("为残疾人购买一辆轮椅", 600),
    ("给低保户孩子买一个新书包", 100),
    ("为空巢老人安装一部老年手机", 200),
    ("帮助困难学生报名暑期兴趣班", 500),
    ("为社区老人理一次发", 50),
]
POSTS = [("政策宣传员", "宣传惠民政策"), ("文明劝导员", "文明交通、垃圾分类劝导"), ("矛盾调解员", "协助调解邻里纠纷"),
         ("关爱帮扶员", "结对帮扶独居老人")]  # fmt: skip


def _communities(root: Organization) -> list[Organization]:
    qs = Organization.objects.filter(
        path__startswith=root.path, kind=OrgKind.COMMITTEE, sector=Sector.COMMUNITY, is_active=True
    ).order_by("id")
    return list(qs.filter(name__contains="社区")) or list(qs)


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    t = datetime.time(rng.randint(8, 17), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, t))


def seed(ctx: DemoContext) -> None:
    root = ctx.root
    if root is None:
        return
    rng = ctx.rng
    cats = categories_seed_defaults(organization=root)
    leaves = [c for c in cats if c.parent_id or not any(k.parent_id == c.pk for k in cats)]
    communities = _communities(root)
    if not communities:
        return
    _demo_user(ctx)
    n_req = _seed_requests(ctx, rng, communities, leaves)
    stats_rebuild(root_path=root.path)
    n_wish = _seed_wishes(ctx, rng, communities)
    n_reg = _seed_registrations(ctx, rng, root, communities)
    ctx.log(f"  为民服务：{n_req} 件服务事项，{n_wish} 个微心愿，{n_reg} 条双报到")


def _demo_user(ctx: DemoContext) -> None:
    from apps.accounts.models import Role
    from apps.accounts.services import user_create

    org = ctx.orgs.get("community")
    if org is None or "community_staff" in ctx.users:
        return
    user = user_create(
        acting_user=None,
        username="community_staff",
        password=DEMO_PASSWORD,
        role=Role.COMMITTEE_STAFF,
        organization=org,
        display_name="社区党委 代办员 钱小红",
        is_superuser=False,
    )
    ctx.users["community_staff"] = user
    ctx.accounts.append(("community_staff", Role(Role.COMMITTEE_STAFF).label, org.name))


def _seed_requests(ctx: DemoContext, rng: random.Random, communities: list[Organization], leaves: list[Any]) -> int:
    today = ctx.today
    per = max(20, (3000 if not ctx.scale else 200) // len(communities))
    actor = ctx.users.get("community_staff") or ctx.users.get("street_staff")
    reqs: list[ServiceRequest] = []
    for org in communities:
        for _ in range(per):
            cat: ServiceCategory = rng.choice(leaves)
            received_day = today - datetime.timedelta(days=int(rng.random() ** 1.3 * 365))
            received = _aware(received_day, rng)
            if received > timezone.now():
                received = timezone.now() - datetime.timedelta(minutes=rng.randint(5, 300))
                received_day = timezone.localtime(received).date()
            req = ServiceRequest(
                organization=org,
                org_path=org.path,
                origin_org=org,
                origin_path=org.path,
                channel=rng.choices(Channel.values, weights=[35, 25, 15, 15, 8, 2])[0],
                requester_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                requester_phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                requester_address=f"{org.short_name or org.name[:6]}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元",
                category=cat,
                content=rng.choice(CONTENT.get(cat.name, CONTENT["其他"])),
                received_at=received,
                clock_start=received_day,
                created_by=actor,
            )
            req.response_due_on = add_working_days(received_day, cat.response_limit_days)
            req.due_on = add_working_days(received_day, cat.closure_limit_days)
            _advance(req, rng, today)
            reqs.append(req)
    ServiceRequest.objects.bulk_create(reqs, batch_size=2000)
    steps = []
    for req in reqs:
        steps.extend(_steps_for(req, actor))
    ServiceStep.objects.bulk_create(steps, batch_size=5000)
    return len(reqs)


def _advance(req: ServiceRequest, rng: random.Random, today: datetime.date) -> None:
    """Move a generated request as far as its age allows: old ones are closed, recent ones in progress; a
    few are late, a few reopened, a few still open past their deadline."""
    received_day = req.clock_start
    cat = req.category
    age = working_days_between(received_day, today)
    accept_day = received_day if rng.random() < 0.9 else add_working_days(received_day, rng.randint(1, 2))
    if accept_day > today:
        return
    req.status = RequestStatus.ACCEPTED
    req.accepted_at = _aware(accept_day, rng)
    req.responded_on_time = accept_day <= req.response_due_on
    req.assignee_agent = rng.choice(["钱小红", "孙建平", "周敏", "吴海波"])
    stuck = rng.random() < 0.03  # open past the deadline: feeds the overdue list and the letters
    late = rng.random() < 0.06
    days = cat.closure_limit_days + rng.randint(1, 4) if late else rng.randint(1, cat.closure_limit_days)
    answer_day = add_working_days(received_day, days)
    if stuck or answer_day > today or age < 1:
        req.status = rng.choice([RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS])
        return
    req.status = RequestStatus.ANSWERED
    req.result = "已按政策办理完毕，并告知群众办理结果。"
    req.answered_at = _aware(answer_day, rng)
    req.closed_on_time = answer_day <= req.due_on
    req.workdays_to_close = working_days_between(received_day, answer_day)
    req.follow_up_due_on = add_working_days(answer_day, cat.follow_up_days)
    follow_day = add_working_days(answer_day, rng.randint(1, cat.follow_up_days))
    if follow_day > today:
        return
    roll = rng.random()
    if roll < 0.05:  # 不满意 → 二次办理, answered again
        req.reopen_count = 1
        second = add_working_days(follow_day, rng.randint(1, cat.closure_limit_days))
        if second > today:
            req.status, req.answered_at, req.closed_on_time, req.workdays_to_close, req.follow_up_due_on = (
                RequestStatus.IN_PROGRESS,
                None,
                None,
                None,
                None,
            )
            req.clock_start = follow_day
            req.due_on = add_working_days(follow_day, cat.closure_limit_days)
            return
        req.clock_start = follow_day
        req.due_on = add_working_days(follow_day, cat.closure_limit_days)
        req.answered_at = _aware(second, rng)
        req.closed_on_time = second <= req.due_on
        req.workdays_to_close = working_days_between(follow_day, second)
        req.follow_up_due_on = add_working_days(second, cat.follow_up_days)
        follow_day = add_working_days(second, 1)
        if follow_day > today:
            req.status = RequestStatus.ANSWERED
            return
        sat = rng.choice([Satisfaction.BASIC, Satisfaction.SATISFIED, Satisfaction.UNSATISFIED])
    else:
        sat = Satisfaction.SATISFIED if roll < 0.85 else Satisfaction.BASIC
    req.satisfaction = sat
    req.followed_up_at = _aware(follow_day, rng)
    req.status = RequestStatus.FOLLOWED_UP
    if add_working_days(follow_day, 1) <= today:
        req.status = RequestStatus.CLOSED
        req.closed_at = req.followed_up_at + datetime.timedelta(hours=1)


def _steps_for(req: ServiceRequest, actor: Any) -> list[ServiceStep]:
    name = actor.get_full_name() if actor else "系统"
    org_name = req.organization.name

    def step(action: str, at: datetime.datetime | None, to: str, note: str = "") -> ServiceStep | None:
        if at is None:
            return None
        return ServiceStep(request=req, action=action, to_status=to, actor=actor, actor_name=name,
                           actor_org_name=org_name, at=at, note=note)  # fmt: skip

    out = [
        step(StepAction.REGISTER, req.received_at, RequestStatus.REGISTERED),
        step(StepAction.ACCEPT, req.accepted_at, RequestStatus.ACCEPTED),
        step(StepAction.ASSIGN, req.accepted_at, RequestStatus.ASSIGNED, f"承办：{req.assignee_agent}")
        if req.assignee_agent
        else None,
        step(StepAction.ANSWER, req.answered_at, RequestStatus.ANSWERED, req.result),
        step(
            StepAction.FOLLOW_UP,
            req.followed_up_at,
            RequestStatus.FOLLOWED_UP,
            Satisfaction(req.satisfaction).label if req.satisfaction else "",
        ),
        step(StepAction.CLOSE, req.closed_at, RequestStatus.CLOSED),
    ]
    return [s for s in out if s is not None]


def _seed_wishes(ctx: DemoContext, rng: random.Random, communities: list[Organization]) -> int:
    now = timezone.now()
    wishes = []
    for org in communities:
        for title, budget in rng.sample(WISHES, k=min(len(WISHES), rng.randint(3, 6))):
            status = rng.choices(WishStatus.values, weights=[25, 20, 10, 45])[0]
            w = MicroWish(
                organization=org,
                org_path=org.path,
                title=title,
                budget=Decimal(budget),
                deadline=ctx.today + datetime.timedelta(days=rng.randint(10, 60)),
                status=status,
                beneficiary=rng.choice(SURNAMES) + "某某",
            )
            if status != WishStatus.OPEN:
                kind = rng.choice(ClaimantKind.values)
                w.claimant_kind = kind
                w.claimant_name = (
                    rng.choice(SURNAMES) + rng.choice(GIVEN) if kind == ClaimantKind.MEMBER else "市税务局机关党支部"
                )
                w.claimed_at = now - datetime.timedelta(days=rng.randint(5, 40))
            if status in (WishStatus.FULFILLED, WishStatus.CONFIRMED):
                w.fulfilled_at, w.fulfil_note = (
                    now - datetime.timedelta(days=rng.randint(1, 5)),
                    "心愿已实现，群众很满意。",
                )
            if status == WishStatus.CONFIRMED:
                w.confirmed_at = now
            wishes.append(w)
    MicroWish.objects.bulk_create(wishes)
    return len(wishes)


def _seed_registrations(
    ctx: DemoContext, rng: random.Random, root: Organization, communities: list[Organization]
) -> int:
    from apps.members.models import Member

    posts = ServicePost.objects.bulk_create(
        [
            ServicePost(organization=c, org_path=c.path, name=n, description=d, capacity=10)
            for c in communities
            for n, d in POSTS
        ]
    )
    posts_by_org: dict[int, list[ServicePost]] = {}
    for p in posts:
        posts_by_org.setdefault(p.organization_id, []).append(p)
    members = list(
        Member.objects.filter(org_path__startswith=root.path, status="active")
        .exclude(organization__sector__in=[Sector.COMMUNITY, Sector.RURAL])
        .select_related("organization")
        .only("id", "organization__id", "organization__path", "org_path")[:400]
    )
    regs = []
    for m in members:
        community = rng.choice(communities)
        active = rng.random() < 0.9
        regs.append(
            CommunityRegistration(
                organization=community,
                org_path=community.path,
                home_org=m.organization,
                home_path=m.org_path,
                kind=ClaimantKind.MEMBER,
                member=m,
                post=rng.choice(posts_by_org[community.pk]) if active else None,
                registered_on=ctx.today - datetime.timedelta(days=rng.randint(20, 300)),
                status=RegistrationStatus.ACTIVE if active else RegistrationStatus.PENDING,
                confirmed_at=timezone.now() if active else None,
            )
        )
    regs = CommunityRegistration.objects.bulk_create(regs)
    records = []
    for reg in regs:
        if reg.status != RegistrationStatus.ACTIVE:
            continue
        for _ in range(rng.randint(1, 5)):
            records.append(
                ServiceRecord(
                    registration=reg,
                    served_on=ctx.today - datetime.timedelta(days=rng.randint(1, 200)),
                    hours=Decimal(rng.choice([1, 2, 2, 3, 4])),
                    people_served=rng.randint(1, 12),
                    disputes_resolved=1 if rng.random() < 0.1 else 0,
                    content=rng.choice(["政策宣传", "文明劝导", "关爱独居老人", "环境整治", "协助调解纠纷"]),
                    status=RecordStatus.CONFIRMED if rng.random() < 0.85 else RecordStatus.PENDING,
                )
            )
    ServiceRecord.objects.bulk_create(records, batch_size=5000)
    return len(regs)
