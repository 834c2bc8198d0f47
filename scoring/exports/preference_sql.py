"""Preference pairs of a 7-point preference question, aggregated and written by PostgreSQL.

The same pairs as `training.preference_rows` (tests compare the two), for the common case of a
preference question exported as JSON Lines: PostgreSQL groups the votes by record and builds
each line, so Python only copies text (1M judgements: 31.8 s in Python, see bench/export_load.py).
Rankings, CSV and SQLite go through the Python path.
"""

from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from campaigns.models import Annotator, Assignment, Campaign, Judgement, Question, Record
from db.names import table
from scoring.exports.judged import GOOD_STANDING, Tally, record_kinds
from scoring.exports.options import ExportOptions
from scoring.models import AnnotatorScore

_SQL = """
WITH voter AS (
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


def applies(
    campaign: Campaign, question: Question | None, options: ExportOptions | None = None
) -> bool:
    """PostgreSQL writes the standard shape with the default margin; the rest is Python's."""
    standard = options is None or (options.shape == "standard" and options.margin == "scale")
    return (
        connection.vendor == "postgresql"
        and question is not None
        and (question.kind == "preference")
        and standard
    )


def _sql(template: str, options: ExportOptions) -> str:
    quality = options.weight == "quality"
    return (_SQL + template).format(
        annotator=table(Annotator),
        assignment=table(Assignment),
        judgement=table(Judgement),
        record=table(Record),
        weight="coalesce(s.quality, 0)" if quality else "1.0",
        score_join=f"LEFT JOIN {table(AnnotatorScore)} s ON s.annotator_id = an.id"
        if quality
        else "",
        kept=_KEPT,
    )


def _params(campaign: Campaign, question: Question, options: ExportOptions) -> dict[str, Any]:
    standings = [*GOOD_STANDING] + (["excluded"] if options.include_excluded else [])
    return {
        "campaign": campaign.pk,
        "question": question.name,
        "standings": [str(s) for s in standings],
        "kinds": record_kinds(options.include_gold, options.include_control),
        "drop_ties": options.ties == "drop",
        "min_votes": options.min_votes,
        "min_agreement": options.min_agreement,
    }


def preference_lines(
    campaign: Campaign, question: Question, options: ExportOptions, tally: Tally
) -> Iterator[str]:
    params = _params(campaign, question, options)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Sorting a million votes by record takes more than the default 4 MB.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(_sql(_TALLY, options), params)
            not_good, without, tied, few, disputed = cursor.fetchone()
        reasons = {
            "judgements of annotators not in good standing": not_good,
            "records without counted votes": without,
            "tied pairs": tied,
            f"pairs with fewer than {options.min_votes} votes": few,
            f"pairs with agreement below {options.min_agreement}": disputed,
        }
        for reason, count in reasons.items():
            if count:
                tally.left_out[reason] += count
        # A server-side cursor (the one QuerySet.iterator() uses, with Django's error wrapping):
        # rows arrive a few thousand at a time, whatever the campaign size.
        with connection.chunked_cursor() as lines:
            lines.cursor.itersize = 2000
            lines.execute(_sql(_LINES, options), params)
            for (line,) in lines:
                yield line + "\n"
