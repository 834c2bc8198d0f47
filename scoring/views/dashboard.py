"""The organizer's dashboard and its downloads."""

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.safestring import mark_safe

from campaigns.models import Campaign
from scoring import charts, selectors
from scoring.access import organizer_required
from scoring.exports import card, files
from scoring.exports.options import MARGINS, SHAPES, ExportOptions
from scoring.exports.registry import EXPORTS, checked, streaming_response
from scoring.metrics.preferences import STRATEGIES


@organizer_required
def dashboard(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    snapshot = selectors.latest(campaign)
    models = snapshot.model_strengths if snapshot else []
    claimed, members = selectors.people(campaign)
    context = {
        "campaign": campaign,
        "snapshot": snapshot,
        "progress": selectors.record_progress(campaign),
        "active_hour": selectors.active_annotators(campaign, hours=1),
        "active_day": selectors.active_annotators(campaign, hours=24),
        "claimed": claimed,
        "members": members,
        "models": models,
        "exports": list(EXPORTS),
        "export_files": export_files(),
        "strategies": STRATEGIES,
        "shapes": SHAPES,
        "margins": MARGINS,
        "models_chart": mark_safe(  # noqa: S308 (charts.py escapes every label)
            charts.interval_chart(
                [(m["model"], m["strength"], m["ci_low"], m["ci_high"]) for m in models],
                title="Model strength (Bradley-Terry, 95% interval)",
                x_label="log-strength (0 = average model)",
            )
        ),
        "throughput_chart": mark_safe(  # noqa: S308
            charts.bar_chart(
                selectors.judgements_per_hour(campaign, hours=24),
                title="Judgements per hour (24 h)",
                y_label="judgements",
                x_label="hour (UTC)",
            )
        ),
    }
    return render(request, "scoring/dashboard.html", context)


# The files of the dashboard's export form, as "name.format" (the download URL's last segment).
SPECIAL_FILES = ("card.md", "bundle-jsonl.zip", "bundle-parquet.zip")


def export_files() -> list[str]:
    return [f"{name}.{fmt}" for name in EXPORTS for fmt in files.CONTENT_TYPES] + list(
        SPECIAL_FILES
    )


@organizer_required
def download(request: HttpRequest, campaign: Campaign, name: str, fmt: str) -> HttpResponseBase:
    return _download(request, campaign, name, fmt)


@organizer_required
def export_form(request: HttpRequest, campaign: Campaign) -> HttpResponseBase:
    """The dashboard's export form (GET): the chosen file with the chosen options."""
    name, _, fmt = request.GET.get("file", "").partition(".")
    return _download(request, campaign, name, fmt)


def _download(request: HttpRequest, campaign: Campaign, name: str, fmt: str) -> HttpResponseBase:
    """An export with the options in the query string (the export API's parameters); a bad
    option is a 400 that says which."""
    if f"{name}.{fmt}" not in export_files():
        raise Http404("No such export.")
    try:
        options = ExportOptions.from_query(request.GET)
        if fmt == "zip":
            from scoring.exports import bundle  # pyarrow loads only when Parquet is asked for

            checked(campaign, "preferences", options)
            data = name.removeprefix("bundle-")
            body = bundle.bundle_chunks(campaign, data, options)
            stream = StreamingHttpResponse(body, content_type="application/zip")
            stream["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{data}.zip"'
            return stream
        if fmt == "md":
            checked(campaign, "preferences", options)
            text = card.dataset_card(campaign, options)
            response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="README.md"'
            return response
        export = checked(campaign, name, options)
    except (ValueError, files.ExportError) as error:
        context = {"campaign": campaign, "error": error}
        return render(request, "scoring/export_refused.html", context, status=400)
    return streaming_response(campaign, name, export, fmt, options)
