"""The OpenAPI path and schemas of the ingestion API: a batch of records pushed by an app."""

from typing import Any

from config.openapi.components import (
    INGEST_SECURITY,
    SLUG,
    error_response,
    json_body,
    json_response,
    path_parameter,
)

TURN = {
    "type": "object",
    "required": ["role", "content"],
    "properties": {
        "role": {"enum": ["system", "user", "assistant"]},
        "content": {"type": "string"},
    },
    "additionalProperties": False,
}
RECORD = {
    "type": "object",
    "description": "one line of an import file (docs/formats.md): `prompt`, or `messages` "
    "ending with the user turn that the responses answer",
    "required": ["id"],
    "properties": {
        "id": {
            "type": ["string", "integer"],
            "description": "unique in the campaign; a retry sends the same id",
        },
        "prompt": {"type": "string"},
        "messages": {"type": "array", "items": TURN},
        "system": {"type": "string"},
        "responses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["text"],
                "properties": {"model": {"type": "string"}, "text": {"type": "string"}},
                "additionalProperties": False,
            },
        },
        "kind": {"enum": ["regular", "gold", "control", "qualification"]},
        "gold": {
            "type": "object",
            "description": "gold and qualification records: question name → answer",
        },
        "explanation": {
            "type": "string",
            "description": "gold and qualification records: why the answer is right (Markdown)",
        },
        "metadata": {"type": "object", "description": "kept with the record, e.g. request_id"},
    },
    "additionalProperties": False,
}
BATCH = {
    "type": "object",
    "required": ["records"],
    "properties": {
        "records": {
            "type": "array",
            "minItems": 1,
            "description": "at most INGEST_BATCH_MAX (default 500)",
            "items": {"$ref": "#/components/schemas/Record"},
        }
    },
    "additionalProperties": False,
}
INGESTED = {
    "type": "object",
    "required": ["campaign", "created", "unchanged", "records"],
    "properties": {
        "campaign": {"type": "string", "description": "the slug of the round that took the batch"},
        "created": {"type": "integer"},
        "unchanged": {"type": "integer"},
        "records": {
            "type": "array",
            "description": "in batch order",
            "items": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                    "id": {"type": "string"},
                    "status": {"enum": ["created", "unchanged"]},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def _push(operation: str, summary: str, parameter: dict[str, Any], scope: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "security": INGEST_SECURITY,
            "parameters": [parameter],
            "requestBody": json_body(BATCH),
            "responses": {
                "200": json_response("every record was there already; nothing changed", INGESTED),
                "201": json_response("stored (records already there: unchanged)", INGESTED),
                "400": error_response(
                    "the body is not a batch, or records are invalid or differ from the ones "
                    "stored under their ids (`errors`); nothing stored"
                ),
                "401": error_response("no valid ingest token"),
                "403": error_response(
                    f"the token does not cover that {scope} (or it does not exist)"
                ),
                "404": error_response("no such address: a slug outside [-a-zA-Z0-9_]"),
                "409": error_response(f"the {scope} takes no records: closed"),
                "413": error_response("more records than INGEST_BATCH_MAX, or a body too large"),
                "429": error_response("too many batches for this token (see Retry-After)"),
            },
        },
    }


INGESTION_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/campaigns/{slug}/records": _push(
        "pushRecords",
        "Add a batch of records to the campaign, all or none (an ingest token)",
        path_parameter("slug", SLUG),
        "campaign",
    ),
    "/api/v1/series/{series}/records": _push(
        "pushSeriesRecords",
        "Add a batch of records to the series' running round (a token of any of its rounds)",
        path_parameter("series", SLUG),
        "series",
    ),
}
