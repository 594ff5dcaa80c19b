"""The user_account area's declaration: what it answers, seeds and controls."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import HANDLERS
from .rules import UserRules

__all__ = ["AREA"]

AREA = Area(
    name="user_account",
    handlers=HANDLERS,
    seed=lambda state: state.rules(UserRules).seed_default_user(),
    controls=CONTROLS,
)
