"""Child process of the accounts benchmark: create accounts through the services, print JSON.

Run with DATABASE_URL set, as one of
  python -m bench.accounts_worker provision SLUG COUNT
      time provision_annotators alone (its own process, so ru_maxrss is that of one batch);
  python -m bench.accounts_worker logins SLUG GENERATED PBKDF2
      make the accounts of the login benchmark and print their credentials.
"""

import json
import os
import secrets
import sys
import time
from typing import Any

import django

from bench.common import peak_rss_kib


def provision(slug: str, count: int) -> dict[str, Any]:
    from accounts.models import GeneratedAccount, LoginToken
    from campaigns.models import Annotator, Campaign
    from campaigns.services.annotators import provision_annotators

    campaign = Campaign.objects.get(slug=slug)
    rss_before = peak_rss_kib()
    started = time.perf_counter()
    batch, credentials = provision_annotators(campaign=campaign, count=count)
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    user_ids = GeneratedAccount.objects.filter(batch=batch).values("user_id")
    return {
        "credentials": len(credentials),
        "accounts_in_database": GeneratedAccount.objects.filter(batch=batch).count(),
        "annotators_in_database": Annotator.objects.filter(
            campaign=campaign, user_id__in=user_ids
        ).count(),
        "login_tokens_in_database": LoginToken.objects.filter(user_id__in=user_ids).count(),
        "seconds": seconds,
        "rss_before_kib": rss_before,
        "peak_rss_kib": peak,
    }


def make_login_accounts(slug: str, generated: int, pbkdf2: int) -> dict[str, Any]:
    from accounts.services.users import set_local_account
    from campaigns.models import Campaign
    from campaigns.services.annotators import provision_annotators

    campaign = Campaign.objects.get(slug=slug)
    started = time.perf_counter()
    _, credentials = provision_annotators(campaign=campaign, count=generated)
    generated_seconds = time.perf_counter() - started
    started = time.perf_counter()
    slow = []
    for number in range(pbkdf2):
        username, password = f"bench-pbkdf2-{number:03d}", secrets.token_urlsafe(12)
        user = set_local_account(username=username, secret=password, generated=False)
        slow.append((username, password, user.password.split("$", 2)[:2]))
    pbkdf2_seconds = time.perf_counter() - started
    return {
        "generated": [[c.username, c.password] for c in credentials],
        "pbkdf2": [[username, password] for username, password, _ in slow],
        # "algorithm$iterations" of the slow hashes, to show what the server will check.
        "pbkdf2_hash_schemes": sorted({"$".join(prefix) for _, _, prefix in slow}),
        "generated_seconds": generated_seconds,
        "pbkdf2_seconds": pbkdf2_seconds,
    }


def main(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if len(args) == 3 and args[0] == "provision":
        figures = provision(args[1], int(args[2]))
    elif len(args) == 4 and args[0] == "logins":
        figures = make_login_accounts(args[1], int(args[2]), int(args[3]))
    else:
        sys.exit(__doc__)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
