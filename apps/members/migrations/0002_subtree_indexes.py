"""Subtree and name indexes that need a byte-order ("C") collation on PostgreSQL.

A list of any subtree is ``WHERE org_path LIKE '/1/7/%' ORDER BY org_path COLLATE "C", id LIMIT n``: with
the index below that is one index range read in order, whatever the database's default collation (a
locale collation would neither serve the LIKE prefix nor keep a subtree contiguous). Name search is a
prefix on name inside a subtree. SQLite compares bytewise already, so it gets plain indexes.
"""

from django.db import migrations

PG = [
    'CREATE INDEX IF NOT EXISTS member_orgpath_c_id_idx ON members_member (org_path COLLATE "C", id)',
    'CREATE INDEX IF NOT EXISTS member_name_c_idx ON members_member (name COLLATE "C", org_path COLLATE "C", id)',
]
OTHER = [
    "CREATE INDEX IF NOT EXISTS member_orgpath_c_id_idx ON members_member (org_path, id)",
    "CREATE INDEX IF NOT EXISTS member_name_c_idx ON members_member (name, org_path, id)",
]
DROP = ["DROP INDEX IF EXISTS member_orgpath_c_id_idx", "DROP INDEX IF EXISTS member_name_c_idx"]


def forwards(apps, schema_editor):
    statements = PG if schema_editor.connection.vendor == "postgresql" else OTHER
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
