"""Demo history: a year's lists issued from the city down, rectifications in every state, and the last
three months of ledgers (filed, late, returned, missing) with meetings. Bulk inserts throughout."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from apps.core.demo import DemoContext
from apps.core.periods import Period
from apps.members.models import Member
from apps.organizations.choices import BRANCH_KINDS, OrgKind
from apps.organizations.models import Organization

from . import services
from .attendance import COMMITTEE_POSTS
from .choices import LedgerStatus, MeetingKind, RectificationStatus, TaskStatus
from .models import Meeting, MeetingAttendance, MonthlyLedger, Rectification, RectificationProgress, TaskItem
from .stats import stats_refresh

CITY_TASKS = [
    ("召开年度党建工作会议，部署全年任务", "各党组织制定年度工作计划", 1),
    ("开展党员冬训，全体党员参训", "参训率不低于95%", 1),
    ("完成党组织书记抓基层党建述职评议", "述职评议全覆盖", 1),
    ("规范“三会一课”，落实主题党日制度", "每月按期开展，记录完整", 2),
    ("开展发展党员工作专项检查", "发现问题按期整改", 2),
    ("开展“七一”系列主题活动", "", 3),
    ("完成软弱涣散党组织排查整顿", "整顿转化率100%", 3),
    ("推进党员积分管理", "积分档案全覆盖", 4),
    ("召开年度组织生活会和民主评议党员", "", 4),
]
PROBLEMS = [
    ("inspection", "组织生活", "“三会一课”会议记录不完整，部分党小组会无记录", "serious"),
    ("assessment", "党员管理", "党员信息更新不及时，流动党员底数不清", "general"),
    ("self_check", "阵地建设", "党员活动室制度上墙不规范", "general"),
    ("observation", "主题党日", "主题党日活动形式单一，党员参与度不高", "general"),
    ("audit", "党费管理", "党费收缴台账不规范，个别党员未按月交纳", "serious"),
    ("inspection", "发展党员", "发展党员材料缺少政治审查结论", "major"),
    ("self_check", "制度建设", "支委会议事规则未及时修订", "general"),
]
TOPICS = {
    MeetingKind.COMMITTEE_MEETING: ["研究本月党建工作安排", "讨论发展党员工作", "研究党员教育培训计划"],
    MeetingKind.GROUP_MEETING: ["学习党的创新理论", "交流学习心得", "开展批评与自我批评"],
    MeetingKind.THEME_DAY: ["重温入党誓词", "志愿服务进社区", "参观红色教育基地"],
    MeetingKind.GENERAL_MEETING: ["通报季度党建工作", "讨论接收预备党员"],
    MeetingKind.PARTY_LECTURE: ["书记讲党课：守初心担使命", "学习党章党规"],
}


def _date_in(period: Period, rng: Any, today: datetime.date) -> datetime.date:
    last = min(period.last_day, today)
    return period.first_day + datetime.timedelta(days=rng.randint(0, max(0, (last - period.first_day).days)))


def _issue_year(ctx: DemoContext, staff: Any) -> None:
    year, today, rng = ctx.today.year, ctx.today, ctx.rng
    issued_on = datetime.date(year, 1, 8)
    for content, target, quarter in CITY_TASKS:
        services.items_issue(
            acting_user=staff,
            issuer=ctx.root,
            item_type="task",
            year=year,
            title=content,
            payload={"content": content, "target": target},
            due_quarter=quarter,
            kinds=list(BRANCH_KINDS),
            issued_on=issued_on,
        )
    services.items_issue(
        acting_user=staff,
        issuer=ctx.root,
        item_type="duty",
        year=year,
        title="履行党建工作第一责任人职责，带头落实“三会一课”，每年讲党课不少于1次",
        payload={"post": "secretary"},
        kinds=list(BRANCH_KINDS),
        issued_on=issued_on,
    )
    # Tasks that fell due: mostly done on time, some late, some still open (overdue).
    tasks = list(TaskItem.objects.filter(org_path__startswith=ctx.root.path, due_date__lt=today))
    for t in tasks:
        roll = rng.random()
        if roll < 0.75:
            t.status, t.completed_on = TaskStatus.DONE, t.due_date - datetime.timedelta(days=rng.randint(0, 40))
        elif roll < 0.87:
            t.status = TaskStatus.DONE
            t.completed_on = min(today, t.due_date + datetime.timedelta(days=rng.randint(1, 30)))
        else:
            t.status = rng.choice([TaskStatus.PENDING, TaskStatus.IN_PROGRESS])
        if t.status == TaskStatus.DONE:
            t.completed_on = max(t.completed_on, t.issued_on)
            t.evidence = "会议记录、照片及工作总结已归档"
    TaskItem.objects.bulk_update(tasks, ["status", "completed_on", "evidence"], batch_size=2000)
    future = list(TaskItem.objects.filter(org_path__startswith=ctx.root.path, due_date__gte=today))
    for t in future:
        t.status = rng.choice([TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS])
    TaskItem.objects.bulk_update(future, ["status"], batch_size=2000)


def _rectifications(ctx: DemoContext, staff: Any, secretary: Any, upper: Any) -> None:
    """Problems issued by the district to its branches, plus the demo branch's own list in every state."""
    today, rng = ctx.today, ctx.rng
    district = ctx.orgs["district"]
    found = today - datetime.timedelta(days=75)
    issuance = services.items_issue(
        acting_user=staff,
        issuer=district,
        item_type="problem",
        year=today.year,
        title="“三会一课”会议记录不完整，部分党小组会无记录",
        payload={"source": "inspection", "category": "组织生活", "severity": "serious", "measures": "补齐会议记录"},
        due_date=today - datetime.timedelta(days=10),
        kinds=list(BRANCH_KINDS),
        issued_on=found,
    )
    rects = list(Rectification.objects.filter(problem__issuance=issuance))
    now = timezone.now()
    progress = []
    for r in rects:
        roll = rng.random()
        if roll < 0.45:
            r.status, r.completed_on = RectificationStatus.SIGNED_OFF, today - datetime.timedelta(days=20)
            r.signed_off_at, r.signed_off_by, r.signoff_comment = now, upper, "整改到位，同意销号"
        elif roll < 0.65:
            r.status, r.completed_on = RectificationStatus.AWAITING_SIGNOFF, today - datetime.timedelta(days=5)
        elif roll < 0.85:
            r.status = RectificationStatus.IN_PROGRESS
        if r.status != RectificationStatus.OPEN:
            progress.append(
                RectificationProgress(
                    rectification=r, month=Period.of(found).next().first_day, content="已组织补记会议记录，逐月核对"
                )
            )
    Rectification.objects.bulk_update(
        rects, ["status", "completed_on", "signed_off_at", "signed_off_by", "signoff_comment"], batch_size=2000
    )
    RectificationProgress.objects.bulk_create(progress, batch_size=2000)

    branch = ctx.orgs["branch"]
    made = []
    for i, (source, category, desc, severity) in enumerate(PROBLEMS):
        found_on = today - datetime.timedelta(days=120 - i * 12)
        deadline = found_on + datetime.timedelta(days=rng.choice([30, 45, 60, 90]))
        made.append(
            services.problem_create(
                acting_user=staff,
                organization=branch,
                year=today.year,
                source=source,
                category=category,
                description=desc,
                severity=severity,
                found_on=found_on,
                deadline_class="long_term" if i == 6 else "by_date",
                deadline=None if i == 6 else deadline,
                measures="1. 对照问题逐条制定措施\n2. 明确责任人和完成时限\n3. 建立长效机制",
                responsible_person="张建国",
            ).rectification
        )
    # 0 open (overdue), 1 in progress, 2 awaiting sign-off, 3 signed off, 4 signed off + re-checked,
    # 5 reopened at re-check, 6 long-term in progress.
    month = Period.of(today)
    for r in made[1:]:
        services.rectification_progress_add(
            acting_user=secretary, rectification=r, month=month, content="已召开支委会专题研究，正在逐项落实"
        )
    for r in made[2:6]:
        services.rectification_complete(acting_user=secretary, rectification=r, note="整改完成，材料已归档")
    for r in made[3:6]:
        services.rectification_signoff(acting_user=upper, rectification=r, approve=True, comment="整改到位，同意销号")
    services.rectification_recheck(acting_user=upper, rectification=made[4], note="回头看未发现反弹", reopen=False)
    services.rectification_recheck(acting_user=upper, rectification=made[5], note="问题出现反弹，重新整改", reopen=True)


