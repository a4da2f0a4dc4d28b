"""六色卡: one narrow row per member with the current card and the month it took effect (written only when
the card changes) and the month's counts per organization (CardCount). Each member keeps their latest card;
the months' counts are kept from the monthly rows."""

import django.db.models.deletion
from django.db import migrations, models


def copy_counts(apps, schema_editor):
    """The months' counts from the monthly rows (one GROUP BY; few rows before this migration)."""
    from django.db.models import Count

    Month = apps.get_model("members", "MemberCardMonth")
    CardCount = apps.get_model("members", "CardCount")
    rows: dict = {}
    for org, path, month, cat, n in (
        Month.objects.values_list("organization_id", "org_path", "month", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row = rows.setdefault((org, month), CardCount(organization_id=org, org_path=path, month=month, counts={}))
        row.counts[str(cat)] = n
    CardCount.objects.bulk_create(rows.values(), batch_size=2000)


COPY_LATEST = (
    "INSERT INTO members_membercard (member_id, category_id, since) "
    "SELECT member_id, category_id, month FROM members_membercardmonth o WHERE NOT EXISTS ("
    "SELECT 1 FROM members_membercardmonth d WHERE d.member_id = o.member_id "
    "AND (d.month > o.month OR (d.month = o.month AND d.id > o.id)))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0013_member_card_member_index"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CardCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("org_path", models.CharField(editable=False, max_length=255)),
                ("month", models.DateField()),
                ("counts", models.JSONField(default=dict)),
                (
                    "organization",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organizations.organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "六色卡统计",
                "verbose_name_plural": "六色卡统计",
                "indexes": [models.Index(fields=["month", "org_path"], name="card_count_month_path_idx")],
                "constraints": [models.UniqueConstraint(fields=("organization", "month"), name="card_count_org_month")],
            },
        ),
        migrations.RenameModel(old_name="MemberCard", new_name="MemberCardMonth"),
        migrations.RunPython(copy_counts, migrations.RunPython.noop),
        migrations.CreateModel(
            name="MemberCard",
            fields=[
                (
                    "member",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="card",
                        serialize=False,
                        to="members.member",
                    ),
                ),
                ("since", models.DateField(verbose_name="评定月份")),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="members.cardcategory",
                    ),
                ),
            ],
            options={"verbose_name": "党员六色卡", "verbose_name_plural": "党员六色卡"},
        ),
        migrations.RunSQL(COPY_LATEST, migrations.RunSQL.noop),
        migrations.DeleteModel(name="MemberCardMonth"),
    ]
