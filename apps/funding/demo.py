"""Demo funding: the reports' standards (5000 per community, 100 per member for training, 30000 per village,
a demonstration-site special item), allocations for last year and this year, and a realistic spread of
expenses (most organizations on track, some behind, a few without vouchers). Bulk inserts throughout."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.core.demo import DEMO_PASSWORD, DemoContext
from apps.organizations.choices import OrgKind, Sector

from .choices import ExpenseCategory, ExpenseStatus, FundingSource, StandardBasis
from .models import Allocation, Expense, ExpenseVoucher, FundingStandard
from .rollup import Delta, rollup_apply, rollup_month
from .services import allocation_commit, allocation_create, standard_copy_forward, standard_create

DEMO_VOUCHER = "funding/vouchers/demo/示例凭证.pdf"
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

STANDARDS = [
    # name, basis, kind, sector, parent kind, amount last year, growth rule %, source, note
    (
        "社区党建工作经费",
        StandardBasis.PER_ORG,
        OrgKind.COMMITTEE,
        Sector.COMMUNITY,
        "",
        "5000",
        None,
        FundingSource.FISCAL,
        "每个社区每年5000元党建工作经费",
    ),
    (
        "党员教育培训经费",
        StandardBasis.PER_MEMBER,
        "",
        "",
        "",
        "100",
        "10",
        FundingSource.DUES_RETURN,
        "每名党员每年100元教育培训经费，不低于10%的比例逐年增加",
    ),
    (
        "村党组织运转经费（党总支）",
        StandardBasis.PER_ORG,
        OrgKind.GENERAL_BRANCH,
        Sector.RURAL,
        "",
        "30000",
        None,
        FundingSource.FISCAL,
        "每个村每年3万元",
    ),
    (
        "村党组织运转经费（党支部）",
        StandardBasis.PER_ORG,
        OrgKind.BRANCH,
        Sector.RURAL,
        OrgKind.COMMITTEE,
        "30000",
        None,
        FundingSource.FISCAL,
        "每个村每年3万元（直属乡镇党委的村党支部）",
    ),
    (
        "党建示范点专项经费",
        StandardBasis.PER_SITE,
        "",
        "",
        "",
        "50000",
        None,
        FundingSource.SPECIAL,
        "每个示范点下拨专项经费",
    ),
]

PAYEES = {
    ExpenseCategory.ACTIVITY: ["红色教育基地", "社区活动中心", "江州旅游客运公司"],
    ExpenseCategory.VENUE: ["江州装饰工程有限公司", "恒达建材有限公司", "江州广告制作部"],
    ExpenseCategory.TRAINING: ["江州市委党校", "新华书店江州分店", "江州培训中心"],
    ExpenseCategory.RELIEF: ["困难党员慰问", "老党员慰问", "江州百货超市"],
    ExpenseCategory.SERVICE: ["党群服务中心", "江州志愿服务协会"],
    ExpenseCategory.OFFICE: ["江州办公用品商行", "江州印务有限公司"],
    ExpenseCategory.OTHER: ["其他"],
}
PURPOSES = {
    ExpenseCategory.ACTIVITY: ["主题党日活动", "七一主题活动", "红色教育参观"],
    ExpenseCategory.VENUE: ["党群服务中心阵地改造", "党建宣传栏制作", "活动室设备购置"],
    ExpenseCategory.TRAINING: ["党员冬训教材", "党员集中培训", "支部书记培训班"],
    ExpenseCategory.RELIEF: ["春节走访慰问困难党员", "七一慰问老党员"],
    ExpenseCategory.SERVICE: ["为民服务志愿活动物资", "微心愿物资"],
    ExpenseCategory.OFFICE: ["党建资料印刷", "办公耗材"],
    ExpenseCategory.OTHER: ["其他支出"],
}
WEIGHTS = [
    (ExpenseCategory.ACTIVITY, 30),
    (ExpenseCategory.TRAINING, 20),
    (ExpenseCategory.VENUE, 15),
    (ExpenseCategory.RELIEF, 12),
    (ExpenseCategory.SERVICE, 10),
    (ExpenseCategory.OFFICE, 10),
    (ExpenseCategory.OTHER, 3),
]


def _community_user(ctx: DemoContext) -> None:
    community = ctx.orgs.get("community")
    if community is None or "community_staff" in ctx.users:
        return
    user = user_create(
        acting_user=None,
        username="community_staff",
        password=DEMO_PASSWORD,
        role=Role.COMMITTEE_STAFF,
        organization=community,
        display_name="社区党委 委员 孙丽",
    )
    ctx.users["community_staff"] = user
    ctx.accounts.append(("community_staff", Role(Role.COMMITTEE_STAFF).label, community.name))


def _spread(ctx: DemoContext, allocations: list[Allocation], *, year: int, upto: datetime.date) -> tuple[list, list]:
    """Expenses for each allocation: a target share of the money (some organizations behind), spread over the
    months so far, amounts rounded to the yuan, never past the allocation."""
    rng = ctx.rng
    cats = [c for c, w in WEIGHTS for _ in range(w)]
    expenses, deltas = [], []
    start = datetime.date(year, 1, 10)
    days = max(1, (upto - start).days)
    elapsed = min(1.0, (upto - datetime.date(year, 1, 1)).days / 365)
    for a in allocations:
        if upto < start:
            break
        behind = rng.random() < 0.2
        share = rng.uniform(0.05, 0.25) if behind else rng.uniform(0.55, 1.0)
        target = (
            a.amount * Decimal(str(round(share * (elapsed if year == ctx.today.year else 1.0) * 1.1, 4)))
        ).quantize(Decimal("1"))
        target = min(target, a.amount)
        n = rng.randint(2, 8)
        left = target
        for i in range(n):
            if left <= 0:
                break
            amount = (
                left
                if i == n - 1
                else (target / n * Decimal(str(round(rng.uniform(0.6, 1.4), 2)))).quantize(Decimal("1"))
            )
            amount = min(amount, left)
            if amount <= 0:
                continue
            left -= amount
            cat = rng.choice(cats)
            spent_on = start + datetime.timedelta(days=rng.randint(0, days))
            expenses.append(
                Expense(
                    organization_id=a.organization_id,
                    org_path=a.org_path,
                    allocation=a,
                    source=a.source,
                    spent_on=spent_on,
                    category=cat,
                    amount=amount,
                    payee=rng.choice(PAYEES[cat]),
                    purpose=rng.choice(PURPOSES[cat]),
                    approved_by=rng.choice(["张建国", "李红梅", "王志强", "刘芳"]),
                    status=ExpenseStatus.POSTED,
                    voucher_count=0 if rng.random() < 0.08 else 1,
                )
            )
            deltas.append(Delta(a.org_path, year, rollup_month(year, spent_on), a.source, cat, Decimal("0"), amount))
            a.spent += amount
    return expenses, deltas


def seed(ctx: DemoContext) -> None:
    if ctx.root is None:
        return
    _community_user(ctx)
    actor = ctx.users.get("admin") or ctx.users.get("city_staff")
    if actor is None:
        return
    this_year, last_year = ctx.today.year, ctx.today.year - 1
    old = []
    for name, basis, kind, sector, parent_kind, amount, growth, source, note in STANDARDS:
        old.append(
            standard_create(
                acting_user=actor,
                region=ctx.root,
                year=last_year,
                name=name,
                basis=basis,
                target_kind=kind,
                target_sector=sector,
                target_parent_kind=parent_kind,
                amount=Decimal(amount) * (Decimal("0.9") if growth else 1),
                source=source,
                growth_min_percent=growth,
                note=note,
                top_level_only=True,
            )
        )
    new = standard_copy_forward(acting_user=actor, region=ctx.root, from_year=last_year)
    # The training standard this year stays at 100 yuan: 11.1% over last year's 90, so the rule is met; the
    # community standard has no rule. Show the warning on one: the demonstration item kept flat with a rule.
    FundingStandard.objects.filter(pk__in=[s.pk for s in new], basis=StandardBasis.PER_MEMBER).update(
        amount=Decimal("100")
    )
    FundingStandard.objects.filter(pk__in=[s.pk for s in new], basis=StandardBasis.PER_SITE).update(
        growth_min_percent=Decimal("5")
    )
    new = list(FundingStandard.objects.filter(pk__in=[s.pk for s in new]).select_related("region", "previous"))
    allocation_commit(acting_user=actor, standards=old, allocated_on=datetime.date(last_year, 3, 15))
    allocation_commit(acting_user=actor, standards=new, allocated_on=datetime.date(this_year, 3, 10))
    street, branch = ctx.orgs.get("street"), ctx.orgs.get("branch")
    if street is not None and branch is not None:
        for year, day in ((last_year, datetime.date(last_year, 4, 1)), (this_year, datetime.date(this_year, 4, 1))):
            allocation_create(
                acting_user=actor,
                issuer=street,
                organization=branch,
                year=year,
                source=FundingSource.DUES_RETURN,
                amount="3000",
                basis="党费返还用于网格党支部活动",
                allocated_on=day,
            )
    district = ctx.orgs.get("district")
    if district is not None:
        allocation_create(
            acting_user=actor,
            issuer=ctx.root,
            organization=district,
            year=this_year,
            source=FundingSource.SPECIAL,
            amount="200000",
            basis="党建引领基层治理专项（一事一议）",
            allocated_on=datetime.date(this_year, 5, 20),
        )

    default_storage.exists(DEMO_VOUCHER) or default_storage.save(DEMO_VOUCHER, ContentFile(_PDF))
    all_expenses, all_deltas, touched = [], [], []
    for year, upto in (
        (last_year, datetime.date(last_year, 12, 20)),
        (this_year, ctx.today - datetime.timedelta(days=3)),
    ):
        allocs = list(Allocation.objects.filter(year=year).order_by("id"))
        expenses, deltas = _spread(ctx, allocs, year=year, upto=upto)
        all_expenses += expenses
        all_deltas += deltas
        touched += allocs
    Expense.objects.bulk_create(all_expenses, batch_size=2000)
    Allocation.objects.bulk_update(touched, ["spent"], batch_size=2000)
    rollup_apply(all_deltas)
    ExpenseVoucher.objects.bulk_create(
        [
            ExpenseVoucher(expense=e, file=DEMO_VOUCHER, name=f"发票-{e.spent_on:%Y%m%d}-{n}.pdf", size=len(_PDF))
            for n, e in enumerate(all_expenses)
            if e.voucher_count
        ],
        batch_size=2000,
    )
    waiting = _waiting_for_review(ctx, this_year)
    ctx.log(
        f"  经费：标准 {len(old) + len(new)} 项，下拨 {len(touched)} 笔，支出 {len(all_expenses)} 笔，"
        f"待街道审核 {waiting} 笔"
    )


def _waiting_for_review(ctx: DemoContext, year: int) -> int:
    """The demo branch's secretary records two expenses through the service: they wait in the street's review
    queue (and one has no voucher yet)."""
    from .services import expense_create

    secretary, branch = ctx.users.get("secretary"), ctx.orgs.get("branch")
    if secretary is None or branch is None or ctx.today.year != year:
        return 0
    alloc = Allocation.objects.filter(organization=branch, year=year).order_by("-amount", "id").first()
    if alloc is None:
        return 0
    n = 0
    for amount, cat, payee, purpose in (
        (Decimal("380"), ExpenseCategory.ACTIVITY, "红色教育基地", "七一主题党日现场教学"),
        (Decimal("120"), ExpenseCategory.OFFICE, "文具店", "党员活动室学习笔记本"),
    ):
        if alloc.remaining < amount:
            break
        expense_create(acting_user=secretary, allocation=alloc, spent_on=ctx.today, category=cat, amount=amount,
                       payee=payee, purpose=purpose, approved_by="张建国")  # fmt: skip
        alloc.refresh_from_db()
        n += 1
    return n
