"""The list's 已逾期 / open filters on a subtree: partial indexes over the open requests only (a few percent
of the rows), by handling and by registering organization's path, so ``status IN (open) AND due_on < today
AND (org_path LIKE … OR origin_path LIKE …)`` reads the subtree's open rows instead of walking the received_at
index across the province. PostgreSQL only (pattern ops; SQLite compares bytewise and needs none)."""

from django.db import migrations

OPEN = "('registered', 'accepted', 'assigned', 'in_progress')"
PG = [
    "CREATE INDEX IF NOT EXISTS sr_req_open_path_idx ON service_requests_servicerequest"
    f" (org_path varchar_pattern_ops, due_on) WHERE status IN {OPEN}",
    "CREATE INDEX IF NOT EXISTS sr_req_open_origin_idx ON service_requests_servicerequest"
    f" (origin_path varchar_pattern_ops, due_on) WHERE status IN {OPEN}",
]
DROP = ["DROP INDEX IF EXISTS sr_req_open_path_idx", "DROP INDEX IF EXISTS sr_req_open_origin_idx"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0003_stat_day_follow_up_window")]

    operations = [migrations.RunPython(forwards, backwards)]
