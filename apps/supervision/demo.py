"""Demo history for the three letters: the last months' runs through the real services, then answers,
read receipts, closures and a few letters left overdue; one accountability case; an inspection with findings
that went into the problem list; an observation visit with a ranking."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.core.demo import DemoContext
from apps.core.periods import Period
from apps.organizations.choices import BRANCH_KINDS
from apps.organizations.models import Organization

from . import services
from .choices import LetterKind, LetterStatus
from .letters import letters_issue_monthly, scheduled_date
from .models import Accountability, Letter, LetterRule

ANSWERS = [
    "已召开支委会专题研究，相关事项已于本周内完成，台账已补录上传。",
    "收到函件后立即组织整改，已补开主题党日并完善会议记录。",
    "已按要求启动换届筹备工作，换届方案已报上级党组织审批。",
    "已落实专人负责，逾期事项已办结，今后将严格按时限完成。",
]


def _run_month(period: Period, rule: LetterRule, today: datetime.date) -> int:
    created = 0
    for kind in LetterKind.values:
        day = scheduled_date(rule, kind, period)
        if day <= today:
            created += letters_issue_monthly(kind=kind, period=period, today=day).created
    return created


def _respond(ctx: DemoContext, letters: list[Letter], users_by_org: dict[int, Any]) -> None:
    """Most letters of past months were answered and closed; some only read; a few left overdue."""
    rng, now = ctx.rng, timezone.now()
    updates = []
    for letter in letters:
        roll = rng.random()
        days = rng.randint(1, 6)
        at = timezone.make_aware(
            datetime.datetime.combine(letter.issued_on, datetime.time(9, 30))
        ) + datetime.timedelta(days=days)
        if at > now:
            continue
        who = users_by_org.get(letter.addressee_id)
        if roll < 0.78:
            letter.status = LetterStatus.CLOSED if roll < 0.5 else LetterStatus.ANSWERED
            letter.read_at, letter.answered_at = at, at + datetime.timedelta(hours=3)
            letter.answer = rng.choice(ANSWERS)
            if letter.status == LetterStatus.CLOSED:
                letter.closed_at, letter.close_note = at + datetime.timedelta(days=2), "整改到位，同意办结。"
        elif roll < 0.9:
            letter.status, letter.read_at = LetterStatus.READ, at
        else:
            continue  # never opened: overdue once the deadline passes
        letter.read_by = letter.answered_by = who if letter.answered_at else None
        if letter.read_at:
            letter.read_by = who
        updates.append(letter)
    Letter.objects.bulk_update(
        updates,
        ["status", "read_at", "read_by", "answered_at", "answered_by", "answer", "closed_at", "close_note"],
        batch_size=500,
    )


def _ensure_demo_branch_letters(ctx: DemoContext, staff: Any) -> None:
    """The demo secretary sees each kind at least once, whatever the ledgers said."""
    branch, current = ctx.orgs["branch"], Period.of(ctx.today)
    samples = {
        LetterKind.REMINDER: ["按期召开支委会并填报本月月度台账", "开展本月主题党日活动"],
        LetterKind.SUPERVISION: ["上月月度台账未按期提交", "本季度党课尚未开展"],
        LetterKind.WARNING: ["督办事项逾期仍未完成：上月月度台账未提交"],
    }
    for kind, items in samples.items():
        if not Letter.objects.filter(addressee=branch, kind=kind).exists():
            period = current.previous() if kind == LetterKind.WARNING else current
            if Letter.objects.filter(addressee=branch, kind=kind, period=str(period)).exists():
                continue
            services.letter_create_manual(
                acting_user=staff, issuer=staff.organization, addressee=branch, kind=kind, period=period, items=items
            )


def _accountability(ctx: DemoContext, staff: Any) -> None:
    if Accountability.objects.filter(org_path__startswith=ctx.root.path).exists():
        acc = Accountability.objects.filter(org_path__startswith=ctx.root.path).first()
    else:
        warned = Letter.objects.filter(kind=LetterKind.WARNING, org_path__startswith=staff.organization.path).first()
        if warned is None:
            return
        acc = services.accountability_create(
            acting_user=staff,
            organization=warned.addressee,
            period=warned.period,
            basis=f"收到{warned}后逾期未整改，经研究启动问责程序。",
            letters=[warned],
        )
    services.accountability_decide(
        acting_user=staff,
        accountability=acc,
        kind="interview",
        decision="由区委组织部对该党组织书记进行约谈，限期整改。",
    )


def _inspection(ctx: DemoContext, staff: Any, inspector: Any) -> None:
    district, street = ctx.orgs["district"], ctx.orgs["street"]
    period = Period.of(ctx.today).previous()
    plan = services.inspection_plan_create(
        acting_user=staff,
        organization=district,
        topic="基层党组织“三会一课”落实情况专项督查",
        period=period,
        target_root=street,
        target_kinds=list(BRANCH_KINDS),
        inspectors=[u for u in (staff, inspector) if u is not None],
        method_site_visit=True,
        start_on=period.first_day + datetime.timedelta(days=9),
        end_on=period.first_day + datetime.timedelta(days=19),
    )
    findings = [
        ("组织生活", "支委会会议记录不完整，缺少参会人员签到", "major"),
        ("党员管理", "流动党员联系台账未及时更新", "minor"),
        ("阵地建设", "党员活动室制度牌未更新", "minor"),
    ]
    for i, record in enumerate(plan.records.select_related("target", "plan")[:6]):
        services.inspection_record_update(
            acting_user=staff,
            record=record,
            summary="听取书记汇报，查阅近三个月会议记录和台账，实地查看活动阵地。",
            inspected_on=period.first_day + datetime.timedelta(days=10 + i),
            score=Decimal(ctx.rng.randint(78, 96)),
        )
        if i % 2 == 0:
            cat, desc, sev = findings[(i // 2) % len(findings)]
            services.finding_create(
                acting_user=staff, record=record, category=cat, description=desc, severity=sev,
                rectify_by=ctx.today + datetime.timedelta(days=30),
            )  # fmt: skip
    visit = services.observation_visit_create(
        acting_user=staff, organization=district, title="党建阵地建设现场观摩", period=period,
        visit_on=period.first_day + datetime.timedelta(days=20),
    )  # fmt: skip
    targets = Organization.objects.filter(parent=street).order_by("id")[:6]
    for t in targets:
        services.observation_score_set(
            acting_user=staff,
            visit=visit,
            target=t,
            score=Decimal(ctx.rng.randint(70, 98)),
            comment="阵地规范，特色鲜明",
        )


def seed(ctx: DemoContext) -> None:
    root, district = ctx.root, ctx.orgs["district"]
    # the demo city is strict only about three warnings in three months, so cases stay few
    for org in (root, district):
        LetterRule.objects.get_or_create(issuer=org, defaults={"warning_threshold": 3})
    if ctx.scale:
        return
    staff = ctx.users.get("district_staff")
    current = Period.of(ctx.today)
    rules = {r.issuer_id: r for r in LetterRule.objects.filter(issuer__in=[root, district])}
    created = 0
    for back in (2, 1, 0):
        created += _run_month(current.shift(-back), rules[root.pk], ctx.today)
    from apps.accounts.models import User

    users_by_org = {}
    for u in User.objects.filter(organization__path__startswith=root.path).order_by("id"):
        users_by_org.setdefault(u.organization_id, u)
    past = list(
        Letter.objects.filter(org_path__startswith=root.path, issued_on__lt=ctx.today - datetime.timedelta(days=3))
    )
    _respond(ctx, past, users_by_org)
    if staff is not None:
        _ensure_demo_branch_letters(ctx, staff)
        _accountability(ctx, staff)
        _inspection(ctx, staff, ctx.users.get("inspector"))
    counts = {k: Letter.objects.filter(kind=k, org_path__startswith=root.path).count() for k in LetterKind.values}
    overdue = Letter.objects.filter(org_path__startswith=root.path).overdue(ctx.today).count()
    ctx.log(
        f"  三函：提示函 {counts['reminder']} 份，督办函 {counts['supervision']} 份，预警函 {counts['warning']} 份"
        f"（逾期未复 {overdue} 份）；问责 {Accountability.objects.filter(org_path__startswith=root.path).count()} 件"
    )
