"""The OpenAPI paths and schemas of the annotator API: tokens, the next task, answers and skips."""

from typing import Any

from config.openapi.components import (
    SLUG,
    TOKEN_SECURITY,
    TOO_LARGE,
    UNAUTHORIZED,
    error_response,
    json_body,
    json_response,
    path_parameter,
)

ASSIGNMENT = path_parameter("assignment", {"type": "string", "format": "uuid"})
OUTCOME = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {
        "status": {"enum": ["accepted", "accepted_late", "duplicate"]},
        "message": {"type": "string"},
        "feedback": {
            "type": "object",
            "description": "only where the campaign gives practice feedback, after a gold record",
            "required": ["matched", "expected", "explanation"],
            "properties": {
                "matched": {"type": "boolean"},
                "expected": {
                    "type": "object",
                    "description": "the known answer, responses by display position",
                },
                "explanation": {"type": "string", "description": "Markdown; may be empty"},
            },
        },
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

QUALIFICATION_ITEM = {
    "type": "object",
    "description": "a qualification record to answer: no known answer, no explanation",
    "required": [
        "position",
        "total",
        "system_prompt",
        "messages",
        "prompt",
        "responses",
        "questions",
    ],
    "properties": {
        "position": {"type": "integer", "minimum": 1, "description": "send it with the answer"},
        "total": {"type": "integer"},
        "system_prompt": TASK["properties"]["system_prompt"],  # type: ignore[index]
        "messages": TASK["properties"]["messages"],  # type: ignore[index]
        "prompt": TASK["properties"]["prompt"],  # type: ignore[index]
        "responses": TASK["properties"]["responses"],  # type: ignore[index]
        "questions": TASK["properties"]["questions"],  # type: ignore[index]
    },
    "additionalProperties": False,
}
NULLABLE_ITEM = {"oneOf": [{"type": "null"}, QUALIFICATION_ITEM]}
QUALIFICATION_STATE = {
    "type": "object",
    "required": [
        "required",
        "passed",
        "items",
        "pass_share",
        "min_skill",
        "tries_used",
        "tries_left",
        "retry_at",
        "may_start",
        "refusal",
        "last",
        "item",
    ],
    "properties": {
        "required": {"type": "boolean", "description": "whether the campaign asks for one"},
        "passed": {"type": "boolean"},
        "items": {"type": "integer", "description": "records in a try"},
        "pass_share": {"type": "number"},
        "min_skill": {"type": ["number", "null"]},
        "tries_used": {"type": "integer"},
        "tries_left": {"type": ["integer", "null"], "description": "null: no limit"},
        "retry_at": {"type": ["string", "null"], "format": "date-time"},
        "may_start": {"type": "boolean"},
        "refusal": {"type": ["string", "null"], "description": "why no try may start now"},
        "last": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["number", "right", "total", "skill", "passed"],
                    "properties": {
                        "number": {"type": "integer"},
                        "right": {"type": "integer"},
                        "total": {"type": "integer"},
                        "skill": {"type": ["number", "null"]},
                        "passed": {"type": ["boolean", "null"]},
                    },
                },
            ]
        },
        "item": NULLABLE_ITEM,
    },
}
QUALIFICATION_ANSWER = {
    "type": "object",
    "required": ["position", "answers"],
    "properties": {
        "position": {"type": "integer", "minimum": 1, "description": "the item's position"},
        "answers": ANSWERS["properties"]["answers"],  # type: ignore[index]
    },
}
FEEDBACK = {
    "type": "object",
    "required": [
        "position",
        "total",
        "matched",
        "expected",
        "explanation",
        "finished",
        "passed",
        "right",
        "skill",
        "next",
    ],
    "properties": {
        "position": {"type": "integer"},
        "total": {"type": "integer"},
        "matched": {"type": "boolean", "description": "whether the answer matched"},
        "expected": {
            "type": "object",
            "description": "the known answer, responses by display position",
        },
        "explanation": {"type": "string", "description": "Markdown; may be empty"},
        "finished": {"type": "boolean", "description": "whether this was the try's last record"},
        "passed": {"type": ["boolean", "null"], "description": "once finished"},
        "right": {"type": ["integer", "null"]},
        "skill": {"type": ["number", "null"], "description": "chance-corrected share right"},
        "next": NULLABLE_ITEM,
    },
}
SLUG_PARAMETER = path_parameter("slug", SLUG)

