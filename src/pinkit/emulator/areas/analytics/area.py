"""The analytics area's declaration."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import DOWNLOAD_ROUTE, HANDLERS

__all__ = ["AREA"]

AREA = Area(name="analytics", handlers=HANDLERS, controls=CONTROLS, routes=[DOWNLOAD_ROUTE])
