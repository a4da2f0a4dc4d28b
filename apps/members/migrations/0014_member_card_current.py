"""六色卡: the current card (and the month it took effect) moves onto the member's row, so the monthly
recompute compares it in the same scan and writes only the members whose card changes; the month's counts per
organization go to CardCount. Each member keeps their latest card."""

import django.db.models.deletion
from django.db import migrations, models

COPY_LATEST = (
    "UPDATE members_member SET "
    "card_category_id = (SELECT c.category_id FROM members_membercard c WHERE c.member_id = members_member.id "
    "ORDER BY c.month DESC, c.id DESC LIMIT 1), "
    "card_since = (SELECT c.month FROM members_membercard c WHERE c.member_id = members_member.id "
    "ORDER BY c.month DESC, c.id DESC LIMIT 1) "
    "WHERE EXISTS (SELECT 1 FROM members_membercard c WHERE c.member_id = members_member.id)"
)
COPY_COUNTS = (
    "INSERT INTO members_cardcount (organization_id, org_path, month, category_id, n) "
    "SELECT organization_id, MIN(org_path), month, category_id, COUNT(*) FROM members_membercard "
    "GROUP BY organization_id, month, category_id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0013_member_card_member_index"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="card_category",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="members.cardcategory",
                verbose_name="六色卡",
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="card_since",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="六色卡评定月份"),
        ),
        migrations.CreateModel(
            name="CardCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("org_path", models.CharField(editable=False, max_length=255)),
                ("month", models.DateField()),
                ("n", models.PositiveIntegerField(default=0)),
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
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "month", "category"), name="card_count_org_month_cat"
                    )
                ],
            },
        ),
        migrations.RunSQL(COPY_LATEST, migrations.RunSQL.noop),
        migrations.RunSQL(COPY_COUNTS, migrations.RunSQL.noop),
        migrations.DeleteModel(name="MemberCard"),
    ]