ANNOTATOR_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/auth/token": {
        "post": {
            "operationId": "issueToken",
            "summary": "A bearer token for a username and password, or a login link's token",
            "security": [],
            "requestBody": json_body(CREDENTIALS),
            "responses": {
                "201": json_response("the token", {"$ref": "#/components/schemas/Token"}),
                "400": error_response("the body is not a JSON object"),
                "401": error_response("unknown username or password, or an invalid login token"),
                "413": TOO_LARGE,
                "429": error_response("too many attempts (see Retry-After)"),
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
            "parameters": [path_parameter("slug", SLUG)],
            "responses": {
                "200": json_response(
                    "the task, responses in display order", {"$ref": "#/components/schemas/Task"}
                ),
                "204": {"description": "nothing is left for you"},
                "401": UNAUTHORIZED,
                "403": error_response("not a member of this campaign, or suspended"),
                "404": error_response("no such campaign"),
                "409": error_response(
                    "the campaign is not open, paused or closed; or (reason "
                    "qualification_required) the qualification must be passed first"
                ),
            },
        },
    },
    "/api/v1/campaigns/{slug}/qualification": {
        "get": {
            "operationId": "qualificationState",
            "summary": "Where your qualification stands, with the record to answer next",
            "security": TOKEN_SECURITY,
            "parameters": [SLUG_PARAMETER],
            "responses": {
                "200": json_response("the state", QUALIFICATION_STATE),
                "401": UNAUTHORIZED,
                "403": error_response("not a member of this campaign"),
                "404": error_response("no such campaign"),
            },
        },
    },
    "/api/v1/campaigns/{slug}/qualification/start": {
        "post": {
            "operationId": "startQualification",
            "summary": "Start a qualification try (or continue the open one)",
            "security": TOKEN_SECURITY,
            "parameters": [SLUG_PARAMETER],
            "responses": {
                "201": json_response("the state, with the first record", QUALIFICATION_STATE),
                "401": UNAUTHORIZED,
                "403": error_response("not a member of this campaign"),
                "404": error_response("no such campaign"),
                "409": error_response(
                    "no try may start: none required, passed already, no try left, or wait "
                    "until retry_at (the message says which)"
                ),
                "413": TOO_LARGE,
            },
        },
    },
    "/api/v1/campaigns/{slug}/qualification/answers": {
        "post": {
            "operationId": "answerQualification",
            "summary": "Answer the current qualification record; the answer is the feedback",
            "security": TOKEN_SECURITY,
            "parameters": [SLUG_PARAMETER],
            "requestBody": json_body(QUALIFICATION_ANSWER),
            "responses": {
                "201": json_response("stored: whether it matched, and why", FEEDBACK),
                "400": error_response("an answer is invalid; nothing stored"),
                "401": UNAUTHORIZED,
                "403": error_response("not a member of this campaign"),
                "404": error_response("no such campaign"),
                "409": error_response("no try under way, or not the record to answer now"),
                "413": TOO_LARGE,
            },
        },
    },
    "/api/v1/assignments/{assignment}/submit": {
        "post": {
            "operationId": "submitAnswers",
            "summary": "Answer an assignment (answers by display position)",
            "security": TOKEN_SECURITY,
            "parameters": [ASSIGNMENT],
            "requestBody": json_body(ANSWERS),
            "responses": {
                "200": json_response("already answered; nothing changed", OUTCOME),
                "201": json_response("stored", OUTCOME),
                "400": error_response("an answer is invalid; nothing stored"),
                "401": UNAUTHORIZED,
                "404": error_response("not your assignment, or none"),
                "409": json_response(
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
                "200": json_response(
                    "skipped", {"type": "object", "properties": {"status": {"const": "skipped"}}}
                ),
                "401": UNAUTHORIZED,
                "404": error_response("not your assignment, or none"),
                "409": error_response("only a leased assignment can be skipped"),
                "413": TOO_LARGE,
            },
        },
    },
}
