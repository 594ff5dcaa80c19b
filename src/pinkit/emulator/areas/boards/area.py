"""The boards area's declaration: what it answers, seeds and controls."""

from ..._registry import Area
from .handlers import HANDLERS

__all__ = ["AREA"]

AREA = Area(name="boards", handlers=HANDLERS)
