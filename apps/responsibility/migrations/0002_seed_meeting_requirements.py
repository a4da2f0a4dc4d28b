"""Default organizational-life frequencies (shared/domain.md §2); admins may edit them afterwards."""

from django.db import migrations

DEFAULTS = [
    # kind, period, minimum, per party group, source
    (
        "committee_meeting",
        "month",
        1,
        False,
        "《中国共产党支部工作条例（试行）》第十二条：支部委员会会议一般每月召开1次",
    ),
    ("group_meeting", "month", 1, True, "《中国共产党支部工作条例（试行）》第十三条：党小组会一般每月召开1次"),
    ("theme_day", "month", 1, False, "《中国共产党支部工作条例（试行）》：每月相对固定1天开展主题党日"),
    ("general_meeting", "quarter", 1, False, "《中国共产党支部工作条例（试行）》第十一条：党员大会一般每季度召开1次"),
    ("party_lecture", "quarter", 1, False, "地方规定：党课每季度至少1次（条例为“按期”，可调整）"),
    ("life_meeting", "year", 1, False, "《中国共产党支部工作条例（试行）》第十七条：组织生活会一般每年召开1次"),
    ("member_appraisal", "year", 1, False, "《中国共产党支部工作条例（试行）》：民主评议党员一般每年开展1次"),
]


def seed(apps, schema_editor):
    Requirement = apps.get_model("responsibility", "MeetingRequirement")
    for kind, period, minimum, per_group, source in DEFAULTS:
        Requirement.objects.update_or_create(
            kind=kind,
            defaults={"period": period, "minimum_count": minimum, "per_party_group": per_group, "source": source},
        )


def unseed(apps, schema_editor):
    apps.get_model("responsibility", "MeetingRequirement").objects.filter(kind__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
