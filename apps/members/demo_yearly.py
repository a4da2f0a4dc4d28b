"""Demo data of the yearly cycle: a year of dues with realistic arrears, last year's appraisal, points, cards,
a few mobile members and the lost-contact reviews that follow. Bulk inserts only (a few seconds)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from apps.core.periods import Period

from .appraisal_models import Appraisal, AppraisalEntry, AppraisalLevel, UnqualifiedHandling
from .cards import cards_recompute
from .choices import MemberStatus
from .contact import contact_scan
from .contact_models import MobileRecord
from .demo_votes import seed_votes
from .dues import dues_monthly_amount, dues_quantum, dues_table
from .dues_models import DuesBase, DuesPayment
from .dues_stats import dues_stats_refresh
from .models import Member
from .points import points_collect

PLACES = ["广东省深圳市", "浙江省杭州市", "江苏省苏州市", "上海市浦东新区", "北京市朝阳区"]


def _category(rng: Any, age: int | None, occupation: str) -> tuple[str, Decimal]:
    if (age or 0) >= 60 or occupation == "retired":
        return "retiree", Decimal(rng.randrange(2800, 7500, 50))
    if occupation == "farmer":
        return "farmer", Decimal(0)
    if occupation == "student":
        return "student", Decimal(0)
    roll = rng.random()
    if roll < 0.03:
        return "unemployed", Decimal(0)
    if roll < 0.05:
        return "low_income", Decimal(0)
    return "employed", Decimal(rng.choice([2600, 3000, 3600, 4200, 4800, 5000, 5600, 6800, 8200, 9800, 12500]))


def analyze() -> None:
    """Fresh planner statistics after bulk loads (PostgreSQL; autovacuum would get there later)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Member, DuesBase, DuesPayment, Appraisal, AppraisalEntry, MobileRecord):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        cursor.execute("ANALYZE members_pointentry")


