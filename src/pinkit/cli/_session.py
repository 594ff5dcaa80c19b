"""One command run's view of the world: settings, profile, output, and the client to use.

The client comes from, in order: ``--emulator`` / ``--emulator-state FILE`` (the persisted local
emulator, in-process, with its own token file kept with its state), ``PINTEREST_ACCESS_TOKEN``,
or the profile's token file
(with the app credentials saved at login, so expired tokens refresh and rotated refresh tokens
are saved).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._tokens import REFRESH_LEEWAY_S, TokenSet
from ..errors import InvalidInputError
from ._config import (
    AppCredentials,
    Profile,
    ProfileTokenStore,
    Settings,
    default_emulator_state,
)
from ._exits import login_command
from ._output import Output

if TYPE_CHECKING:
    import httpx2

    from .._client import Client
    from ..auth import OAuthApp
    from ..emulator import Emulator

__all__ = ["EMULATOR_EXTRA_HINT", "Session", "check_state_folder", "import_emulator", "session"]

EMULATOR_EXTRA_HINT = "the emulator needs the 'emulator' extra: pip install 'pinkit[emulator]'"


def import_emulator() -> Any:
    """``pinkit.emulator``, or a one-line usage error (exit 2) naming the missing extra."""
    try:
        import pinkit.emulator as module
    except ImportError as exc:
        missing = (getattr(exc, "name", "") or "").split(".")[0]
        if missing in ("starlette", "uvicorn"):
            raise click.UsageError(EMULATOR_EXTRA_HINT) from None
        raise click.UsageError(f"cannot load the emulator ({exc}); {EMULATOR_EXTRA_HINT}") from None
    return module


class Session:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.profile = Profile.resolve(settings)
        self.output = Output(settings.format, quiet=settings.quiet)
        self._emulator: Emulator | None = None
        self._stale_token: str | None = None
        self._closers: list[Any] = []

    # -- where things are ------------------------------------------------------------------------
    @property
    def using_emulator(self) -> bool:
        return self.settings.emulator

    @property
    def emulator_state(self) -> Path:
        """The emulator's state file: ``--emulator-state``, else the default one (shared by
        ``--emulator`` and ``pinkit emulator serve``)."""
        return self.settings.emulator_state or default_emulator_state(self.settings.env)

    def token_store(self) -> ProfileTokenStore:
        if self.using_emulator:
            return self.profile.emulator_token_store(self.settings.emulator_state)
        return self.profile.token_store()

    def base_url(self, store: ProfileTokenStore | None = None) -> str:
        from .._base import PRODUCTION_URL

        if self.using_emulator:
            return self._emulator_base_url()
        url = self.profile.base_url(self.settings.base_url)
        if url is None and store is not None and store.app is not None:
            url = store.app.base_url
        return (url or PRODUCTION_URL).rstrip("/")

    def oauth_app(self, store: ProfileTokenStore | None, base_url: str) -> OAuthApp | None:
        """Env credentials win; otherwise the ones saved with the tokens."""
        from ..auth import OAuthApp

        client_id, secret = self.profile.client_id, self.profile.client_secret
        saved = store.app if store is not None else None
        if client_id and secret:
            redirect = self.profile.redirect_uri or (saved.redirect_uri if saved else "")
            return OAuthApp(client_id, secret, redirect, api_base_url=base_url)
        if saved is not None:
            return OAuthApp(
                saved.client_id, saved.client_secret, saved.redirect_uri, api_base_url=base_url
            )
        return None

    # -- the emulator ----------------------------------------------------------------------------
    @property
    def emulator(self) -> Emulator:
        if self._emulator is None:
            module = import_emulator()
            path = self.emulator_state
            if self.settings.emulator_state is None:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            else:
                check_state_folder(path)
            if not path.exists():
                # A state this run makes has never issued the token stored for it (the state
                # was deleted): it is stale. Tokens saved from now on are this state's.
                stale = self.token_store().load()
                self._stale_token = stale.access_token if stale is not None else None
            self._emulator = module.Emulator(state_path=path)
            self._closers.append(self._emulator.close)
        return self._emulator

    def _emulator_base_url(self) -> str:
        return str(self.emulator.base_url).rstrip("/")

    def emulator_http(self) -> httpx2.Client:
        import httpx2

        http = httpx2.Client(transport=self.emulator.transport(), timeout=30.0)
        self._closers.insert(0, http.close)
        return http

    def emulator_token(self, store: ProfileTokenStore) -> TokenSet:
        """The stored emulator token; a new one is issued (and saved) on first use and when
        the stored one is about to expire (the emulator is its own authorization server)."""
        emulator = self.emulator
        token = store.load()
        stale = token is not None and token.access_token == self._stale_token
        if token is None or stale or token.expires_within(REFRESH_LEEWAY_S):
            token = emulator.issue_token()
            store.save(token)
        return token

    # -- clients ---------------------------------------------------------------------------------
    def client(self, *, require_login: bool = True) -> Client:
        from .._client import Client

        profile = self.profile
        if self.using_emulator:
            store = self.token_store()
            self.emulator_token(store)
            client = Client(
                base_url=self._emulator_base_url(),
                token_store=store,
                http_client=self.emulator_http(),
                ad_account_id=profile.ad_account_id,
            )
        elif profile.env_token or _env_refresh_only(profile):
            # Env tokens win over the profile's file (the Client reads them itself). A refresh
            # rotates the refresh token: the environment's copy dies, so the new one is saved.
            client = Client(
                profile.env_token,
                base_url=self.base_url(),
                ad_account_id=profile.ad_account_id,
                on_token_refresh=self._keep_refreshed_env_tokens,
            )
        else:
            store = self.token_store()
            base_url = self.base_url(store)
            if require_login and store.load() is None:
                raise NotLoggedIn(profile.name)
            client = Client(
                base_url=base_url,
                token_store=store,
                oauth_app=self.oauth_app(store, base_url),
                ad_account_id=profile.ad_account_id,
            )
        self._closers.insert(0, client.close)
        return client

    def _keep_refreshed_env_tokens(self, token: TokenSet) -> None:
        store = self.token_store()
        profile = self.profile
        if profile.client_id and profile.client_secret:
            app = AppCredentials(profile.client_id, profile.client_secret, "", self.base_url())
            store.save_with_app(token, app)  # the profile can refresh on its own from now on
        else:
            store.save(token)
        self.output.warn(
            f"warning: the token was refreshed and the refresh token rotated; the new tokens are "
            f"saved in {store.path} and the refresh token in the environment no longer works"
        )

    def close(self) -> None:
        for closer in self._closers:
            with contextlib.suppress(Exception):
                closer()
        self._closers.clear()


def check_state_folder(path: Path) -> None:
    """Bad input (exit 2) unless ``path``'s folder exists: a state file is made, not its folder."""
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInputError(f"no folder {folder} for the emulator state {path}")


def _env_refresh_only(profile: Profile) -> bool:
    env = profile.env
    return bool(env.get("PINTEREST_REFRESH_TOKEN") or env.get("PINTEREST_REFRESH_ACCESS_TOKEN"))


class NotLoggedIn(click.ClickException):
    """No token at all for the profile: exit 4, as for a login that is no longer valid."""

    exit_code = 4

    def __init__(self, profile: str) -> None:
        super().__init__(
            f"not logged in (profile {profile}): run {login_command(profile)}, "
            "set PINTEREST_ACCESS_TOKEN, or use --emulator"
        )


def session(ctx: click.Context) -> Session:
    """The run's session, created on first use and closed when the command ends."""
    root = ctx.find_root()
    existing = root.meta.get("pinkit.session")
    if isinstance(existing, Session):
        return existing
    created = Session(ctx.ensure_object(Settings))
    root.meta["pinkit.session"] = created
    root.call_on_close(created.close)
    return created


def saved_app_credentials(app: OAuthApp, secret: str, base_url: str) -> AppCredentials:
    return AppCredentials(
        client_id=app.client_id,
        client_secret=secret,
        redirect_uri=app.redirect_uri,
        base_url=base_url,
    )
