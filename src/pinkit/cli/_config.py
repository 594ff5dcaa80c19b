"""Where the CLI keeps things, and which settings win.

Precedence, highest first: command-line option, environment variable, profile in
``config.toml``, built-in default. Directories come from platformdirs (``pinkit``) and can be
moved with ``PINKIT_CONFIG_DIR`` / ``PINKIT_DATA_DIR``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._tokens import FileTokenStore, TokenSet
from ..errors import InvalidInputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = [
    "DEFAULT_PROFILE",
    "AppCredentials",
    "Profile",
    "ProfileTokenStore",
    "Settings",
    "config_dir",
    "data_dir",
    "default_emulator_state",
    "emulator_token_dir",
    "is_default_emulator_state",
    "load_config",
    "remove_emulator_state",
    "save_profile_values",
]

DEFAULT_PROFILE = "default"
FORMATS = ("table", "json", "ndjson", "csv")
PROFILE_KEYS = ("base_url", "client_id", "ad_account_id", "redirect_uri", "scopes")


@dataclass
class Settings:
    """Global options, filled in by the option callbacks wherever the options appear."""

    profile: str | None = None
    base_url: str | None = None
    emulator: bool = False
    emulator_state: Path | None = None
    """``--emulator-state FILE`` (it implies ``emulator``); None: the default state."""
    format: str | None = None
    quiet: bool = False
    verbose: bool = False
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("PINKIT_CONFIG_DIR"):
        return Path(env["PINKIT_CONFIG_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("pinkit"))


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("PINKIT_DATA_DIR"):
        return Path(env["PINKIT_DATA_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("pinkit"))


def default_emulator_state(env: Mapping[str, str] = os.environ) -> Path:
    """The state ``--emulator`` and ``pinkit emulator serve`` share unless told otherwise."""
    return data_dir(env) / "emulator.sqlite"


def emulator_token_dir(state: Path | None, env: Mapping[str, str] = os.environ) -> Path:
    """Where the CLI keeps its tokens for the emulator state ``state`` (None: the default one):
    ``<data dir>/emulator-tokens`` for the default state, ``STATE-tokens`` next to any other, so
    two states never share a token (one state's token is unknown to the other)."""
    if state is None or is_default_emulator_state(state, env):
        return data_dir(env) / "emulator-tokens"
    return state.with_name(f"{state.name}-tokens")


def is_default_emulator_state(state: Path, env: Mapping[str, str] = os.environ) -> bool:
    return state.expanduser().resolve() == default_emulator_state(env).expanduser().resolve()


def remove_emulator_state(state: Path, env: Mapping[str, str] = os.environ) -> None:
    """Delete the state file ``state``, SQLite's files beside it and the CLI's tokens for it."""
    import shutil

    for path in (state, *(state.with_name(state.name + s) for s in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    tokens = emulator_token_dir(state, env)
    if tokens.is_dir():
        shutil.rmtree(tokens)


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    return config_dir(env) / "config.toml"


def load_config(env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    path = config_path(env)
    try:
        with path.open("rb") as fh:
            config: dict[str, Any] = dict(tomllib.load(fh))
            return config
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from None


def save_profile_values(name: str, values: Mapping[str, Any], env: Mapping[str, str]) -> Path:
    """Merge ``values`` into ``[profiles.NAME]`` of config.toml (atomic replace)."""
    import tomli_w

    config = load_config(env)
    profiles = config.setdefault("profiles", {})
    profile = profiles.setdefault(name, {})
    profile.update({k: v for k, v in values.items() if v is not None})
    path = config_path(env)
    _atomic_write(path, tomli_w.dumps(config), mode=0o644)
    return path


def _atomic_write(path: Path, text: str, *, mode: int) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _check_profile_name(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise InvalidInputError(
            f"invalid profile name {name!r}: use letters, digits, '-', '_' or '.'"
        )
    return name


@dataclass(frozen=True, repr=False)
class AppCredentials:
    """What a refresh needs besides the refresh token. The secret is never shown."""

    client_id: str
    client_secret: str
    redirect_uri: str = ""
    base_url: str | None = None

    def __repr__(self) -> str:
        return f"AppCredentials(client_id={self.client_id!r}, client_secret=[REDACTED])"

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": self.redirect_uri,
            "base_url": self.base_url,
        }

    @classmethod
    def from_dict(cls, data: Any) -> AppCredentials | None:
        if not isinstance(data, dict) or not data.get("client_id"):
            return None
        if not data.get("client_secret"):
            return None
        return cls(
            client_id=str(data["client_id"]),
            client_secret=str(data["client_secret"]),
            redirect_uri=str(data.get("redirect_uri") or ""),
            base_url=data.get("base_url") or None,
        )


@dataclass(frozen=True, repr=False)
class _StoredTokens(TokenSet):
    """A token set that also writes the app credentials into the same 0600 file."""

    app: AppCredentials | None = None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.app is not None:
            data["app"] = self.app.to_dict()
        return data


class ProfileTokenStore(FileTokenStore):
    """The profile's token file: tokens plus the app credentials refresh needs.

    It is a ``FileTokenStore`` (atomic replace, mode 0600, 0700 directory); every save, including
    the client's automatic refreshes, keeps the app credentials next to the rotated tokens.
    """

    def __init__(self, path: str | os.PathLike[str], app: AppCredentials | None = None) -> None:
        super().__init__(path)
        self._app = app if app is not None else self.load_app()

    @property
    def app(self) -> AppCredentials | None:
        return self._app

    def load_app(self) -> AppCredentials | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return AppCredentials.from_dict(data.get("app") if isinstance(data, dict) else None)

    def save(self, token: TokenSet) -> None:
        super().save(
            _StoredTokens(
                token.access_token,
                token.refresh_token,
                token.expires_at,
                token.refresh_token_expires_at,
                token.scopes,
                app=self._app,
            )
        )

    def save_with_app(self, token: TokenSet, app: AppCredentials | None) -> None:
        self._app = app
        self.save(token)


@dataclass(frozen=True)
class Profile:
    """A resolved profile: file values overlaid with the environment."""

    name: str
    values: Mapping[str, Any]
    env: Mapping[str, str]

    @classmethod
    def resolve(cls, settings: Settings) -> Profile:
        env = settings.env
        name = _check_profile_name(settings.profile or env.get("PINKIT_PROFILE") or DEFAULT_PROFILE)
        profiles = load_config(env).get("profiles", {})
        values = profiles.get(name, {}) if isinstance(profiles, dict) else {}
        if not isinstance(values, dict):
            raise InvalidInputError(f"[profiles.{name}] in {config_path(env)} is not a table")
        return cls(name=name, values=values, env=env)

    def _get(self, env_names: tuple[str, ...], key: str) -> str | None:
        for env_name in env_names:
            if self.env.get(env_name):
                return self.env[env_name]
        value = self.values.get(key)
        return str(value) if value not in (None, "") else None

    @property
    def client_id(self) -> str | None:
        return self._get(("PINTEREST_CLIENT_ID", "PINTEREST_APP_ID"), "client_id")

    @property
    def client_secret(self) -> str | None:
        # Never read from config.toml: a secret only lives in the environment or the 0600 file.
        return self.env.get("PINTEREST_CLIENT_SECRET") or self.env.get("PINTEREST_APP_SECRET")

    @property
    def ad_account_id(self) -> str | None:
        return self._get(("PINTEREST_AD_ACCOUNT_ID",), "ad_account_id")

    @property
    def redirect_uri(self) -> str | None:
        return self._get(("PINTEREST_REDIRECT_URI",), "redirect_uri")

    @property
    def scopes(self) -> str | None:
        value = self.values.get("scopes")
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        return str(value) if value else None

    def base_url(self, option: str | None) -> str | None:
        return option or self._get(("PINTEREST_API_URI",), "base_url")

    @property
    def env_token(self) -> str | None:
        return self.env.get("PINTEREST_ACCESS_TOKEN") or None

    def token_store(self) -> ProfileTokenStore:
        return ProfileTokenStore(config_dir(self.env) / "tokens" / f"{self.name}.json")

    def emulator_token_store(self, state: Path | None = None) -> ProfileTokenStore:
        """The token file for the emulator state ``state`` (None: the default one), kept with
        that state (see :func:`emulator_token_dir`)."""
        return ProfileTokenStore(emulator_token_dir(state, self.env) / f"{self.name}.json")
