"""Preference pairs of a 7-point preference question, voted, aggregated and written as JSON
Lines by PostgreSQL: the statements of scoring.exports.preference_sql, with the tables passed in.

Python only copies text (1M judgements: 31.8 s in Python, see bench/export_load.py). The column
names are those of the models the caller passes (`Tables`); their tables come from the models.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from db.names import table

# `voter` is NOT MATERIALIZED: the tally reads it twice, and a materialized CTE is a scan whose
# rows the planner guesses; before the tables were analyzed (just after a bulk import) it chose a
# nested loop of every vote against every voter: 40 s for 20,000 judgements instead of 0.1 s.
_SQL = """
WITH voter AS NOT MATERIALIZED (
    SELECT an.id, {weight} AS w
    FROM {annotator} an {score_join}
    WHERE an.campaign_id = %(campaign)s AND an.standing = ANY(%(standings)s)
), vote AS (
    SELECT a.record_id, (j.answers ->> %(question)s)::int AS ans, v.w
    FROM {judgement} j
    JOIN {assignment} a ON a.id = j.assignment_id
    JOIN voter v ON v.id = a.annotator_id
    WHERE j.campaign_id = %(campaign)s AND a.record_kind = ANY(%(kinds)s)
      AND j.answers ? %(question)s
), pair AS (
    SELECT record_id, count(*) AS votes, sum(w) AS weight,
        sum(w * CASE WHEN ans < 0 THEN 1 WHEN ans = 0 THEN 0.5 ELSE 0 END) AS first,
        sum(w * CASE WHEN ans > 0 THEN 1 WHEN ans = 0 THEN 0.5 ELSE 0 END) AS second,
        sum(w * -ans / 3.0) AS strength
    FROM vote GROUP BY record_id
), verdict AS (
    SELECT record_id, votes, first = second AS tie,
        CASE WHEN second > first THEN 1 ELSE 0 END AS chosen,
        greatest(first, second) / (first + second) AS agreement,
        abs(strength) / weight AS margin
    FROM pair WHERE weight > 0
)
"""

_LINES = """
SELECT json_build_object(
    'prompt', x.prompt,
    'chosen', coalesce(x.c ->> 'text', ''),
    'rejected', coalesce(x.rj ->> 'text', ''),
    'chosen_model', coalesce(x.c ->> 'model', ''),
    'rejected_model', coalesce(x.rj ->> 'model', ''),
    'margin', round(v.margin::numeric, 4),
    'votes', v.votes,
    'agreement', round(v.agreement::numeric, 4),
    'tie', v.tie,
    'record_id', x.external_id
)::text
FROM (SELECT * FROM verdict v WHERE {kept} ORDER BY record_id) v
-- One record at a time, in the order above (OFFSET 0 keeps PostgreSQL from turning this into a
-- join that would need the big rows sorted again), its responses decompressed once.
CROSS JOIN LATERAL (
    SELECT r.prompt, r.external_id, r.responses -> v.chosen AS c,
        r.responses -> (1 - v.chosen) AS rj
    FROM {record} r WHERE r.id = v.record_id OFFSET 0
) x
"""

_TALLY = """
SELECT
    (SELECT count(*) FROM {judgement} j JOIN {assignment} a ON a.id = j.assignment_id
     WHERE j.campaign_id = %(campaign)s AND a.record_kind = ANY(%(kinds)s)
       AND a.annotator_id NOT IN (SELECT id FROM voter)),
    (SELECT count(DISTINCT a.record_id) FROM {judgement} j
     JOIN {assignment} a ON a.id = j.assignment_id
     WHERE j.campaign_id = %(campaign)s AND a.record_kind = ANY(%(kinds)s))
     - (SELECT count(*) FROM verdict),
    count(*) FILTER (WHERE tie AND %(drop_ties)s),
    count(*) FILTER (WHERE NOT (tie AND %(drop_ties)s) AND votes < %(min_votes)s),
    count(*) FILTER (WHERE NOT (tie AND %(drop_ties)s) AND votes >= %(min_votes)s
                     AND NOT tie AND agreement < %(min_agreement)s)
FROM verdict
"""

_KEPT = (
    "NOT (tie AND %(drop_ties)s) AND votes >= %(min_votes)s "
    "AND (tie OR agreement >= %(min_agreement)s)"
)


Tally = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Tables:
    """The models whose tables the statements read."""

    annotator: type[Model]
    assignment: type[Model]
    judgement: type[Model]
    record: type[Model]
    score: type[Model]  # the annotator's quality, for weighted votes


def _sql(template: str, tables: Tables, weighted: bool) -> str:
    return (_SQL + template).format(
        annotator=table(tables.annotator),
        assignment=table(tables.assignment),
        judgement=table(tables.judgement),
        record=table(tables.record),
        weight="coalesce(s.quality, 0)" if weighted else "1.0",
        score_join=f"LEFT JOIN {table(tables.score)} s ON s.annotator_id = an.id"
        if weighted
        else "",
        kept=_KEPT,
    )


def preference_lines(
    tables: Tables, params: dict[str, Any], *, weighted: bool, tally: Callable[[Tally], None]
) -> Iterator[str]:
    """The JSON lines of the pairs kept, each ending in a newline. Before the first, `tally` gets
    the counts left out: (judgements of voters not counted, records without counted votes,
    tied pairs dropped, pairs with too few votes, pairs below the agreement). Parameters:
    campaign, question, standings, kinds, drop_ties, min_votes, min_agreement."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Sorting a million votes by record takes more than the default 4 MB.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(_sql(_TALLY, tables, weighted), params)
            tally(cursor.fetchone())
        # A server-side cursor (the one QuerySet.iterator() uses, with Django's error wrapping):
        # rows arrive a few thousand at a time, whatever the campaign size.
        with connection.chunked_cursor() as lines:
            lines.cursor.itersize = 2000
            lines.execute(_sql(_LINES, tables, weighted), params)
            for (line,) in lines:
                yield line + "\n"
