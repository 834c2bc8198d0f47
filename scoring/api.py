"""The export API for organizers: GET /api/v1/campaigns/<slug>/export/<name>, streamed.

Authenticated by an export token (created in admin, scoped to campaigns, revocable) sent as
`Authorization: Bearer …`; cookies are ignored, so CSRF does not apply.
"""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from accounts.api import api_error, bearer_token
from campaigns.models import Campaign
from scoring.exports import files
from scoring.exports.options import ExportOptions
from scoring.exports.registry import checked, streaming_response
from scoring.tokens import live_token_exists, token_for_campaign

TRUE = ("1", "true", "yes")


def _options(request: HttpRequest) -> ExportOptions:
    q = request.GET
    return ExportOptions(
        include_excluded=q.get("include_excluded", "").lower() in TRUE,
        strategy=q.get("strategy", "all_pairs"),  # type: ignore[arg-type]
        ties=q.get("ties", "drop"),
        weight=q.get("weight", "none"),
        min_votes=int(q.get("min_votes", 1)),
        min_agreement=float(q.get("min_agreement", 0.0)),
        include_gold=q.get("include_gold", "").lower() in TRUE,
        include_control=q.get("include_control", "").lower() in TRUE,
        text_question=q.get("text_question", ""),
        usernames=q.get("usernames", "").lower() in TRUE,
        shape=q.get("shape", "standard"),
        margin=q.get("margin", "scale"),
    )


@csrf_exempt
@require_GET
def export(request: HttpRequest, slug: str, name: str) -> HttpResponseBase:
    plaintext = bearer_token(request)
    if plaintext is None or not live_token_exists(plaintext=plaintext):
        response = api_error(401, "a valid export token is required")
        response["WWW-Authenticate"] = 'Bearer realm="crowdeval"'
        return response
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None or token_for_campaign(plaintext=plaintext, campaign=campaign) is None:
        # The same answer for a campaign that does not exist: a token reveals nothing beyond
        # its own campaigns.
        return api_error(403, "this token does not cover that campaign")
    fmt = request.GET.get("as", "jsonl")
    if fmt not in files.CONTENT_TYPES:
        return api_error(400, "as must be jsonl or csv")
    try:
        options = _options(request)
        chosen = checked(campaign, name, options)
    except (ValueError, files.ExportError) as error:
        return api_error(400, str(error))
    return streaming_response(campaign, name, chosen, fmt, options)
