"""The audiences area's declaration."""

from ..._registry import Area
from .handlers import HANDLERS

__all__ = ["AREA"]

AREA = Area(name="audiences", handlers=HANDLERS)
