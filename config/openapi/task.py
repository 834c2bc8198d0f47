"""The OpenAPI schemas of a task and its answers, shared by the annotator API and the qualification.

config/openapi/annotator.py re-exports TASK and QUESTION, components of the served description."""

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
