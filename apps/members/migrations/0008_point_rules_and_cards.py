from django.db import migrations

RULES = [
    # code, name, points, source
    ("meeting_attended", "参加组织生活", 2, "responsibility.attendance_present"),
    ("meeting_absent", "无故缺席组织生活", -2, "responsibility.attendance_absent"),
    ("dues_on_time", "按时交纳党费", 1, "members.dues_on_time"),
    ("dues_overdue", "逾期未交党费", -5, "members.dues_overdue"),
    ("appraisal_excellent", "民主评议为优秀", 10, "members.appraisal_excellent"),
    ("appraisal_unqualified", "民主评议为不合格", -10, "members.appraisal_unqualified"),
    ("service_hour", "志愿服务（每小时）", 1, "service_requests.service_hour"),
    ("wish_fulfilled", "认领并完成微心愿", 3, "service_requests.wish_fulfilled"),
    ("manual_bonus", "支部加分（注明事由）", 1, "manual"),
    ("manual_penalty", "支部扣分（注明事由）", -1, "manual"),
]
CARDS = [
    # code, name, colour, order, criteria, fields
    ("purple", "紫卡·流动党员", "#6f42c1", 10, "外出流动的党员", {"mobile": True}),
    ("grey", "灰卡·失联党员", "#6c757d", 20, "失去联系的党员", {"lost_contact": True}),
    ("blue", "蓝卡·关爱党员", "#0d6efd", 30, "年满80周岁等需关爱的党员", {"min_age": 80}),
    (
        "red",
        "红卡·先锋党员",
        "#d63333",
        40,
        "年度积分不低于30分，或最近一次评议为优秀",
        {"min_points": 30, "appraisal_levels": "excellent", "match_any": True},
    ),
    (
        "yellow",
        "黄卡·提醒党员",
        "#e0a800",
        50,
        "年度积分为负，或最近一次评议为基本合格、不合格",
        {"max_points": -1, "appraisal_levels": "basic,unqualified", "match_any": True},
    ),
    ("green", "绿卡·合格党员", "#198754", 60, "其他党员", {}),
]


def seed(apps, schema_editor):
    PointRule = apps.get_model("members", "PointRule")
    CardCategory = apps.get_model("members", "CardCategory")
    for code, name, points, source in RULES:
        PointRule.objects.get_or_create(code=code, defaults={"name": name, "points": points, "source": source})
    for code, name, colour, order, criteria, fields in CARDS:
        CardCategory.objects.get_or_create(
            code=code, defaults={"name": name, "colour": colour, "order": order, "criteria": criteria, **fields}
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0007_yearly_cycle")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
