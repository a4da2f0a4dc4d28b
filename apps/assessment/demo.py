"""Demo: last year's plan published (grades written to the organizations, an appeal open), this year's plan
copied from it and being scored, and an observation visit scored on the spot by three raters.

System-fed indicators use whatever metrics the other apps have registered (rates: linear 60%→100%;
counts where fewer is better: deductions per occurrence); with none registered the points go to a manual item.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.core.demo import DemoContext
from apps.core.metrics import metrics
from apps.organizations.choices import BRANCH_KINDS

from . import services
from .choices import DutyReportStatus
from .models import AssessmentPlan, AssessmentResult, DutyReport, Indicator, ItemScore, RaterScore, VoteTally

D = Decimal


def _system_metrics() -> list[tuple[str, dict]]:
    chosen = []
    for m in sorted(metrics().values(), key=lambda m: m.name):
        if m.kind == "rate" and m.higher_is_better:
            chosen.append((m.name, {"kind": "linear", "low": 60, "high": 100}))
        elif m.kind == "count" and not m.higher_is_better:
            chosen.append((m.name, {"kind": "per_occurrence", "each": 2}))
        if len(chosen) == 3:
            break
    return chosen


def _build_tree(staff: Any, plan: AssessmentPlan) -> dict[str, Indicator]:
    def add(name: str, category: str, points: int, **kw: Any) -> Indicator:
        return services.indicator_save(acting_user=staff, plan=plan, name=name, category=category, points=D(points),
                                       **kw)  # fmt: skip

    inds: dict[str, Indicator] = {}
    g1 = add("组织建设", "group", 30, seq=1)
    inds["venue"] = add("阵地建设规范化", "standard", 15, parent=g1, seq=1, method="raters",
                        criteria="活动阵地面积、标识、制度上墙，评委现场打分")  # fmt: skip
    inds["team"] = add("班子队伍建设", "standard", 15, parent=g1, seq=2, method="manual")
    g2 = add("工作实绩", "group", 30, seq=2)
    system = _system_metrics()
    if system:
        share = [30 // len(system)] * len(system)
        share[0] += 30 - sum(share)
        for i, ((name, rule), pts) in enumerate(zip(system, share, strict=True), start=1):
            metric = metrics()[name]
            inds[f"sys{i}"] = add(metric.label, "standard", pts, parent=g2, seq=i, method="system", metric_name=name,
                                  rule=rule)  # fmt: skip
    else:
        inds["work"] = add("重点任务完成情况", "standard", 30, parent=g2, seq=1, method="manual")
    g3 = add("民主测评", "group", 20, seq=3)
    inds["votes"] = add("党员群众满意度", "standard", 20, parent=g3, seq=1, method="democratic")
    g4 = add("述职评议", "group", 20, seq=4)
    inds["duty"] = add("书记抓党建述职评议", "standard", 20, parent=g4, seq=1, method="duty_review")
    inds["bonus"] = add("创新工作加分", "bonus", 3, seq=5, method="manual", criteria="获市级以上表彰或经验推广")
    inds["deduction"] = add("被通报扣分", "deduction", 5, seq=6, method="manual")
    inds["veto"] = add("发生严重违纪违法问题", "veto", 0, seq=7, method="manual")
    return inds


def _fill_scores(ctx: DemoContext, plan: AssessmentPlan, inds: dict[str, Indicator], raters: list[Any]) -> None:
    """People's scores in bulk (a demo shortcut: the services record the same rows one at a time)."""
    results = list(AssessmentResult.objects.filter(plan=plan).select_related("organization"))
    rng = ctx.rng
    rater_rows, votes, items, reports = [], [], [], []
    for r in results:
        quality = rng.random()
        for rater in raters:
            pts = D(min(15, max(6, round(8 + quality * 7 + rng.uniform(-1.5, 1.5)))))
            rater_rows.append(RaterScore(result=r, indicator=inds["venue"], rater=rater, org_path=r.org_path,
                                         points=pts, evidence="现场查看"))  # fmt: skip
        n = rng.randint(15, 40)
        good = int(n * (0.4 + quality * 0.5))
        fair = int((n - good) * 0.6)
        poor = rng.randint(0, 1) if quality < 0.2 else 0
        votes.append(VoteTally(result=r, indicator=inds["votes"], org_path=r.org_path, good=good, fair=fair,
                               average=max(n - good - fair - poor, 0), poor=poor))  # fmt: skip
        for key in ("team", "work"):
            if key in inds:
                top = inds[key].points
                items.append(ItemScore(result=r, indicator=inds[key], org_path=r.org_path, category="standard",
                                       points=(top * D(str(round(0.6 + quality * 0.4, 2)))).quantize(D("0.01")),
                                       evidence="查阅资料、听取汇报"))  # fmt: skip
        if quality > 0.93:
            items.append(ItemScore(result=r, indicator=inds["bonus"], org_path=r.org_path, category="bonus",
                                   points=D(2), evidence="经验做法获市委组织部推广"))  # fmt: skip
        if quality < 0.08:
            items.append(ItemScore(result=r, indicator=inds["deduction"], org_path=r.org_path, category="deduction",
                                   points=D(3), evidence="月度台账连续两月逾期，被全区通报"))  # fmt: skip
        g = rng.randint(5, 12)
        reports.append(DutyReport(
            organization=r.organization, org_path=r.org_path, year=plan.year,
            reporter_name=r.organization.secretary_name or "书记",
            title=f"{r.organization.name}书记{plan.year}年度抓基层党建工作述职报告",
            text="一年来，支部坚持以党建引领基层治理，落实“三会一课”制度，推进阵地建设和党员教育管理。",
            status=DutyReportStatus.REVIEWED, submitted_at=timezone.now(), votes_good=g, votes_fair=rng.randint(1, 5),
            votes_average=rng.randint(0, 2), votes_poor=0, rating="good" if g > 8 else "fair",
            reviewed_at=timezone.now(),
        ))  # fmt: skip
    RaterScore.objects.bulk_create(rater_rows, batch_size=2000)
    VoteTally.objects.bulk_create(votes, batch_size=2000)
    ItemScore.objects.bulk_create(items, batch_size=2000)
    DutyReport.objects.bulk_create(reports, batch_size=1000, ignore_conflicts=True)


