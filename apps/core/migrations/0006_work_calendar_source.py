from django.db import migrations, models

NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知"
FIXED_DATES = "《全国年节及纪念日放假办法》第二条（2027年安排尚未公布，仅录入固定日期的节日）"


def fill(apps, schema_editor):
    Day = apps.get_model("core", "WorkCalendarDay")
    Day.objects.filter(date__year=2026, source="").update(source=NOTICE_2026)
    Day.objects.filter(date__year=2027, source="").update(source=FIXED_DATES)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_schedule_export_cleanup")]

    operations = [
        migrations.AddField(
            model_name="workcalendarday",
            name="source",
            field=models.CharField(blank=True, max_length=200, verbose_name="依据"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
