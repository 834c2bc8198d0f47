"""The OpenAPI 3.1 description of /api/v1, kept by hand beside the views; the view serving it is
in config/openapi/views.py.

Kept in code rather than generated (docs/decisions.md): tests/security/test_api_schema.py checks
it against the URL map and the status codes the views return, and test_api_fuzz.py against the
running stack. Imports nothing of the apps.
"""

import copy
from typing import Any

from config.openapi.annotator import ANNOTATOR_PATHS, QUESTION, TASK
from config.openapi.components import ERROR, json_response
from config.openapi.export import EXPORT_PATHS
from config.openapi.ingestion import INGESTION_PATHS, RECORD

PATHS: dict[str, dict[str, Any]] = {
    **ANNOTATOR_PATHS,
    **EXPORT_PATHS,
    **INGESTION_PATHS,
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This description",
            "security": [],
            "responses": {"200": json_response("OpenAPI 3.1", {"type": "object"})},
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
