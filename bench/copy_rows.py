"""What the COPY loaders of the benchmarks share: a value as COPY's text format writes it, the
next free id of a table, and its id sequence moved past the rows written with explicit ids.
PostgreSQL only; Django is imported when called (workers set it up first)."""


def copy_text(value: str) -> str:
    """`value` escaped for COPY … FROM STDIN in text format (tab-separated columns)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - a model's table
        return int(cursor.fetchone()[0])


def sync_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - a model's table
        )
