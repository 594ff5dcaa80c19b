"""``events/create`` (the Conversions API) and ``conversion_eqs/list`` (Event Quality Score).

Some events failed: 200, a status for each. None processed: Pinterest's 422 with code 953 and
the same statuses under ``details``."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from ..._params import bool_arg
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import AdAccountRules, Can
from .rules import ConversionRules

__all__ = ["HANDLERS"]

try:  # optional (pinkit[fast]): the answer has a status for each of up to 1,000 events
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

NOTHING_PROCESSED = (
    "The action could not be processed properly due to some or all data provided being invalid."
)


def send(ctx: Context) -> Reply:
    account = ctx.rules(AdAccountRules).in_path(ctx, Can.SEND_CONVERSIONS)
    events = (ctx.json() or {}).get("data") or []
    answers, processed = ctx.rules(ConversionRules).receive(
        account, events, test=bool_arg(ctx, "test")
    )
    summary = {"num_events_received": len(events), "num_events_processed": processed}
    if processed == 0:
        details = {**summary, "events": answers}
        return _json({"code": 953, "message": NOTHING_PROCESSED, "details": details}, 422)
    return _json({**summary, "events": answers})


def _json(content: dict[str, Any], status: int = 200) -> Response:
    """``JSONResponse``'s bytes (strings and integers only here), encoded by orjson when it is
    installed."""
    if orjson is None:
        return JSONResponse(content, status)
    return Response(orjson.dumps(content), status, media_type="application/json")


def quality(ctx: Context) -> Reply:
    account = ctx.rules(AdAccountRules).in_path(ctx, Can.READ)
    return ctx.rules(ConversionRules).quality(
        account,
        ctx.arg("lookback_period") or "14d",
        source_platform=ctx.arg("source_platform"),
        ingestion_source=ctx.arg("ingestion_source"),
    )


HANDLERS = [
    Handler("events/create", send),
    Handler("conversion_eqs/list", quality),
]
