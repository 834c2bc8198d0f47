"""The OpenAPI path of the export API: a campaign's export, streamed, and its options."""

from typing import Any

from config.openapi.components import (
    EXPORT_SECURITY,
    SLUG,
    error_response,
    path_parameter,
    query_parameter,
)

FLAG = {"type": "string", "enum": ["0", "1", "true", "false", "yes", "no"]}
EXPORT_OPTIONS = [
    query_parameter("as", {"enum": ["jsonl", "csv", "parquet"]}, "the file format (default jsonl)"),
    query_parameter("include_excluded", FLAG, "keep excluded annotators"),
    query_parameter("strategy", {"type": "string"}, "preferences: all_pairs, best_vs_worst, …"),
    query_parameter("ties", {"enum": ["drop", "keep"]}, "preferences: what to do with ties"),
    query_parameter("weight", {"enum": ["none", "quality"]}, "weigh votes by annotator quality"),
    query_parameter("min_votes", {"type": "integer", "minimum": 1}, "fewest votes a pair needs"),
    query_parameter(
        "min_agreement", {"type": "number", "minimum": 0, "maximum": 1}, "least agreement"
    ),
    query_parameter("include_gold", FLAG, "also gold records"),
    query_parameter("include_control", FLAG, "also control records"),
    query_parameter(
        "text_question", {"type": "string"}, "sft: the answers of this free-text question"
    ),
    query_parameter("usernames", FLAG, "real usernames instead of pseudonyms"),
    query_parameter(
        "shape",
        {"enum": ["standard", "conversational"]},
        "preferences, sft: texts as strings, or as chat messages (TRL's two shapes)",
    ),
    query_parameter(
        "margin", {"enum": ["scale", "votes", "none"]}, "preferences: what margin measures"
    ),
]
EXPORT_FILE = {
    "description": "the export, streamed",
    "content": {
        "application/jsonl": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
    },
}

EXPORT_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/campaigns/{slug}/export/{name}": {
        "get": {
            "operationId": "export",
            "summary": "An export of the campaign, streamed (organizers' export token)",
            "security": EXPORT_SECURITY,
            "parameters": [
                path_parameter("slug", SLUG),
                path_parameter("name", SLUG),
                *EXPORT_OPTIONS,
            ],
            "responses": {
                "200": EXPORT_FILE,
                "400": error_response("an unknown export or a bad option"),
                "401": error_response("no valid export token"),
                "403": error_response(
                    "the token does not cover that campaign (or it does not exist)"
                ),
                "404": error_response("no such address: a slug or name outside [-a-zA-Z0-9_]"),
            },
        },
    },
}
