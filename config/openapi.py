"""The OpenAPI 3.1 description of /api/v1, kept by hand beside the views, and the view serving it.

Kept in code rather than generated (docs/decisions.md): tests/security/test_api_schema.py checks
it against the URL map and the status codes the views return, and test_api_fuzz.py against the
running stack. Imports nothing of the apps.
"""

import copy
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

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


def _error(why: str) -> dict[str, Any]:
    return {
        "description": why,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(why: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": why, "content": {JSON: {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: dict[str, Any], why: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": why}


UNAUTHORIZED = _error("no valid bearer token")
TOO_LARGE = _error("the body is larger than REQUEST_BODY_MAX_BYTES")
ASSIGNMENT = _path("assignment", {"type": "string", "format": "uuid"})
OUTCOME = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {
        "status": {"enum": ["accepted", "accepted_late", "duplicate"]},
        "message": {"type": "string"},
    },
}
TASK = {
    "type": "object",
    "required": [
        "assignment",
        "leased_until",
        "system_prompt",
        "messages",
        "prompt",
        "responses",
        "questions",
        "progress",
    ],
    "properties": {
        "assignment": {"type": "string", "format": "uuid"},
        "leased_until": {"type": ["string", "null"], "format": "date-time"},
        "system_prompt": {"type": "string", "description": "empty when the record has none"},
        "messages": {
            "type": "array",
            "description": "the conversation before `prompt`, oldest first; empty for one turn",
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {
                    "role": {"enum": ["user", "assistant"]},
                    "content": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "prompt": {"type": "string", "description": "the final user turn"},
        "responses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["position", "text"],
                "properties": {"position": {"type": "integer"}, "text": {"type": "string"}},
                "additionalProperties": False,
            },
        },
        "questions": {"type": "array", "items": {"$ref": "#/components/schemas/Question"}},
        "progress": {
            "type": "object",
            "required": ["mine", "quota"],
            "properties": {
                "mine": {"type": "integer"},
                "quota": {"type": ["integer", "null"]},
            },
        },
    },
    "additionalProperties": False,
}
QUESTION = {
    "type": "object",
    "required": ["name", "title", "help_text", "kind", "required", "choices", "scale_max"],
    "properties": {
        "name": {"type": "string"},
        "title": {"type": "string"},
        "help_text": {"type": "string"},
        "kind": {"enum": ["ranking", "preference", "rating", "label", "multilabel", "text"]},
        "required": {"type": "boolean"},
        "choices": {"type": "array", "items": {"type": "string"}},
        "scale_max": {"type": ["integer", "null"]},
    },
}
CREDENTIALS = {
    "oneOf": [
        {
            "type": "object",
            "required": ["username", "password"],
            "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
        },
        {
            "type": "object",
            "required": ["login_token"],
            "properties": {"login_token": {"type": "string"}},
        },
    ]
}
ANSWERS = {
    "type": "object",
    "required": ["answers"],
    "properties": {
        "answers": {
            "type": "object",
            "description": "question name → answer, responses by display position",
        },
        "active_ms": {"type": "integer", "minimum": 0},
    },
}
FLAG = {"type": "string", "enum": ["0", "1", "true", "false", "yes", "no"]}
EXPORT_OPTIONS = [
    _query("as", {"enum": ["jsonl", "csv", "parquet"]}, "the file format (default jsonl)"),
    _query("include_excluded", FLAG, "keep excluded annotators"),
    _query("strategy", {"type": "string"}, "preferences: all_pairs, best_vs_worst, …"),
    _query("ties", {"enum": ["drop", "keep"]}, "preferences: what to do with ties"),
    _query("weight", {"enum": ["none", "quality"]}, "weigh votes by annotator quality"),
    _query("min_votes", {"type": "integer", "minimum": 1}, "fewest votes a pair needs"),
    _query("min_agreement", {"type": "number", "minimum": 0, "maximum": 1}, "least agreement"),
    _query("include_gold", FLAG, "also gold records"),
    _query("include_control", FLAG, "also control records"),
    _query("text_question", {"type": "string"}, "sft: the answers of this free-text question"),
    _query("usernames", FLAG, "real usernames instead of pseudonyms"),
    _query(
        "shape",
        {"enum": ["standard", "conversational"]},
        "preferences, sft: texts as strings, or as chat messages (TRL's two shapes)",
    ),
    _query("margin", {"enum": ["scale", "votes", "none"]}, "preferences: what margin measures"),
]
EXPORT_FILE = {
    "description": "the export, streamed",
    "content": {
        "application/jsonl": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
    },
}

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
        "kind": {"enum": ["regular", "gold", "control"]},
        "gold": {"type": "object", "description": "gold records: question name → answer"},
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
    "required": ["created", "unchanged", "records"],
    "properties": {
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

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/auth/token": {
        "post": {
            "operationId": "issueToken",
            "summary": "A bearer token for a username and password, or a login link's token",
            "security": [],
            "requestBody": _body(CREDENTIALS),
            "responses": {
                "201": _json("the token", {"$ref": "#/components/schemas/Token"}),
                "400": _error("the body is not a JSON object"),
                "401": _error("unknown username or password, or an invalid login token"),
                "413": TOO_LARGE,
                "429": _error("too many attempts (see Retry-After)"),
            },
        },
        "delete": {
            "operationId": "revokeToken",
            "summary": "Revoke the bearer token sent",
            "security": TOKEN_SECURITY,
            "responses": {"204": {"description": "revoked"}, "401": UNAUTHORIZED},
        },
    },
    "/api/v1/campaigns/{slug}/next": {
        "get": {
            "operationId": "nextTask",
            "summary": "The open assignment, or the next one",
            "security": TOKEN_SECURITY,
            "parameters": [_path("slug", SLUG)],
            "responses": {
                "200": _json(
                    "the task, responses in display order", {"$ref": "#/components/schemas/Task"}
                ),
                "204": {"description": "nothing is left for you"},
                "401": UNAUTHORIZED,
                "403": _error("not a member of this campaign, or suspended"),
                "404": _error("no such campaign"),
                "409": _error("the campaign is not open, paused or closed"),
            },
        },
    },
    "/api/v1/assignments/{assignment}/submit": {
        "post": {
            "operationId": "submitAnswers",
            "summary": "Answer an assignment (answers by display position)",
            "security": TOKEN_SECURITY,
            "parameters": [ASSIGNMENT],
            "requestBody": _body(ANSWERS),
            "responses": {
                "200": _json("already answered; nothing changed", OUTCOME),
                "201": _json("stored", OUTCOME),
                "400": _error("an answer is invalid; nothing stored"),
                "401": UNAUTHORIZED,
                "404": _error("not your assignment, or none"),
                "409": _json(
                    "not stored: too late, skipped or closed",
                    {"type": "object", "required": ["status", "message"]},
                ),
                "413": TOO_LARGE,
            },
        },
    },
    "/api/v1/assignments/{assignment}/skip": {
        "post": {
            "operationId": "skipAssignment",
            "summary": "Skip an assignment; the record goes to someone else",
            "security": TOKEN_SECURITY,
            "parameters": [ASSIGNMENT],
            "responses": {
                "200": _json(
                    "skipped", {"type": "object", "properties": {"status": {"const": "skipped"}}}
                ),
                "401": UNAUTHORIZED,
                "404": _error("not your assignment, or none"),
                "409": _error("only a leased assignment can be skipped"),
                "413": TOO_LARGE,
            },
        },
    },
    "/api/v1/campaigns/{slug}/export/{name}": {
        "get": {
            "operationId": "export",
            "summary": "An export of the campaign, streamed (organizers' export token)",
            "security": EXPORT_SECURITY,
            "parameters": [_path("slug", SLUG), _path("name", SLUG), *EXPORT_OPTIONS],
            "responses": {
                "200": EXPORT_FILE,
                "400": _error("an unknown export or a bad option"),
                "401": _error("no valid export token"),
                "403": _error("the token does not cover that campaign (or it does not exist)"),
                "404": _error("no such address: a slug or name outside [-a-zA-Z0-9_]"),
            },
        },
    },
    "/api/v1/campaigns/{slug}/records": {
        "post": {
            "operationId": "pushRecords",
            "summary": "Add a batch of records to the campaign, all or none (an ingest token)",
            "security": INGEST_SECURITY,
            "parameters": [_path("slug", SLUG)],
            "requestBody": _body(BATCH),
            "responses": {
                "200": _json("every record was there already; nothing changed", INGESTED),
                "201": _json("stored (records already there: unchanged)", INGESTED),
                "400": _error(
                    "the body is not a batch, or records are invalid or differ from the ones "
                    "stored under their ids (`errors`); nothing stored"
                ),
                "401": _error("no valid ingest token"),
                "403": _error("the token does not cover that campaign (or it does not exist)"),
                "404": _error("no such address: a slug outside [-a-zA-Z0-9_]"),
                "409": _error("the campaign is closed"),
                "413": _error("more records than INGEST_BATCH_MAX, or a body too large"),
                "429": _error("too many batches for this token (see Retry-After)"),
            },
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This description",
            "security": [],
            "responses": {"200": _json("OpenAPI 3.1", {"type": "object"})},
        },
    },
}


def openapi_schema() -> dict[str, Any]:
    """A fresh copy each time: loaders such as schemathesis change the dict they are given."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "crowdeval annotator and export API",
                "version": "1",
                "description": "The annotation flow for programs, records pushed by apps, and "
                "exports. See docs/api.md.",
            },
            "servers": [{"url": "/"}],
            "paths": PATHS,
            "components": {
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "POST /api/v1/auth/token",
                    },
                    "exportToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "made in admin",
                    },
                    "ingestToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "made in admin or by manage.py ingest_token SLUG",
                    },
                },
                "schemas": {
                    "Error": ERROR,
                    "Task": TASK,
                    "Question": QUESTION,
                    "Record": RECORD,
                    "Token": {
                        "type": "object",
                        "required": ["token", "token_type"],
                        "properties": {
                            "token": {"type": "string"},
                            "token_type": {"const": "Bearer"},
                        },
                    },
                },
            },
        }
    )


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/openapi.json: public, like docs/api.md."""
    return JsonResponse(openapi_schema())


# Included by config/urls.py at api/v1/openapi.json.
urlpatterns = [path("", openapi_json, name="openapi")]
