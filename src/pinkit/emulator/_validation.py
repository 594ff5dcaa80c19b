"""Requests held to the spec's constraints before any handler runs.

Every operation's path and query parameters and JSON request body are checked against the
table the client checks with (``pinkit._constraints``): a violation is Pinterest's 400
(``{"code": 1, "message": "Invalid parameters: name must be at most 180 characters."}``) for the
first problem found, so handlers only do what the spec cannot say (a board exists, a name is
not blank, a video has finished processing).

What the real API accepts is not refused: unknown query parameters are ignored, array
parameters may repeat their key or separate values with commas. Form bodies (the OAuth token
endpoints) are not schema-checked; their handlers check them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pinkit._constraints import JSON_MEDIA_TYPE, Problem, body_media_types, check_body, check_params
from pinkit._operations import Operation

from ._errors import INVALID_PARAMETERS, ApiError

__all__ = ["validate_request"]


def validate_request(
    op: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: bytes,
    content_type: str,
) -> None:
    """Raise ``ApiError(400)`` for the first way the request breaks the spec's constraints."""
    problems = check_params(op.id, path_params, query)
    if problems:
        raise _invalid(problems[0])
    media_types = body_media_types(op.id)
    if JSON_MEDIA_TYPE not in media_types:
        return
    declared = content_type.partition(";")[0].strip().lower()
    if declared != JSON_MEDIA_TYPE and declared in media_types:
        return  # another media type the operation takes: not JSON, not ours to check
    problems = check_body(op.id, _decode(body))
    if problems:
        raise _invalid(problems[0])


def _decode(body: bytes) -> object:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except RecursionError:  # json.loads recurses once per nesting level
        raise ApiError(
            400, "Invalid request body: JSON nested too deeply.", code=INVALID_PARAMETERS
        ) from None
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON.", code=INVALID_PARAMETERS) from None


def _invalid(problem: Problem) -> ApiError:
    return ApiError(400, f"Invalid parameters: {problem}.", code=INVALID_PARAMETERS)
