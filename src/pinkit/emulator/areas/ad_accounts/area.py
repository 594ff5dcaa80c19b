"""The ad_accounts area's declaration."""

from ..._registry import Area
from .controls import CONTROLS
from .handlers import HANDLERS
from .rules import AdAccountRules

__all__ = ["AREA"]

AREA = Area(
    name="ad_accounts",
    handlers=HANDLERS,
    seed=lambda state: state.rules(AdAccountRules).ensure_for(state.default_user_id),
    seed_after=("user_account",),
    controls=CONTROLS,
)
