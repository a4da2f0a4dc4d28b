"""六色卡: one current card per member (the month it took effect) and the month's counts per organization,
so the monthly recompute writes only the cards that change. Keeps each member's latest card."""

import django.db.models.deletion
from django.db import migrations, models

KEEP_LATEST = (
    "DELETE FROM members_membercard WHERE EXISTS (SELECT 1 FROM members_membercard d "
    "WHERE d.member_id = members_membercard.member_id AND (d.month > members_membercard.month "
    "OR (d.month = members_membercard.month AND d.id > members_membercard.id)))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0013_member_card_member_index"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(KEEP_LATEST, migrations.RunSQL.noop),
        migrations.RemoveConstraint(model_name="membercard", name="member_card_month"),
        migrations.RemoveIndex(model_name="membercard", name="member_card_month_path_idx"),
        migrations.RenameField(model_name="membercard", old_name="month", new_name="since"),
        migrations.AlterField(
            model_name="membercard",
            name="since",
            field=models.DateField(verbose_name="评定月份"),
        ),
        migrations.AlterField(
            model_name="membercard",
            name="member",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="members.member"
            ),
        ),
        migrations.AddIndex(
            model_name="membercard",
            index=models.Index(fields=["org_path"], name="member_card_path_idx"),
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
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="members.cardcategory"
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
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
    ]
