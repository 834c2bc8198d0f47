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
        return api_error(400, f"as must be one of {', '.join(files.CONTENT_TYPES)}")
    try:
        options = ExportOptions.from_query(request.GET)
        chosen = checked(campaign, name, options)
    except (ValueError, files.ExportError) as error:
        return api_error(400, str(error))
    return streaming_response(campaign, name, chosen, fmt, options)
