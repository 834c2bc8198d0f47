"""On PostgreSQL, compress the large record columns with lz4 instead of pglz.

Measured on a 100,000-record import: pglz compression of prompts and responses took about half
of the server's insert time; lz4 is several times faster at a similar ratio for text. Servers
built without lz4 keep pglz (the statement is skipped), and SQLite has no such setting.
"""

from django.db import migrations

COLUMNS = ("prompt", "responses", "metadata")


def use_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone() is None:
            return
        for column in COLUMNS:
            cursor.execute(
                f'ALTER TABLE "campaigns_record" ALTER COLUMN "{column}" SET COMPRESSION lz4'
            )


def use_default(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(
                f'ALTER TABLE "campaigns_record" ALTER COLUMN "{column}" SET COMPRESSION default'
            )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(use_lz4, use_default)]
