"""Prepared statements at scale: 20,000 accounts provisioned, 100,002 judgements scored and
exported with server-side parameters (issue 18), in bench.prepared_scale_worker.

Target: every step passes and every count is what it must be ("met"); prints each step's
seconds and the most parameters one statement carried (the cap is 65,535). A benchmark rather
than a test: on this 2-core machine it takes minutes, most of them scoring's store of 20,000
annotators (docs/measurements.md); tests/accounts/test_twenty_thousand_accounts.py is the part
of it that meets the cap (provisioning, rotation, revocation, moderation and exports at 20,000
accounts). Needs PostgreSQL (DATABASE_URL). Imports no project code.
"""

import os
from typing import Any

from bench.databases import fresh_postgresql, is_postgresql
from bench.harness import log, manage, run_worker


def run() -> dict[str, Any]:
    server = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    with fresh_postgresql(server, "bench_prepared_scale") as url:
        manage(url, "migrate", "--noinput", "-v", "0")
        log("prepared_scale: 20,000 accounts, then 100,002 judgements scored and exported")
        return run_worker(url, "bench.prepared_scale_worker")
