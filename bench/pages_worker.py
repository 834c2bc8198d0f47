"""Child process of the pages benchmark: seed N scored annotators, time the pages.

Run as `python -m bench.pages_worker N` with DATABASE_URL set (a migrated, empty database).
The pages: the leaderboard (a moderator's, and the public one), the moderators' quality page
(its review list and quality histogram) and their annotator table (first and last page,
filtered and sorted, searched).
Requests go through Django's test client in this process: the figure is the server's time to
answer (view, queries, template), without network or a WSGI server.
"""

import json
import os
import statistics
import sys
import time
from typing import Any

import django
import numpy as np

REQUESTS = 20
SLUG = "bench-pages"


def _seed(count: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from campaigns.models import Annotator, Campaign
    from scoring.models import AnnotatorScore, CampaignScore

    rng = np.random.default_rng(1)
    campaign = Campaign.objects.create(
        slug=SLUG, title="Pages benchmark", status="active", leaderboard_visibility="public"
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"annotator-{i:05d}") for i in range(count)
    )
    members = Annotator.objects.bulk_create(
        Annotator(user=u, campaign=campaign, display_name=f"Name {i}") for i, u in enumerate(users)
    )
    now = timezone.now()
    quantiles = {"p50": 0.2, "p75": 0.3, "p90": 0.4}
    run = CampaignScore.objects.create(
        campaign=campaign, computed_at=now, duration_ms=1, judgements=count * 30,
        annotators=count, alpha=0.4, evidence={"quality_quantiles": quantiles},
    )  # fmt: skip
    quality = rng.beta(2, 5, count)
    judgements = rng.lognormal(3.5, 0.8, count).astype(int) + 1
    flagged = rng.random(count) < 0.1
    order = np.lexsort((-quality, -(judgements * quality**2)))
    rank = np.zeros(count, dtype=int)
    eligible = order[~flagged[order]]
    rank[eligible] = np.arange(1, len(eligible) + 1)
    AnnotatorScore.objects.bulk_create(
        (
            AnnotatorScore(
                annotator=m, campaign=campaign, run=run, computed_at=now,
                judgements=int(judgements[i]), gold_seen=int(judgements[i] // 10),
                gold_correct=float(judgements[i] // 12), shared=int(judgements[i]),
                agreement=0.6, kappa=0.3, quality=float(quality[i]),
                score=float(judgements[i] * quality[i] ** 2), rank=int(rank[i]) or None,
                flags=["random"] if flagged[i] else [],
                flag_text=" random " if flagged[i] else "", evidence={},
            )
            for i, m in enumerate(members)
        ),
        batch_size=2000,
    )  # fmt: skip
    return users[len(users) // 2]


def _time(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates compiled, connection open
    times, cpu, queries = [], [], set()
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        # This process's CPU (view and template, not PostgreSQL's): steadier than the wall time
        # on a busy machine.
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": sorted(queries),
    }


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    django.setup()
    from django.test import Client

    from accounts.services.users import grant_role

    someone = _seed(count)
    grant_role(user=someone, role="moderator")
    moderator = Client()
    moderator.force_login(someone)
    pages = {
        "leaderboard": f"/c/{SLUG}/leaderboard/",
        "quality": f"/moderate/{SLUG}/",
        "annotator_table": f"/moderate/{SLUG}/annotators/",
        "annotator_table_last_page": f"/moderate/{SLUG}/annotators/?page={-(-count // 100)}",
        "annotator_table_flagged_sorted": f"/moderate/{SLUG}/annotators/?flag=random&sort=quality",
        # Ten matches at every size (a search that matches nobody renders no rows and sends fewer
        # queries, which is not growth).
        "annotator_table_search": f"/moderate/{SLUG}/annotators/?q=annotator-0000",
    }
    figures = {name: _time(moderator, url) for name, url in pages.items()}
    # The public page counts the people under review instead of naming them: another query.
    figures["leaderboard_public"] = _time(Client(), pages["leaderboard"])
    print(json.dumps({"annotators": count} | figures))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
