"""The pieces the OpenAPI description of /api/v1 shares between its areas: the error schema, the
security requirements, and small builders of responses and parameters. Imports nothing of the
apps."""

from typing import Any

JSON = "application/json"
SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "field": {"type": "string"},
        "reason": {"type": "string"},
        "retry_after": {"type": "integer"},
        "errors": {
            "type": "array",
            "description": "records pushed: every refused record's problems",
            "items": {
                "type": "object",
                "required": ["index", "id", "field", "message"],
                "properties": {
                    "index": {"type": "integer", "description": "in the batch, from 0"},
                    "id": {"type": ["string", "null"]},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
TOKEN_SECURITY: list[dict[str, list[str]]] = [{"token": []}]
EXPORT_SECURITY: list[dict[str, list[str]]] = [{"exportToken": []}]
INGEST_SECURITY: list[dict[str, list[str]]] = [{"ingestToken": []}]


def error_response(why: str) -> dict[str, Any]:
    return {
        "description": why,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def json_response(why: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": why, "content": {JSON: {"schema": schema}}}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def path_parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query_parameter(name: str, schema: dict[str, Any], why: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": why}


UNAUTHORIZED = error_response("no valid bearer token")
TOO_LARGE = error_response("the body is larger than REQUEST_BODY_MAX_BYTES")
