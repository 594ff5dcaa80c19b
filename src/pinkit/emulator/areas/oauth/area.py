"""The oauth area's declaration: what it answers, seeds and controls."""

from ..._registry import Area
from .consent import CONSENT_ROUTE, SIGNIN_ROUTE
from .controls import CONTROLS
from .handlers import HANDLERS, authenticate
from .rules import OAuthRules

__all__ = ["AREA"]


AREA = Area(
    name="oauth",
    handlers=HANDLERS,
    seed=lambda state: state.rules(OAuthRules).seed_default_app(),
    seed_after=("user_account",),
    controls=CONTROLS,
    routes=[CONSENT_ROUTE, SIGNIN_ROUTE],
    authenticator=authenticate,
)
