"""Subtree filters (``org_path LIKE '/1/7/%'``) need a pattern-ops index on PostgreSQL when the database
collation is not "C" (a plain btree then serves neither the prefix nor the OR of the two paths). SQLite
compares bytewise, so the model's plain indexes serve it already."""

from django.db import migrations

PG = [
    "CREATE INDEX IF NOT EXISTS sr_req_path_pat_idx ON service_requests_servicerequest"
    " (org_path varchar_pattern_ops, received_at)",
    "CREATE INDEX IF NOT EXISTS sr_req_origin_pat_idx ON service_requests_servicerequest"
    " (origin_path varchar_pattern_ops, received_at)",
    "CREATE INDEX IF NOT EXISTS sr_stat_path_pat_idx ON service_requests_servicestatmonth"
    " (org_path varchar_pattern_ops, month)",
    "CREATE INDEX IF NOT EXISTS sr_reg_path_pat_idx ON service_requests_communityregistration"
    " (org_path varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS sr_reg_home_pat_idx ON service_requests_communityregistration"
    " (home_path varchar_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS sr_req_path_pat_idx",
    "DROP INDEX IF EXISTS sr_req_origin_pat_idx",
    "DROP INDEX IF EXISTS sr_stat_path_pat_idx",
    "DROP INDEX IF EXISTS sr_reg_path_pat_idx",
    "DROP INDEX IF EXISTS sr_reg_home_pat_idx",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0001_service_pipeline")]

    operations = [migrations.RunPython(forwards, backwards)]
