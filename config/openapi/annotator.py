"""The OpenAPI paths and schemas of the annotator API: tokens, the next task, answers, skips and
the qualification (its schemas are in config/openapi/qualification.py)."""

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
from config.openapi.qualification import FEEDBACK, QUALIFICATION_ANSWER, QUALIFICATION_STATE
from config.openapi.task import ANSWERS
from config.openapi.task import QUESTION as QUESTION
from config.openapi.task import TASK as TASK

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
