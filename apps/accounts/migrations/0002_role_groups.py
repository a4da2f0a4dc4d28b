"""Create one group per role. Their permissions are synced after every migrate (apps/accounts/roles.py)."""

from django.db import migrations

ROLES = ["system_admin", "org_staff", "committee_staff", "branch_secretary", "inspector", "leader", "roster_admin"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
