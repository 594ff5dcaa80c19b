"""Video media (tag ``media``): register an upload, get its status, list uploads."""

from __future__ import annotations

from ..._common import created
from ..._params import paginate
from ..._registry import Context, Handler, Reply
from .rules import MediaRules

__all__ = ["HANDLERS"]


def create(ctx: Context) -> Reply:
    return created(ctx.rules(MediaRules).register(ctx.user_id))


def get(ctx: Context) -> Reply:
    media = ctx.rules(MediaRules)
    return media.view(media.owned(ctx.user_id, ctx.path_params["media_id"]))


def list_media(ctx: Context) -> Reply:
    media = ctx.rules(MediaRules)
    return paginate(ctx, media.of_user(ctx.user_id), media.view)


HANDLERS = [
    Handler("media/create", create),
    Handler("media/get", get),
    Handler("media/list", list_media),
]