def seed(ctx: Any) -> None:
    if ctx.scale or ctx.root is None:
        return
    rng, today = ctx.rng, ctx.today
    root = ctx.root.path
    members = list(
        Member.objects.filter(org_path__startswith=root, status=MemberStatus.ACTIVE).values_list(
            "id", "organization_id", "org_path", "birth_date", "occupation_category", "joined_on", "category"
        )
    )
    this = Period.current()
    months = [this.shift(-i) for i in range(12, 0, -1)]  # the last 12 closed months
    years = sorted({p.year for p in months} | {this.year})
    tables = {y: dues_table(y) for y in years}
    quantum = dues_quantum()
    bases, payments, amount_of = [], [], {}
    behaviour: dict[int, str] = {}
    for mid, oid, path, birth, occ, _joined, _cat in members:
        age = (today.year - birth.year) if birth else None
        category, base = _category(rng, age, occ)
        for y in years:
            amount = dues_monthly_amount(category=category, base=base, table=tables[y], quantum=quantum)
            bases.append(
                DuesBase(
                    member_id=mid,
                    organization_id=oid,
                    org_path=path,
                    year=y,
                    category=category,
                    base=base,
                    monthly_amount=amount,
                )
            )
            amount_of[(mid, y)] = amount
        roll = rng.random()
        behaviour[mid] = "stopped" if roll < 0.02 else "late" if roll < 0.10 else "regular"
    DuesBase.objects.bulk_create(bases, batch_size=5000, ignore_conflicts=True)
    for mid, oid, path, _b, _o, joined, _c in members:
        kind = behaviour[mid]
        for i, p in enumerate(months):
            if joined and joined > p.last_day:
                continue
            if kind == "stopped" and i >= 4:  # stopped paying eight months ago
                continue
            if kind == "late" and i >= 9:  # three months behind
                continue
            paid_on = p.first_day + datetime.timedelta(days=rng.randint(2, 25))
            if kind == "late":
                paid_on += datetime.timedelta(days=rng.randint(20, 60))
            paid_on = min(paid_on, today)
            payments.append(
                DuesPayment(
                    member_id=mid,
                    organization_id=oid,
                    org_path=path,
                    month=p.first_day,
                    amount=amount_of[(mid, p.year)],
                    method=rng.choice(["cash", "transfer", "online", "online"]),
                    paid_on=paid_on,
                    receipt_no=f"{p.year}{p.month:02d}-{mid}",
                )
            )
    DuesPayment.objects.bulk_create(payments, batch_size=5000, ignore_conflicts=True)
    analyze()
    for p in [*months, this]:
        dues_stats_refresh(period=p, root_path=root)

    # last year's appraisal in every branch with members, decided at a December general meeting
    last_year = today.year - 1
    by_branch: dict[int, list[int]] = {}
    paths: dict[int, str] = {}
    for mid, oid, path, *_rest in members:
        by_branch.setdefault(oid, []).append(mid)
        paths[oid] = path
    appraisals = [
        Appraisal(
            organization_id=oid,
            org_path=paths[oid],
            year=last_year,
            status="decided",
            committee_on=datetime.date(last_year, 12, 10),
            meeting_on=datetime.date(last_year, 12, 20),
        )
        for oid in by_branch
    ]
    Appraisal.objects.bulk_create(appraisals, batch_size=2000, ignore_conflicts=True)
    ids = dict(Appraisal.objects.filter(year=last_year, org_path__startswith=root).values_list("organization_id", "id"))
    entries = []
    for oid, mids in by_branch.items():
        n_excellent = len(mids) // 4
        for i, mid in enumerate(mids):
            if behaviour[mid] == "stopped" and rng.random() < 0.3:
                level = AppraisalLevel.UNQUALIFIED
            elif i < n_excellent:
                level = AppraisalLevel.EXCELLENT
            elif rng.random() < 0.03:
                level = AppraisalLevel.BASIC
            else:
                level = AppraisalLevel.QUALIFIED
            total = len(mids)
            ve = int(total * (0.7 if level == "excellent" else 0.2))
            entries.append(
                AppraisalEntry(
                    appraisal_id=ids[oid],
                    member_id=mid,
                    org_path=paths[oid],
                    self_assessed_on=datetime.date(last_year, 12, 5),
                    self_assessment="认真学习党的理论，积极参加组织生活，按时交纳党费。",
                    votes_excellent=ve,
                    votes_qualified=max(total - ve - 1, 0),
                    votes_basic=1 if level in ("basic", "unqualified") else 0,
                    proposed_level=level,
                    final_level=level,
                )
            )
    AppraisalEntry.objects.bulk_create(entries, batch_size=5000, ignore_conflicts=True)
    handling = [
        UnqualifiedHandling(
            entry=e,
            org_path=e.org_path,
            measure="rectify",
            proposed_on=datetime.date(last_year, 12, 25),
            deadline=datetime.date(today.year, 6, 30),
            note="限期半年改正，支部书记谈话提醒",
            reported_on=datetime.date(last_year, 12, 28),
        )
        for e in AppraisalEntry.objects.filter(
            org_path__startswith=root, appraisal__year=last_year, final_level=AppraisalLevel.UNQUALIFIED
        )
    ]
    UnqualifiedHandling.objects.bulk_create(handling, ignore_conflicts=True)

    # mobile members (about 2 %), some whose period ends this month
    mobile = []
    for mid, oid, path, *_rest in members:
        if rng.random() < 0.02 and behaviour[mid] != "stopped":
            start = today - datetime.timedelta(days=rng.randint(30, 400))
            mobile.append(
                MobileRecord(
                    member_id=mid,
                    organization_id=oid,
                    org_path=path,
                    direction="outflow",
                    place=rng.choice(PLACES),
                    starts_on=start,
                    ends_on=this.last_day if rng.random() < 0.3 else start + datetime.timedelta(days=365),
                    certificate_no=f"LD{today.year}{mid:06d}",
                    contact="微信联系",
                )
            )
    MobileRecord.objects.bulk_create(mobile, ignore_conflicts=True)
    for rec in mobile:
        Member.objects.filter(pk=rec.member_id).update(
            mobile_state="outflow", mobile_place=rec.place, mobile_since=rec.starts_on, mobile_contact=rec.contact
        )

    analyze()
    created = points_collect(start=months[0].first_day, end=today, root_path=root)
    analyze()
    cards = cards_recompute(period=this, root_path=root)
    scan = contact_scan(today=today, root_path=root)
    votes = seed_votes(rng=rng, root=root, today=today)
    ctx.log(
        f"  党费：{len(bases)} 条基数，{len(payments)} 条交纳记录；民主评议：{len(appraisals)} 个支部；"
        f"积分：{created} 条；六色卡：{cards} 人；流动党员：{len(mobile)} 人；失联审查：{scan['lost_contact']} 人；"
        f"支部大会表决：{votes} 次"
    )