def _observation_visit(ctx: DemoContext, staff: Any, raters: list[Any]) -> Any:
    from apps.organizations.models import Organization
    from apps.supervision import observation_scoring as obs
    from apps.supervision import services as sup

    street = ctx.orgs["street"]
    visit = sup.observation_visit_create(
        acting_user=staff, organization=street, title=f"{ctx.today.year}年度逐社观摩（党建阵地与组织生活）",
        period=f"{ctx.today:%Y-%m}", visit_on=ctx.today,
    )  # fmt: skip
    obs.observation_sheet_set(acting_user=staff, visit=visit, visit_type="tour",
                              dimensions=[(n, D(20)) for n in ("党建基础", "组织建设", "党员管理", "活动开展",
                                                                "工作保障")])  # fmt: skip
    targets = list(Organization.objects.filter(parent=street, is_active=True).order_by("id")[:5])
    obs.observation_targets_set(acting_user=staff, visit=visit, organizations=targets)
    dims = list(visit.dimensions.all())
    for target in targets:
        base = ctx.rng.uniform(14, 19)
        for rater in raters:
            points = {d.pk: D(str(round(min(20, max(10, base + ctx.rng.uniform(-1.5, 1.5))) * 2) / 2)) for d in dims}
            obs.observation_rating_set(acting_user=rater, visit=visit, target=target, points=points,
                                       comment="阵地规范，资料齐全")  # fmt: skip
    if targets:
        # a problem seen on the spot becomes a problem item with its rectification notice
        from apps.supervision.observation_findings import observation_finding_create

        observation_finding_create(acting_user=staff, visit=visit, target=targets[-1], category="阵地建设",
                                   description="党员活动室制度未上墙，学习资料未及时更新", severity="minor",
                                   rectify_by=ctx.today + datetime.timedelta(days=30))  # fmt: skip
    return visit


