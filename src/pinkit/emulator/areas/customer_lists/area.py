"""The customer_lists area's declaration."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import HANDLERS

__all__ = ["AREA"]

AREA = Area(name="customer_lists", handlers=HANDLERS, controls=CONTROLS)
