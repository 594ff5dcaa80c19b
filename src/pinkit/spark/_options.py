"""The options of the Spark data sources, read once on the driver and shipped as plain values.

Spark hands a data source its options as text (``.option("ad_account_id", ...)``). They are
checked here, on the driver, before any task starts: a bad one raises ``InvalidInputError``
with one line that names the source and the option. What travels to the executors is this
frozen, picklable object (the credential as a ``pinkit.Secret``, masked in every ``repr``);
each task builds its own client and limiter from it, never receiving a live one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .._ratelimit import Limit
from .._redact import Secret
from .._validate import check_id
from ..errors import InvalidInputError

if TYPE_CHECKING:
    from .._client import Client
    from .._redis_ratelimit import RedisRateLimiter
    from ..conversions import SenderConfig
    from ..web import Connections

__all__ = ["ConversionOptions", "Credential", "Defaults", "ReportOptions", "bad_option"]

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*")


def bad_option(source: str, message: str) -> InvalidInputError:
    """The one-line error every bad option raises: ``source: message``."""
    return InvalidInputError(f"{source}: {message}")


class _Reader:
    """Text options (case-insensitive names, as Spark keeps them) and their checks."""

    def __init__(self, source: str, options: Mapping[str, str], known: set[str]) -> None:
        self.source = source
        self.values = {str(k).lower(): v for k, v in options.items() if v is not None}
        unknown = sorted(set(self.values) - known - {"path"})
        if unknown:
            raise bad_option(
                source,
                f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known))})",
            )

    def bad(self, message: str) -> InvalidInputError:
        return bad_option(self.source, message)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        value = str(value).strip()
        return value or default

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise self.bad(f"option {name} must be true or false, got {value!r}")

    def integer(self, name: str, default: int | None, low: int, high: int) -> int | None:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise self.bad(f"option {name} must be a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise self.bad(f"option {name} must be from {low} to {high}, got {number}")
        return number

    def rate(self, name: str) -> Limit | None:
        """``"REQUESTS/SECONDS"`` (``"8/1"``: 8 requests a second), spaced evenly."""
        value = self.text(name)
        if value is None:
            return None
        match = _RATE.fullmatch(value)
        if match is None or int(match[1]) < 1 or not float(match[2]) > 0:
            raise self.bad(
                f"option {name} must be REQUESTS/SECONDS such as 8/1 (8 requests a second), "
                f"got {value!r}"
            )
        return Limit(int(match[1]), float(match[2]), burst=1)


@dataclass(frozen=True)
class Credential:
    """How a task signs its requests: an ``access_token`` (a conversion access token is
    enough for events), or a user's tokens in the web kit's ``Connections`` store
    (``database_url`` and ``user_key``; the app's ``client_id``/``client_secret`` and
    ``encryption_keys``, from the options or each executor's ``PINTEREST_CLIENT_ID``,
    ``PINTEREST_CLIENT_SECRET`` and ``PINKIT_TOKEN_KEYS``), which refreshes safely across
    processes. Secrets are ``pinkit.Secret``: masked in every ``repr``."""

    access_token: Secret | None = None
    database_url: Secret | None = None
    user_key: str | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    encryption_keys: Secret | None = None

    @classmethod
    def read(cls, reader: _Reader) -> Credential:
        token = reader.text("access_token")
        database_url = reader.text("database_url")
        user_key = reader.text("user_key")
        if token and (database_url or user_key):
            raise reader.bad("give access_token or database_url with user_key, not both")
        if not token and not database_url and not user_key:
            token = os.environ.get("PINTEREST_ACCESS_TOKEN") or None
            if not token:
                raise reader.bad(
                    "no credential: give option access_token (a conversion access token "
                    "will do for events), or database_url and user_key (pinkit.web "
                    "Connections)"
                )
        if not token and not (database_url and user_key):
            raise reader.bad("database_url and user_key go together: give both")
        secret = reader.text("client_secret")
        keys = reader.text("encryption_keys")
        return cls(
            access_token=Secret.of(token),
            database_url=Secret.of(database_url),
            user_key=user_key,
            client_id=reader.text("client_id"),
            client_secret=Secret.of(secret),
            encryption_keys=Secret.of(keys),
        )

    def client(self, base_url: str, limiter: RedisRateLimiter | None) -> Client:
        """A new client for one task (on an executor)."""
        from .._client import Client

        if self.access_token is not None:
            return Client(
                access_token=self.access_token.get_secret_value(),
                base_url=base_url,
                rate_limiter=limiter,
            )
        return self._connections(base_url, limiter).client(str(self.user_key))

    def check(self, source: str, base_url: str) -> None:
        """On the driver, for the Connections credential: its database answers and holds the
        user (when the app's client_id, secret and keys are known here too; the executors may
        have them in their environment alone)."""
        if self.database_url is None or not self._app_known():
            return
        try:
            connections = self._connections(base_url, None)
            try:
                connected = connections.status(str(self.user_key)).connected
            finally:
                connections.close()
        except InvalidInputError as exc:
            raise bad_option(source, f"the Connections credential: {exc}") from None
        except Exception as exc:  # the database's own errors: named, never their text
            raise bad_option(
                source, f"database_url cannot be read ({type(exc).__name__})"
            ) from None
        if not connected:
            raise bad_option(source, f"user_key {self.user_key!r} is not connected in database_url")

    def _app_known(self) -> bool:
        """Whether the driver has what opening the store takes (app and keys)."""
        return bool(
            (self.client_id or os.environ.get("PINTEREST_CLIENT_ID"))
            and (self.client_secret or os.environ.get("PINTEREST_CLIENT_SECRET"))
            and (self.encryption_keys or os.environ.get("PINKIT_TOKEN_KEYS"))
        )

    def _connections(self, base_url: str, limiter: RedisRateLimiter | None) -> Connections:
        from ..auth import OAuthApp
        from ..web import Connections

        client_id = self.client_id or os.environ.get("PINTEREST_CLIENT_ID")
        secret = self.client_secret or Secret.of(os.environ.get("PINTEREST_CLIENT_SECRET"))
        if not client_id or not secret:
            raise InvalidInputError(
                "the Connections credential needs the app's client_id and client_secret "
                "(options, or PINTEREST_CLIENT_ID and PINTEREST_CLIENT_SECRET on the executors)"
            )
        app = OAuthApp(client_id, secret, "", api_base_url=base_url)
        keys = self.encryption_keys.get_secret_value() if self.encryption_keys else None
        assert self.database_url is not None
        return Connections(
            self.database_url.get_secret_value(),
            app,
            encryption_keys=keys.split(",") if keys else None,
            rate_limiter=limiter,
        )


@dataclass(frozen=True)
class _Common:
    """What both sources share: where to send, the credential, the shared limiter."""

    credential: Credential
    base_url: str | None
    redis_url: Secret | None
    rate_limit: Limit | None

    def limiter(self, category: str) -> RedisRateLimiter | None:
        """The shared limiter of every task (None without ``redis_url``). ``rate_limit``, when
        given, is the limit of ``category``; the other categories keep Standard's."""
        if self.redis_url is None:
            return None
        from .._redis_ratelimit import RedisRateLimiter

        limits = {category: self.rate_limit} if self.rate_limit is not None else None
        return RedisRateLimiter(self.redis_url.get_secret_value(), limits=limits)

    def check_remote(self, source: str) -> None:
        """On the driver, before any task: the shared Redis answers, and the credential's
        store holds the user."""
        from .._base import PRODUCTION_URL

        self.check_redis(source)
        self.credential.check(source, self.base_url or PRODUCTION_URL)

    def check_redis(self, source: str) -> None:
        """On the driver: a ``redis_url`` that does not answer fails the job before any task
        (in the tasks, the limiter would fail open, and each task would go at its own pace)."""
        if self.redis_url is None:
            return
        import redis

        url = self.redis_url.get_secret_value()
        try:
            with redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5) as r:
                r.ping()
        except (redis.RedisError, ValueError, OSError) as exc:
            shown = _without_password(url)
            raise bad_option(
                source, f"Redis at redis_url {shown} does not answer ({type(exc).__name__})"
            ) from None

    def client(self, limiter: RedisRateLimiter | None) -> Client:
        from .._base import PRODUCTION_URL

        return self.credential.client(self.base_url or PRODUCTION_URL, limiter)

    def __repr__(self) -> str:
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "redis_url" and value is not None:
                value = _without_password(value.get_secret_value())
            shown.append(f"{item.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


_COMMON = {
    "access_token",
    "database_url",
    "user_key",
    "client_id",
    "client_secret",
    "encryption_keys",
    "base_url",
    "redis_url",
    "rate_limit",
}


def _common(reader: _Reader) -> dict[str, Any]:
    base_url = reader.text("base_url") or os.environ.get("PINTEREST_API_URI") or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise reader.bad(f"option base_url must be an http(s) URL, got {base_url!r}")
    redis_url = reader.text("redis_url")
    if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise reader.bad("option redis_url must be a redis://, rediss:// or unix:// URL")
    rate_limit = reader.rate("rate_limit")
    if rate_limit is not None and redis_url is None:
        raise reader.bad("option rate_limit is the shared limit: it needs redis_url")
    return {
        "credential": Credential.read(reader),
        "base_url": base_url,
        "redis_url": Secret.of(redis_url),
        "rate_limit": rate_limit,
    }


@dataclass(frozen=True, repr=False)
class ConversionOptions(_Common):
    """The options of ``pinterest_conversions`` and ``send_conversions``.

    ``rate_limit`` (``"REQUESTS/SECONDS"``) is the ad account's conversions limit as every
    task together must keep it (it needs ``redis_url``); ``ignore_columns`` are columns that
    are neither event fields nor sent; ``summary_path``: a file (on the driver) the commit
    writes the job's summary to, as JSON."""

    ad_account_id: str = ""
    test: bool = False
    batch_size: int | None = None
    concurrency: int = 4
    max_retries: int = 5
    ignore_columns: tuple[str, ...] = field(default=())
    summary_path: str | None = None

    SOURCE = "pinterest_conversions"
    KNOWN = frozenset(
        {
            *_COMMON,
            "ad_account_id",
            "test",
            "batch_size",
            "concurrency",
            "max_retries",
            "ignore_columns",
            "summary_path",
        }
    )

    @classmethod
    def parse(cls, options: Mapping[str, Any], source: str = SOURCE) -> ConversionOptions:
        """Checked options (``InvalidInputError``, one line, otherwise)."""
        from ..conversions._event import max_batch

        reader = _Reader(source, {k: _text(v) for k, v in options.items()}, set(cls.KNOWN))
        account = reader.text("ad_account_id") or os.environ.get("PINTEREST_AD_ACCOUNT_ID")
        if not account:
            raise reader.bad("option ad_account_id is required")
        try:
            check_id("ad_account_id", account)
        except InvalidInputError as exc:
            raise reader.bad(str(exc)) from None
        ignored = reader.text("ignore_columns") or ""
        made = cls(
            **_common(reader),
            ad_account_id=account,
            test=reader.flag("test"),
            batch_size=reader.integer("batch_size", None, 1, max_batch()),
            concurrency=reader.integer("concurrency", 4, 1, 64) or 4,
            max_retries=reader.integer("max_retries", 5, 0, 100) or 0,
            ignore_columns=tuple(c.strip() for c in ignored.split(",") if c.strip()),
            summary_path=reader.text("summary_path"),
        )
        made.sender_config()  # the sender's own checks, now
        return made

    def sender_config(self) -> SenderConfig:
        from ..conversions import SenderConfig

        return SenderConfig(
            ad_account_id=self.ad_account_id,
            test=self.test,
            batch_size=self.batch_size,
            concurrency=self.concurrency,
            max_retries=self.max_retries,
        )


@dataclass(frozen=True, repr=False)
class ReportOptions(_Common):
    """The options of ``pinterest_reports``: the ad accounts, the level, the columns, the
    dates (``YYYY-MM-DD``, both included), the granularity, and ``zero_fill``."""

    ad_account_ids: tuple[str, ...] = ()
    level: str = "CAMPAIGN"
    columns: tuple[str, ...] = ()
    start_date: dt.date = dt.date.min
    end_date: dt.date = dt.date.min
    granularity: str = "DAY"
    zero_fill: bool = False

    SOURCE = "pinterest_reports"
    KNOWN = frozenset(
        {
            *_COMMON,
            "ad_account_ids",
            "level",
            "columns",
            "start_date",
            "end_date",
            "granularity",
            "zero_fill",
        }
    )

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> ReportOptions:
        reader = _Reader(cls.SOURCE, {k: _text(v) for k, v in options.items()}, set(cls.KNOWN))
        accounts = [a.strip() for a in (reader.text("ad_account_ids") or "").split(",")]
        accounts = [a for a in accounts if a]
        if not accounts:
            raise reader.bad("option ad_account_ids is required (comma-separated IDs)")
        for account in accounts:
            try:
                check_id("ad_account_ids", account)
            except InvalidInputError as exc:
                raise reader.bad(str(exc)) from None
        columns = [c.strip().upper() for c in (reader.text("columns") or "").split(",")]
        columns = [c for c in columns if c]
        if not columns:
            raise reader.bad("option columns is required (comma-separated column names)")
        dates = {}
        for name in ("start_date", "end_date"):
            value = reader.text(name)
            if value is None:
                raise reader.bad(f"option {name} is required (YYYY-MM-DD)")
            try:
                dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise reader.bad(
                    f"option {name} must be a date YYYY-MM-DD, got {value!r}"
                ) from None
        return cls(
            **_common(reader),
            ad_account_ids=tuple(dict.fromkeys(accounts)),
            level=(reader.text("level") or "CAMPAIGN").upper(),
            columns=tuple(dict.fromkeys(columns)),
            start_date=dates["start_date"],
            end_date=dates["end_date"],
            granularity=(reader.text("granularity") or "DAY").upper(),
            zero_fill=reader.flag("zero_fill"),
        )


class Defaults:
    """Options for every job of a session (``pinkit.spark.register``): a mapping whose
    values never show in its ``repr``."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {k: Secret(v) for k, v in values.items()}

    def merged(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """``options`` over these defaults (names are case-insensitive)."""
        given = {str(k).lower(): v for k, v in options.items()}
        out: dict[str, Any] = {k: v.get_secret_value() for k, v in self._values.items()}
        if given.keys() & {"database_url", "user_key"}:
            out.pop("access_token", None)  # the job chose the other credential
        out.update({k: v for k, v in given.items() if v is not None})
        return out

    def __repr__(self) -> str:
        return f"Defaults({sorted(self._values)})"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]  # as written: a malformed port stays shown, not parsed
    return urlunsplit(parts._replace(netloc="***@" + host))


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None or isinstance(value, str) else str(value)
