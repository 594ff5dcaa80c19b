"""Pins (tag ``pins``, without the two analytics operations), and the images pins were
created from (``GET /_emulator/images/{name}``)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..._backend import Backend
from ..._common import created
from ..._params import bool_arg, paginate_raw
from ..._registry import Context, Handler, Reply
from .rules import IMAGES_PATH, PinRules

__all__ = ["HANDLERS", "IMAGE_ROUTE"]


def create(ctx: Context) -> Reply:
    pins = ctx.rules(PinRules)
    return created(pins.view(pins.create(ctx.user_id, ctx.json() or {}), ctx.user_id))


def get(ctx: Context) -> Reply:
    pins = ctx.rules(PinRules)
    doc, _ = pins.visible(ctx.user_id, ctx.path_params["pin_id"])
    return pins.view(doc, ctx.user_id)


def list_pins(ctx: Context) -> Reply:
    pins = ctx.rules(PinRules)
    listing = pins.of_user(
        ctx.user_id,
        pin_filter=ctx.arg("pin_filter"),
        include_protected_pins=bool_arg(ctx, "include_protected_pins"),
        pin_type=ctx.arg("pin_type"),
        creative_types=ctx.args("creative_types"),
    )
    return paginate_raw(ctx, listing, pins.json_renderer(ctx.user_id))


def update(ctx: Context) -> Reply:
    pins = ctx.rules(PinRules)
    doc, board = pins.visible(ctx.user_id, ctx.path_params["pin_id"], write=True)
    return pins.view(pins.update(ctx.user_id, doc, board, ctx.json() or {}), ctx.user_id)


def delete(ctx: Context) -> Reply:
    pins = ctx.rules(PinRules)
    doc, _ = pins.visible(ctx.user_id, ctx.path_params["pin_id"], write=True)
    pins.delete(doc)
    return Response(status_code=204)


def save(ctx: Context) -> Reply:
    pins = ctx.rules(PinRules)
    source, _ = pins.visible(ctx.user_id, ctx.path_params["pin_id"])
    body = ctx.json() or {}
    saved = pins.save(ctx.user_id, source, body.get("board_id"), body.get("board_section_id"))
    return created(pins.view(saved, ctx.user_id))


HANDLERS = [
    Handler("pins/create", create),
    Handler("pins/get", get),
    Handler("pins/list", list_pins),
    Handler("pins/update", update),
    Handler("pins/delete", delete),
    Handler("pins/save", save),
]


async def image_endpoint(request: Request) -> Response:
    backend: Backend = request.app.state.backend
    name = request.path_params["name"]

    def load() -> tuple[bytes, str] | None:
        with backend.read() as state:
            return state.rules(PinRules).image(name)

    image = await run_in_threadpool(load)
    if image is None:
        return Response(status_code=404)
    return Response(image[0], media_type=image[1])


IMAGE_ROUTE = Route(IMAGES_PATH + "{name}", image_endpoint, methods=["GET"])
