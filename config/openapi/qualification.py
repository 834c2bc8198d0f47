"""The OpenAPI schemas of the qualification: its state, an item to answer, an answer and its
feedback. config/openapi/annotator.py places them in the qualification's paths."""

from config.openapi.task import ANSWERS, TASK

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
