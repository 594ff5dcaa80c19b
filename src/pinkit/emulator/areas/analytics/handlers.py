"""Every analytics and report operation, answered by one engine from the tables in ``rules``,
and the report files' download links (``/_emulator/reports/...``, an S3 stand-in: no
``Authorization`` header, links valid five minutes, reports one hour)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..._backend import Backend
from ..._errors import ApiError
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import AdAccountRules
from ..pins.rules import PinRules
from .rules import ORGANIC, SYNC, AnalyticsRules, Window, check_link

__all__ = ["DOWNLOAD_ROUTE", "HANDLERS"]


def _window(ctx: Context, granularity: str | None = None) -> Window:
    return Window.checked(
        ctx.op.id,
        ctx.arg("start_date") or "",
        ctx.arg("end_date") or "",
        granularity or ctx.arg("granularity") or "DAY",
        ctx.rules(AnalyticsRules).today,
    )


def ads_analytics(ctx: Context) -> Reply:
    """``ad_account/analytics``, ``campaigns/analytics``, ``ad_groups/analytics``,
    ``ads/analytics``: a JSON array of rows."""
    spec = SYNC[ctx.op.id]
    analytics = ctx.rules(AnalyticsRules)
    engine = analytics.engine(ctx.rules(AdAccountRules).in_path(ctx))
    level = "ADVERTISER" if spec.level == "ADVERTISER" else spec.level
    wanted = ctx.args(spec.ids_param) if spec.ids_param else []
    if ctx.op.id == "ads/analytics" and not wanted:
        campaign_ids, pin_ids = ctx.args("campaign_ids"), ctx.args("pin_ids")
        if not (campaign_ids and pin_ids):
            raise ApiError(
                400,
                "Invalid parameters: The request must contain either ad_ids or both "
                "campaign_ids and pin_ids.",
                code=1,
            )
        ids = analytics.ads_of(engine, campaign_ids, pin_ids)
    else:
        ids = analytics.entity_ids(engine, level, wanted)
    rows = analytics.ads_rows(
        engine, level, ids, _window(ctx), ctx.args("columns"), spec.id_column, zero_fill=True
    )
    return [row for entity_rows in rows.values() for row in entity_rows]


def _pins_of(ctx: Context, pin_ids: list[str] | None) -> list[Any]:
    pins = ctx.rules(PinRules)
    if pin_ids is None:
        return ctx.rules(AnalyticsRules).pin_docs(ctx.user_id)
    return [pins.visible(ctx.user_id, pin_id)[0] for pin_id in pin_ids]


def organic(ctx: Context) -> Reply:
    analytics = ctx.rules(AnalyticsRules)
    window = _window(ctx, "DAY")
    metric_types = ctx.args("metric_types") or ["IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK"]
    if ctx.op.id == "user_account/analytics":
        return {"all": analytics.organic(_pins_of(ctx, None), window, metric_types)}
    if ctx.op.id == "pins/analytics":
        return {
            "all": analytics.organic(
                _pins_of(ctx, [ctx.path_params["pin_id"]]), window, metric_types
            )
        }
    if ctx.op.id == "multi_pins/analytics":
        pins = _pins_of(ctx, ctx.args("pin_ids"))
        return {pin.id: {"all": analytics.organic([pin], window, metric_types)} for pin in pins}
    pins = _pins_of(ctx, None)
    if ctx.op.id.endswith("top_video_pins"):
        pins = [p for p in pins if p.data.get("creative_type") == "VIDEO"]
    sort_by = ctx.arg("sort_by") or "IMPRESSION"
    count = int(ctx.arg("num_of_pins") or 10)
    return {
        "date_availability": {
            "is_realtime": False,
            "latest_available_timestamp": int(ctx.now) * 1000,
        },
        "pins": analytics.top_pins(pins, window, sort_by, ctx.args("metric_types"), count),
        "sort_by": sort_by,
    }


def create_report(ctx: Context) -> Reply:
    return ctx.rules(AnalyticsRules).create_report(
        ctx.rules(AdAccountRules).in_path(ctx), ctx.json() or {}
    )


def get_report(ctx: Context) -> Reply:
    analytics = ctx.rules(AnalyticsRules)
    doc = analytics.report(ctx.rules(AdAccountRules).in_path(ctx), ctx.arg("token") or "")
    status = analytics.report_status(doc)
    if status != "FINISHED" or doc is None:
        return {"report_status": status, "url": None, "size": None}
    body, _ = analytics.report_file(doc)
    return {"report_status": status, "url": analytics.download_link(doc), "size": len(body)}


HANDLERS = [
    *(Handler(op, ads_analytics) for op in SYNC),
    *(Handler(op, organic) for op in sorted(ORGANIC)),
    Handler("analytics/create_report", create_report),
    Handler("analytics/get_report", get_report),
]


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


async def download(request: Request) -> Response:
    if "authorization" in request.headers:
        return _s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "not an Authorization header, is supported here.",
        )
    backend: Backend = request.app.state.backend
    token = request.path_params["name"].rsplit(".", 1)[0]
    params = request.query_params

    def answer() -> Response:
        with backend.read() as state:
            problem = check_link(
                token, params.get("expires", ""), params.get("signature", ""), state.now
            )
            if problem is not None:
                return _s3_error(403, "AccessDenied", problem)
            analytics = state.rules(AnalyticsRules)
            doc = state.tx.get_doc("report", token)
            if doc is None or analytics.report_status(doc) != "FINISHED":
                return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
            body, media_type = analytics.report_file(doc)
        return Response(body, media_type=media_type)

    try:
        return await run_in_threadpool(answer)
    except ApiError as err:
        return err.response()


DOWNLOAD_ROUTE = Route("/_emulator/reports/{name}", download, methods=["GET"])
