"""The organizer's dashboard and its downloads."""

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.safestring import mark_safe

from campaigns.models import Campaign
from scoring import charts, reports
from scoring.access import organizer_required
from scoring.exports import card, files
from scoring.exports.options import ExportOptions
from scoring.exports.registry import EXPORTS, checked, streaming_response


@organizer_required
def dashboard(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    snapshot = reports.latest(campaign)
    models = snapshot.model_strengths if snapshot else []
    claimed, members = reports.people(campaign)
    context = {
        "campaign": campaign,
        "snapshot": snapshot,
        "progress": reports.record_progress(campaign),
        "active_hour": reports.active_annotators(campaign, hours=1),
        "active_day": reports.active_annotators(campaign, hours=24),
        "claimed": claimed,
        "members": members,
        "models": models,
        "exports": list(EXPORTS),
        "models_chart": mark_safe(  # noqa: S308 (charts.py escapes every label)
            charts.interval_chart(
                [(m["model"], m["strength"], m["ci_low"], m["ci_high"]) for m in models],
                title="Model strength (Bradley-Terry, 95% interval)",
                x_label="log-strength (0 = average model)",
            )
        ),
        "throughput_chart": mark_safe(  # noqa: S308
            charts.bar_chart(
                reports.judgements_per_hour(campaign, hours=24),
                title="Judgements per hour (24 h)",
                y_label="judgements",
                x_label="hour (UTC)",
            )
        ),
    }
    return render(request, "scoring/dashboard.html", context)


@organizer_required
def download(request: HttpRequest, campaign: Campaign, name: str, fmt: str) -> HttpResponseBase:
    if fmt == "zip" and name in ("bundle-jsonl", "bundle-parquet"):
        from scoring.exports import bundle  # pyarrow loads only when Parquet is asked for

        data = name.removeprefix("bundle-")
        body = bundle.bundle_chunks(campaign, data, ExportOptions())
        stream = StreamingHttpResponse(body, content_type="application/zip")
        stream["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{data}.zip"'
        return stream
    if (name, fmt) == ("card", "md"):
        text = card.dataset_card(campaign, ExportOptions())
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="README.md"'
        return response
    if fmt not in files.CONTENT_TYPES or name not in EXPORTS:
        raise Http404("No such export.")
    options = ExportOptions()
    export = checked(campaign, name, options)
    return streaming_response(campaign, name, export, fmt, options)
