"""The conversions area's declaration."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import HANDLERS

__all__ = ["AREA"]

AREA = Area(name="conversions", handlers=HANDLERS, controls=CONTROLS)
