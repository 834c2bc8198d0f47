"""POST /api/v1/campaigns/<slug>/records: apps push records into a campaign with an ingest token;
POST /api/v1/series/<series>/records: into the running round of a series, with a token issued for
any of its rounds.

The token (admin, or `manage.py ingest_token SLUG`) is sent as `Authorization: Bearer …`;
cookies are ignored, so CSRF does not apply. The checks run from the cheapest: the token, its
campaign, its rate, the body's shape; then every record (campaigns.services.ingest).
"""

import math
import time
from dataclasses import asdict
from typing import Any

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.api import api_error, bearer_token
from campaigns.models import Campaign, IngestToken
from campaigns.selectors import open_round
from campaigns.services.ingest import CampaignClosed, IngestRefused, ingest_records
from campaigns.services.ingest_tokens import live_ingest_token
from config.safe_json import JsonRefused, load_json

RATE_APP, RATE_ACTION = "crowdeval.ingest", "ingest"


def _rates() -> dict[str, str]:
    return {RATE_ACTION: settings.INGEST_RATE_LIMIT}


def _retry_after(request: HttpRequest, key: str) -> int:
    """Seconds until the token may send again (as accounts.ratelimits does for logins)."""
    now, wait = time.time(), 0.0
    for rate in ratelimit.get_rates(app=RATE_APP, action=RATE_ACTION, config=_rates()):
        cache_key = ratelimit.get_cache_key(
            request, app=RATE_APP, action=RATE_ACTION, rate=rate, key=key
        )
        live = [hit for hit in cache.get(cache_key, []) if hit > now - rate.duration]
        if len(live) >= rate.amount:
            wait = max(wait, live[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def _too_many(request: HttpRequest, key: str) -> HttpResponse:
    seconds = _retry_after(request, key)
    response = api_error(
        429, "too many batches for this token (INGEST_RATE_LIMIT)", retry_after=seconds
    )
    response["Retry-After"] = str(seconds)
    return response


def _records(request: HttpRequest) -> list[Any] | JsonResponse:
    """The body's `records`, or the 400 or 413 that says what is wrong with the body."""
    content_type = request.content_type or "(none)"
    if content_type != "application/json":
        return api_error(400, f"send the batch as application/json, not {content_type}")
    try:
        body = load_json(request.body)
    except JsonRefused as error:
        return api_error(400, str(error), field=error.field)
    if not isinstance(body, dict):
        return api_error(400, 'the body must be a JSON object: {"records": [...]}')
    unknown = sorted(set(body) - {"records"})
    if unknown:
        return api_error(400, f"unknown field {unknown[0][:40]!r}", field=unknown[0][:40])
    records = body.get("records")
    if not isinstance(records, list):
        return api_error(400, "records must be a list of records", field="records")
    if not records:
        return api_error(400, "records is empty: send one record or more", field="records")
    limit = settings.INGEST_BATCH_MAX
    if len(records) > limit:
        message = f"{len(records)} records; a batch may hold at most {limit} (INGEST_BATCH_MAX)"
        return api_error(413, message, field="records")
    return records


def _token(request: HttpRequest) -> IngestToken | HttpResponse:
    plaintext = bearer_token(request)
    token = live_ingest_token(plaintext=plaintext) if plaintext else None
    if token is None:
        response = api_error(401, "a valid ingest token is required")
        response["WWW-Authenticate"] = 'Bearer realm="crowdeval"'
        return response
    return token


@csrf_exempt
@require_POST
def records(request: HttpRequest, slug: str) -> HttpResponse:
    token = _token(request)
    if isinstance(token, HttpResponse):
        return token
    if token.campaign.slug != slug:
        # The same answer for a campaign that does not exist: a token tells nothing of others.
        return api_error(403, "this token does not cover that campaign")
    return _ingest(request, token, token.campaign)


@csrf_exempt
@require_POST
def series_records(request: HttpRequest, series: str) -> HttpResponse:
    """The series' running round takes the batch: an app logging to a weekly loop keeps one URL
    and one token (issued for any round of the series) from round to round."""
    token = _token(request)
    if isinstance(token, HttpResponse):
        return token
    if token.campaign.series is None or token.campaign.series.slug != series:
        return api_error(403, "this token does not cover that series")
    campaign = open_round(token.campaign.series)
    if campaign is None:
        message = f"every round of series {series!r} is closed; start the next round first"
        return api_error(409, message, reason="closed")
    return _ingest(request, token, campaign)


def _ingest(request: HttpRequest, token: IngestToken, campaign: Campaign) -> HttpResponse:
    if settings.INGEST_RATE_LIMIT and not ratelimit.consume(
        request, app=RATE_APP, action=RATE_ACTION, config=_rates(), key=token.digest
    ):
        return _too_many(request, token.digest)
    batch = _records(request)
    if isinstance(batch, JsonResponse):
        return batch
    try:
        result = ingest_records(campaign=campaign, records=batch)
    except CampaignClosed as closed:
        return api_error(409, _closed_message(campaign, str(closed)), reason="closed")
    except IngestRefused as refused:
        errors = [asdict(error) for error in refused.errors]
        return api_error(400, str(refused), errors=errors)
    body = {
        "campaign": campaign.slug,
        "created": result.created,
        "unchanged": result.unchanged,
        "records": [{"id": rid, "status": status} for rid, status in result.statuses],
    }
    return JsonResponse(body, status=201 if result.created else 200)


def _closed_message(campaign: Campaign, message: str) -> str:
    """A closed round points its apps to the series' URL, which follows the running round."""
    if campaign.series is None:
        return message
    url = f"/api/v1/series/{campaign.series.slug}/records"
    return f"{message}; push to {url} to reach the series' running round"
