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

try:  # optional (pinkit[fast]): a 1,000-event conversions body decodes 3 times faster
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

from pinkit._constraints import JSON_MEDIA_TYPE, Problem, body_media_types, check_body, check_params
from pinkit._operations import Operation

from ._errors import INVALID_PARAMETERS, ApiError

__all__ = ["NOT_DECODED", "validate_request"]

#: What ``validate_request`` returns when it did not decode the body (not JSON, or no body
#: schema): the handler decodes it itself.
NOT_DECODED: object = object()


def validate_request(
    op: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: bytes,
    content_type: str,
) -> object:
    """Raise ``ApiError(400)`` for the first way the request breaks the spec's constraints.

    Returns the JSON body it decoded to check it (so that the handler does not decode a
    1,000-event body a second time), or ``NOT_DECODED``."""
    problems = check_params(op.id, path_params, query)
    if problems:
        raise _invalid(problems[0])
    media_types = body_media_types(op.id)
    if JSON_MEDIA_TYPE not in media_types:
        return NOT_DECODED
    declared = content_type.partition(";")[0].strip().lower()
    if declared != JSON_MEDIA_TYPE and declared in media_types:
        return NOT_DECODED  # another media type the operation takes: not ours to check
    decoded = _decode(body)
    problems = check_body(op.id, decoded)
    if problems:
        raise _invalid(problems[0])
    return decoded


def _decode(body: bytes) -> object:
    if not body.strip():
        return None
    if orjson is not None:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # what orjson refuses (NaN, integers beyond 64 bits...): as json reads it
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
