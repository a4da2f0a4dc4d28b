"""Seed the recruitment interval rules (domain.md §3); admins may edit them afterwards."""

from django.db import migrations

RULES = [
    # code, from, to, min_months, min_days, max_months, max_days, waived_by, message
    (
        "talk-within-1-month",
        "applied_on",
        "talked_on",
        None,
        0,
        1,
        None,
        "",
        "党组织须在收到入党申请书后一个月内派人同入党申请人谈话（《发展党员工作细则》第八条）",
    ),
    (
        "activist-after-application",
        "applied_on",
        "activist_on",
        None,
        0,
        None,
        None,
        "",
        "确定入党积极分子的时间不得早于递交入党申请书的时间（《发展党员工作细则》第九条）",
    ),
    (
        "candidate-after-1-year",
        "activist_on",
        "candidate_on",
        12,
        None,
        None,
        None,
        "",
        "发展对象确定时间须在确定为入党积极分子满一年之后（《发展党员工作细则》第十三条）",
    ),
    (
        "review-before-vote",
        "political_review_on",
        "branch_vote_on",
        None,
        0,
        None,
        None,
        "",
        "政治审查须在支部大会讨论接收之前形成结论（《发展党员工作细则》第十五条）",
    ),
    (
        "training-before-vote",
        "training_end",
        "branch_vote_on",
        None,
        0,
        None,
        None,
        "",
        "发展对象须在支部大会讨论前完成集中培训（《发展党员工作细则》第十六条）",
    ),
    (
        "vote-after-candidate",
        "candidate_on",
        "branch_vote_on",
        None,
        0,
        None,
        None,
        "",
        "支部大会讨论接收预备党员的时间不得早于确定为发展对象的时间（《发展党员工作细则》第二十条）",
    ),
    (
        "approval-within-6-months",
        "branch_vote_on",
        "approved_on",
        None,
        0,
        6,
        None,
        "",
        "上级党委审批预备党员最长不得超过六个月（《发展党员工作细则》第二十六条）",
    ),
    (
        "approval-within-3-months",
        "branch_vote_on",
        "approved_on",
        None,
        0,
        3,
        None,
        "approval_delay_reason",
        "上级党委应在支部大会通过后三个月内审批，超过三个月须注明原因（《发展党员工作细则》第二十六条）",
    ),
    (
        "confirm-after-probation",
        "probation_ends_on",
        "confirmed_on",
        None,
        0,
        None,
        None,
        "",
        "预备党员转正须在预备期满之后（《发展党员工作细则》第三十二条）",
    ),
    (
        "confirm-vote-after-probation",
        "probation_ends_on",
        "confirmation_vote_on",
        None,
        0,
        None,
        None,
        "",
        "支部大会讨论预备党员转正须在预备期满之后（《发展党员工作细则》第三十二条）",
    ),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("members", "RecruitmentRule")
    for code, frm, to, min_m, min_d, max_m, max_d, waived, message in RULES:
        Rule.objects.update_or_create(
            code=code,
            defaults=dict(
                from_field=frm,
                to_field=to,
                min_months=min_m,
                min_days=min_d,
                max_months=max_m,
                max_days=max_d,
                waived_by=waived,
                message=message,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("members", "RecruitmentRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0002_subtree_indexes")]

    operations = [migrations.RunPython(seed, unseed)]