def seed(ctx: DemoContext) -> None:
    if ctx.scale:
        return
    staff = ctx.users.get("district_staff")
    if staff is None:
        return
    district = ctx.orgs["district"]
    # plan raters work at or above the issuing district; the visit's raters also include the street's staff
    raters = [u for u in (staff, ctx.users.get("city_staff"), ctx.users.get("admin")) if u is not None]
    visit_raters = [u for u in (staff, ctx.users.get("street_staff"), ctx.users.get("city_staff")) if u is not None]
    last_year = ctx.today.year - 1
    plan = services.plan_create(
        acting_user=staff, organization=district, year=last_year, title=f"{last_year}年度基层党组织党建工作考核",
        scope_kinds=sorted(BRANCH_KINDS), star_thresholds=[90, 80, 70, 60], grading_method="quotas",
        advanced_quota_percent=20, lagging_quota_percent=10, rater_combine="trimmed",
    )  # fmt: skip
    inds = _build_tree(staff, plan)
    services.plan_start_scoring(acting_user=staff, plan=plan)
    _fill_scores(ctx, plan, inds, raters)
    lagging = AssessmentResult.objects.filter(plan=plan).exclude(organization=ctx.orgs["branch"]).order_by("?")
    vetoed = lagging.first()
    if vetoed is not None:
        services.veto_set(acting_user=staff, result=vetoed, indicator=inds["veto"], vetoed=True,
                          reason="支部书记受到党内严重警告处分")  # fmt: skip
    services.plan_compute(acting_user=staff, plan=plan)
    plan = services.plan_publish(acting_user=staff, plan=plan)
    secretary2 = ctx.users.get("secretary2")
    sibling = AssessmentResult.objects.filter(plan=plan, organization=ctx.orgs["sibling_branch"]).first()
    if secretary2 is not None and sibling is not None:
        services.appeal_submit(acting_user=secretary2, result=sibling, indicator=inds["votes"],
                               reason="民主测评当天部分党员外出务工未能参加，申请复核测评票数。")  # fmt: skip

    visit = _observation_visit(ctx, staff, visit_raters)
    current = services.plan_copy(acting_user=staff, source=plan, year=ctx.today.year)
    team = current.indicators.get(name="班子队伍建设")
    services.indicator_save(acting_user=staff, plan=current, indicator=team, name="逐社观摩评比",
                            method="observation", rule={"visit": visit.pk})  # fmt: skip
    services.plan_start_scoring(acting_user=staff, plan=current)
    secretary = ctx.users.get("secretary")
    if secretary is not None:
        services.duty_report_save(
            acting_user=secretary, organization=ctx.orgs["branch"], year=ctx.today.year,
            reporter_name=ctx.orgs["branch"].secretary_name or "张建国",
            title=f"{ctx.orgs['branch'].name}书记{ctx.today.year}年度抓基层党建工作述职报告",
            text="今年以来，支部围绕“三会一课”规范化、网格党建和为民服务开展工作，完成阵地提升改造，"
            "发展党员2名，办结群众微心愿15件。存在的不足是党员教育方式还不够丰富，明年将重点改进。",
            submit=True,
        )  # fmt: skip
    venue = current.indicators.get(name="阵地建设规范化")
    for result in AssessmentResult.objects.filter(plan=current).select_related("plan__organization")[:8]:
        for rater in raters:
            services.rater_score_set(acting_user=rater, result=result, indicator=venue,
                                     points=D(ctx.rng.randint(10, 15)), evidence="现场查看")  # fmt: skip
    services.plan_compute(acting_user=staff, plan=current)
    counts = dict(
        (g, AssessmentResult.objects.filter(plan=plan, grade=g).count()) for g in ("advanced", "standard", "lagging")
    )
    ctx.log(
        f"  考核：{last_year}年度已发布（先进 {counts['advanced']}、达标 {counts['standard']}、后进 "
        f"{counts['lagging']}），{ctx.today.year}年度评分中；观摩 1 次（3位评委）"
    )
