"""What ends a run early, and with which exit code: interruptions (130 for Ctrl-C, 143 for
SIGTERM) and a login that is missing or no longer valid (4). ``_app`` maps them; commands that
stop on them (``pins publish``) use the same tests."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

from ..errors import AuthenticationError, OAuthError
from ._config import DEFAULT_PROFILE, Settings

__all__ = [
    "Terminated",
    "interrupt_code",
    "login_command",
    "login_hint",
    "login_invalid",
    "sigterm_interrupts",
]


class Terminated(KeyboardInterrupt):
    """SIGTERM: stop as for Ctrl-C (what is in flight is recorded, summaries are printed),
    then exit 143 instead of 130."""


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``Terminated`` in the main thread."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (run() embedded in an application)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupt_code(exc: BaseException) -> int:
    return 143 if isinstance(exc, Terminated) else 130


def _refresh_refused(exc: OAuthError) -> bool:
    """Whether the token endpoint refused a refresh (the saved login is dead), rather than
    another grant, such as the code exchange of ``auth login`` (a failed login, exit 1)."""
    import traceback

    from ..auth import TokenManager

    code = TokenManager.refresh_flow.__code__
    return any(frame.f_code is code for frame, _line in traceback.walk_tb(exc.__traceback__))


def login_invalid(exc: BaseException | None) -> bool:
    """Whether ``exc`` means the token in use is no good: Pinterest answered 401, or refused to
    refresh it (the refresh token expired or was revoked)."""
    if isinstance(exc, AuthenticationError):
        return True
    return isinstance(exc, OAuthError) and _refresh_refused(exc)


def login_command(profile: str, *, emulator: bool = False) -> str:
    flags = (" --emulator" if emulator else "") + (
        "" if profile == DEFAULT_PROFILE else f" --profile {profile}"
    )
    return f"`pinkit auth login{flags}`"


def login_hint(settings: Settings) -> str:
    """What to do when the token in use is refused, for where the token comes from (in the
    order ``Session.client`` picks it)."""
    env = settings.env
    profile = settings.profile or env.get("PINKIT_PROFILE") or DEFAULT_PROFILE
    if settings.emulator:
        return f"the login is no longer valid: run {login_command(profile, emulator=True)}"
    names = ("PINTEREST_ACCESS_TOKEN", "PINTEREST_REFRESH_TOKEN", "PINTEREST_REFRESH_ACCESS_TOKEN")
    for name in names:
        if env.get(name):
            return (
                f"the token in {name} is not valid: set a valid one, or unset it and run "
                f"{login_command(profile)}"
            )
    return f"the login is no longer valid: run {login_command(profile)}"
