"""db.names quotes the table of a model so that a statement can name it."""

from django.db import connection

from campaigns.models import Record
from db.names import table


def test_table_names_the_models_table_quoted_for_the_backend(loop) -> None:
    quoted = table(Record)
    assert quoted != Record._meta.db_table and Record._meta.db_table in quoted
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quoted} WHERE campaign_id = %s", [loop.campaign.pk])
        assert cursor.fetchone()[0] == Record.objects.filter(campaign=loop.campaign).count() > 0