def _ledgers(ctx: DemoContext, upper: Any) -> None:
    rng, today = ctx.rng, ctx.today
    branches = list(
        Organization.objects.filter(path__startswith=ctx.root.path, kind__in=BRANCH_KINDS, is_active=True).only(
            "id", "path", "name"
        )
    )
    groups: dict[int, list[int]] = {}
    for gid, parent_id in Organization.objects.filter(
        path__startswith=ctx.root.path, kind=OrgKind.PARTY_GROUP
    ).values_list("id", "parent_id"):
        groups.setdefault(parent_id, []).append(gid)
    roster: dict[int, list[tuple[int, str]]] = {}
    posts: dict[int, str] = {}
    member_group: dict[int, int | None] = {}
    for mid, oid, name, post, gid in Member.objects.filter(
        org_path__startswith=ctx.root.path, status="active"
    ).values_list("id", "organization_id", "name", "party_post", "party_group_id"):
        roster.setdefault(oid, []).append((mid, name))
        posts[mid], member_group[mid] = post, gid

    def expected(m: Meeting) -> list[tuple[int, str]]:
        # Who is expected: the committee at a committee meeting, the group at a group meeting (as the form does).
        members = roster.get(m.organization_id, [])
        if m.kind == MeetingKind.COMMITTEE_MEETING:
            chosen = [x for x in members if posts[x[0]] in COMMITTEE_POSTS]
        elif m.kind == MeetingKind.GROUP_MEETING and m.party_group_id:
            chosen = [x for x in members if member_group[x[0]] == m.party_group_id]
        else:
            chosen = members
        return chosen or members

    current = Period.of(today)
    demo_ids = {ctx.orgs["branch"].pk, ctx.orgs["sibling_branch"].pk}
    ledgers: list[MonthlyLedger] = []
    meetings: list[tuple[MonthlyLedger, Meeting]] = []
    for back in (3, 2, 1, 0):
        period = current.shift(-back)
        due = services.ledger_due_date(period)
        for b in branches:
            roll = rng.random()
            if back == 0:
                if b.pk not in demo_ids and roll < 0.6:
                    continue
                status, submitted = LedgerStatus.DRAFT, None
            elif roll < 0.08 and b.pk not in demo_ids:
                continue  # missing
            elif roll < 0.6 or b.pk == ctx.orgs["branch"].pk:
                status, submitted = LedgerStatus.APPROVED, due - datetime.timedelta(days=rng.randint(1, 8))
            elif roll < 0.75:
                status, submitted = LedgerStatus.SUBMITTED, due + datetime.timedelta(days=rng.randint(1, 12))
            elif roll < 0.82:
                status, submitted = LedgerStatus.RETURNED, due - datetime.timedelta(days=1)
            else:
                status, submitted = LedgerStatus.SUBMITTED, due - datetime.timedelta(days=rng.randint(0, 4))
            if submitted is not None and submitted > today:
                status, submitted = LedgerStatus.DRAFT, None
            tz = timezone.get_current_timezone()
            at = datetime.datetime.combine(submitted, datetime.time(9, 30), tzinfo=tz) if submitted else None
            ledger = MonthlyLedger(
                organization_id=b.pk,
                org_path=b.path,
                month=period.first_day,
                status=status,
                due_date=due,
                submitted_at=at,
                submitted_on_time=(submitted <= due) if submitted else None,
                reviewed_at=at + datetime.timedelta(days=2) if at and status != LedgerStatus.SUBMITTED else None,
                reviewed_by=upper if at and status != LedgerStatus.SUBMITTED else None,
                review_comment="党小组会记录不全，请补充后重新提交" if status == LedgerStatus.RETURNED else "",
                task_progress="按计划推进年度任务清单各项工作" if at else "",
                notes="",
            )
            ledgers.append(ledger)
            kinds = [MeetingKind.COMMITTEE_MEETING, MeetingKind.THEME_DAY]
            if period.month % 3 == 0 or rng.random() < 0.3:
                kinds.append(MeetingKind.GENERAL_MEETING)
            if period.month % 3 == 0 or rng.random() < 0.3:
                kinds.append(MeetingKind.PARTY_LECTURE)
            if rng.random() < 0.15:
                kinds.remove(rng.choice(kinds))  # some branches miss a required meeting
            for kind in kinds:
                meetings.append((ledger, _meeting(b, kind, None, period, rng, today)))
            for gid in groups.get(b.pk, ()):
                if rng.random() < 0.85:
                    meetings.append((ledger, _meeting(b, MeetingKind.GROUP_MEETING, gid, period, rng, today)))
    MonthlyLedger.objects.bulk_create(ledgers, batch_size=2000)
    rows = []
    for ledger, m in meetings:
        m.ledger_id = ledger.pk
        members = expected(m)
        absent = rng.randint(0, min(2, len(members) // 3))
        m.attendee_count, m.absentee_count = len(members) - absent, absent
        rows.append(m)
    Meeting.objects.bulk_create(rows, batch_size=2000)
    attendance = []
    for m in rows:
        if m.organization_id not in demo_ids:
            continue
        for i, (mid, name) in enumerate(expected(m)):
            present = i >= m.absentee_count
            attendance.append(
                MeetingAttendance(
                    meeting=m,
                    member_id=mid,
                    member_name=name,
                    present=present,
                    absence_reason="" if present else rng.choice(["因病请假", "因公外出", "流动在外"]),
                )
            )
    MeetingAttendance.objects.bulk_create(attendance, batch_size=2000)
    ctx.log(f"  月度台账：{len(ledgers)} 本，会议 {len(rows)} 次")


def _meeting(b: Any, kind: str, group_id: int | None, period: Period, rng: Any, today: datetime.date) -> Meeting:
    return Meeting(
        organization_id=b.pk,
        org_path=b.path,
        party_group_id=group_id,
        kind=kind,
        held_on=_date_in(period, rng, today),
        place="党员活动室",
        topic=rng.choice(TOPICS[kind]),
        minutes="会议由支部书记主持，传达学习上级精神，研究部署本月工作。",
    )


def _life_day(ctx: DemoContext, staff: Any) -> None:
    """The city's 组织生活日 (本单位设置 → 组织生活日): the first Friday of each month, postponed past holidays;
    every organization below inherits it unless it sets its own."""
    from .life_day import life_day_set

    city = getattr(staff, "organization", None) or ctx.root
    if staff is None or city is None:
        return
    life_day_set(
        acting_user=staff,
        organization=city,
        data={"rule": "weekday", "week": 1, "weekday": 4, "day": None, "postpone_on_holiday": True},
    )
    ctx.log(f"  组织生活日：{city.name}，每月第一个星期五（遇法定节假日顺延）")


def seed(ctx: DemoContext) -> None:
    if ctx.scale:
        return  # the benchmark tree gets its data from bench/responsibility.py
    staff = ctx.users.get("city_staff")
    district_staff = ctx.users.get("district_staff")
    street_staff = ctx.users.get("street_staff")
    secretary = ctx.users.get("secretary")
    _life_day(ctx, staff)
    _issue_year(ctx, staff)
    _rectifications(ctx, district_staff, secretary, street_staff)
    _ledgers(ctx, street_staff)
    current = Period.of(ctx.today)
    for back in (3, 2, 1, 0):
        stats_refresh(period=current.shift(-back), today=ctx.today)
    ctx.log(f"  任务清单：{TaskItem.objects.count()} 条；整改台账：{Rectification.objects.count()} 条")
