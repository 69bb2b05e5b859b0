"""The error answers every API operation can give, written into the OpenAPI schema.

drf-spectacular documents each operation's success only; the API also answers 400 (bad input,
a JSON object keyed by field), 401 (no credentials), 403 (a role or CSRF check) and 404 (a record
that is missing or hidden, both alike), and where it reads a body 413 (too large) and 415 (a media
type it does not read); clients need their shapes. This post-processing hook
adds them to every operation, so a client, and the schema-driven tests, can rely on the schema.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter

#: The path parameter of a record's own URL: its integer id (a hidden record answers 404).
RECORD_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A field's errors are a list of messages, or nested objects for nested fields; errors that
# concern no single field are under "non_field_errors"; a few checks answer with "detail".
VALIDATION = {
    "type": "object",
    "description": "Each key names a field of the request (or non_field_errors, or detail); "
    "its value lists what is wrong with it.",
    "additionalProperties": {},
}
ERRORS: dict[str, tuple[str, str]] = {
    "400": ("ValidationError", "The request is invalid; each key names the field at fault."),
    "401": ("ErrorDetail", "No valid credentials (session or token) were given."),
    "403": ("ErrorDetail", "The caller lacks the role this needs, or the CSRF check failed."),
    "404": ("ErrorDetail", "No such record, or none the caller may see: both answer alike."),
}
#: Only operations that take a body can answer these.
BODY_ERRORS: dict[str, tuple[str, str]] = {
    "413": ("ValidationError", "The body is over the size limit (under the key body)."),
    "415": ("ErrorDetail", "The body is in a media type the operation does not read."),
}
METHODS = ("get", "put", "post", "patch", "delete")


def document_errors(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Add the shared error responses to every operation that does not define its own."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", DETAIL)
    schemas.setdefault("ValidationError", VALIDATION)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = {**ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for status, (component, description) in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result
