"""What every request's input may hold, checked once for every page form and API operation.

Each field's own form or serializer says what its value means; this module refuses, before any
view runs, input that no field of Allied accepts, and names the field at fault:

* a body larger than ``ALLIED_MAX_INPUT_BYTES`` (TAXII envelopes have their own, larger limit);
* any single value (query parameter, form field, JSON string or key) longer than
  ``ALLIED_MAX_TEXT_CHARS`` characters;
* NUL and the other C0 control characters except tab, line feed and carriage return (PostgreSQL
  cannot store NUL in text), DEL (U+007F) and the C1 controls (U+0080-U+009F: NEL U+0085 breaks
  a line where none is seen, CSI U+009B starts a terminal escape);
* lone UTF-16 surrogates (``"\\ud800"`` in JSON), which no database can store as text;
* the bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069)
  and the bidirectional marks (LRM U+200E, RLM U+200F, ALM U+061C): text shown to other people,
  a marking beside a title above all, must read as it is stored;
* JSON nested deeper than ``MAX_JSON_DEPTH``.

The answer is 400 (413 for a body too large): for the API a JSON object keyed by the field, as
Django REST framework answers a validation error; for pages a page naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

MAX_JSON_DEPTH = 32

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates;
# bidi marks and controls.
_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_NAMES = {
    "\x00": "a null character (U+0000)",
    **{chr(c): f"a bidirectional mark (U+{c:04X})" for c in (0x061C, 0x200E, 0x200F)},
    **{chr(c): f"a bidirectional control (U+{c:04X})" for c in range(0x202A, 0x202F)},
    **{chr(c): f"a bidirectional control (U+{c:04X})" for c in range(0x2066, 0x206A)},
}


@dataclass(frozen=True)
class Refusal:
    field: str
    message: str
    status: int = 400


def text_problem(value: str) -> str | None:
    """Why a single text value is refused, or None when it is acceptable."""
    limit: int = settings.ALLIED_MAX_TEXT_CHARS
    if len(value) > limit:
        return f"At most {limit:,} characters (this has {len(value):,})."
    found = _REFUSED.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        what = f"an unpaired surrogate (U+{ord(char):04X})"
    else:
        what = _NAMES.get(char, f"a control character (U+{ord(char):04X})")
    return f"Contains {what} at position {found.start() + 1}; remove it."


def _walk(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, problem) for each refused string inside decoded JSON."""
    if depth > MAX_JSON_DEPTH:
        yield path, f"Nested deeper than {MAX_JSON_DEPTH} levels."
        return
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            problem = text_problem(str(key))
            if problem:
                yield inner, f"Field name: {problem}"
            else:
                yield from _walk(item, inner, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]", depth + 1)


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0] or "non_field_errors"


def _first_text_problem(
    pairs: Iterable[tuple[str, list[str]]], name_field: str | None = None
) -> Refusal | None:
    """The first name or value of ``pairs`` (a query string's, a form's) that no field accepts,
    refused on its name (a bad name itself on ``name_field``, when given)."""
    for name, values in pairs:
        for value in [name, *values]:
            problem = text_problem(value)
            if problem:
                return Refusal(name_field if value is name and name_field else name, problem)
    return None


def _json_refusal(body: bytes) -> Refusal | None:
    try:
        data = json.loads(body or b"null")
    except RecursionError:
        return Refusal("body", f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
    except ValueError:
        return None  # Not JSON: the parser of the view says so, in its own words.
    for path, problem in _walk(data, ""):
        return Refusal(_top(path), f"{path}: {problem}" if "." in path or "[" in path
                       else problem)  # fmt: skip
    return None


def _body_refusal(request: HttpRequest) -> Refusal | None:
    """Why the body of a write is refused: too long, or a text or JSON no field accepts."""
    taxii = request.path.startswith("/taxii2/")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if taxii else settings.ALLIED_MAX_INPUT_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Refusal("body", "The Content-Length header is not a number.")
    if length > limit:
        return Refusal("body", f"At most {limit:,} bytes (this has {length:,}).", 413)
    if taxii:
        return None  # TAXII envelopes are STIX content, checked by the import itself.
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json_refusal(request.body)
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _first_text_problem(request.POST.lists())
    return None


def refusal_for(request: HttpRequest) -> Refusal | None:
    """The first reason to refuse ``request`` outright, or None."""
    problem = text_problem(request.path)
    if problem:
        return Refusal("path", problem)
    refusal = _first_text_problem(request.GET.lists(), "query")
    if refusal is not None or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return refusal
    return _body_refusal(request)


def refuse(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({refusal.field: [refusal.message]}, status=refusal.status)
    return render(
        request,
        "core/bad_input.html",
        {"field": refusal.field, "message": refusal.message},
        status=refusal.status,
    )


class InputLimitsMiddleware:
    """Refuse input no field accepts (see the module's docstring) before any view reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = refusal_for(request)
        if refusal is not None:
            return refuse(request, refusal)
        return self.get_response(request)
