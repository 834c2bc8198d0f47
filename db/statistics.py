"""The planner's statistics of a table: refreshed after a bulk load (PostgreSQL; a no-op on
SQLite, whose planner keeps none worth refreshing here)."""

from django.db import connection
from django.db.models import Model

from db.names import table


def analyze(model: type[Model]) -> None:
    """ANALYZE the model's table: after a bulk load the planner still believes it is empty until
    autovacuum gets to it (measured on imports: the engine's queries up to twice as slow)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table(model)}")


def analyze_when_stale(model: type[Model], *, min_rows: int = 1000) -> bool:
    """ANALYZE the model's table when it holds at least `min_rows` live rows and the planner's
    estimate is under half of them; True when it did. For a table filled by a stream of small
    batches, which autovacuum re-analyzes only once it grew by a tenth."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, COALESCE(s.n_live_tup, 0) FROM pg_class c "
            "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass",
            [model._meta.db_table],
        )
        found = cursor.fetchone()
        if found is None or found[1] < min_rows or found[0] >= found[1] / 2:
            return False
        cursor.execute(f"ANALYZE {table(model)}")
        return True
