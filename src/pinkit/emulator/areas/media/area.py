"""The media area's declaration: what it answers, seeds and controls."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import HANDLERS
from .upload import UPLOAD_ROUTES

__all__ = ["AREA"]

AREA = Area(name="media", handlers=HANDLERS, controls=CONTROLS, routes=UPLOAD_ROUTES)
