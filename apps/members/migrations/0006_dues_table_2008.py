from decimal import Decimal as D

from django.db import migrations

NOTE = "《关于中国共产党党费收缴、使用和管理的规定》（2008年）"
ROWS = [
    ("employed", D("3000"), D("0.5"), None),
    ("employed", D("5000"), D("1"), None),
    ("employed", D("10000"), D("1.5"), None),
    ("employed", None, D("2"), None),
    ("retiree", D("5000"), D("0.5"), None),
    ("retiree", None, D("1"), None),
    ("farmer", None, None, D("0.50")),
    ("student", None, None, D("0.20")),
    ("unemployed", None, None, D("0.20")),
    ("low_income", None, None, D("0.20")),
]


def seed(apps, schema_editor):
    DuesBracket = apps.get_model("members", "DuesBracket")
    if DuesBracket.objects.filter(year=2008).exists():
        return
    DuesBracket.objects.bulk_create(
        DuesBracket(year=2008, category=c, upper_bound=u, rate_percent=r, fixed_amount=f, note=NOTE)
        for c, u, r, f in ROWS
    )


def unseed(apps, schema_editor):
    apps.get_model("members", "DuesBracket").objects.filter(year=2008, note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0005_dues")]
    operations = [migrations.RunPython(seed, unseed)]
