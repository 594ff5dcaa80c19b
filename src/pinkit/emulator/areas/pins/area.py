"""The pins area's declaration: what it answers, seeds and controls."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import HANDLERS, IMAGE_ROUTE

__all__ = ["AREA"]

AREA = Area(name="pins", handlers=HANDLERS, controls=CONTROLS, routes=[IMAGE_ROUTE])
