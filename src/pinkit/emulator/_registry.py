"""How an API area plugs into the emulator: its rules, handlers, seed, controls and routes.

An area is a package under ``pinkit.emulator.areas`` with two halves, as moto's services are:

- **rules** (``rules.py``): a :class:`Rules` subclass holding the area's state and domain logic,
  one plain method per operation, with no HTTP and no request context. Rules are bound to one
  :class:`State` (a transaction and an instant); they reach another area only through that
  area's rules (``self.area(BoardRules)``).
- **handlers** (``handlers.py``): plain functions ``(Context) -> Reply`` that read the request,
  call the rules and render the answer, listed once in a ``HANDLERS`` table.

The area's ``__init__`` declares an :class:`Area` (handlers, seed step and the seeds it runs
after, test controls, extra HTTP routes), and ``areas/__init__.py`` lists every area once, in
``AREAS``. Nothing registers itself on import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias, TypeVar
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.routing import BaseRoute

from pinkit._operations import Operation, by_id

from ._errors import ApiError, EmulatorError
from ._store import Tx
from ._validation import NOT_DECODED

if TYPE_CHECKING:
    from ._backend import Backend
    from ._controls import Control

__all__ = [
    "Area",
    "Authenticator",
    "Context",
    "Handler",
    "HandlerFunc",
    "Principal",
    "Registry",
    "Reply",
    "Rules",
    "State",
]

#: What a handler returns: a ready response, or a JSON value answered with 200.
Reply: TypeAlias = Response | dict[str, Any] | list[Any]
R = TypeVar("R", bound="Rules")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user and app behind a token, or an app itself (HTTP Basic)."""

    user_id: str
    client_id: str
    scheme: str
    """``pinterest_oauth2``, ``client_credentials``, ``conversion_token`` or ``basic``."""
    scopes: frozenset[str] = frozenset()

    @property
    def rate_key(self) -> str:
        # Pinterest meters "per user per app", not per token string.
        return f"{self.user_id}:{self.client_id}"


class State:
    """The emulator's state inside one transaction, at one instant of emulator time.

    ``origin`` is where the emulator is reached (``http://127.0.0.1:8080``), for the URLs that
    answers carry (uploaded images, upload and download links).
    """

    def __init__(self, backend: Backend, tx: Tx, now: float, origin: str = "") -> None:
        self.backend = backend
        self.tx = tx
        self.now = now
        self.origin = origin
        self._rules: dict[type[Rules], Rules] = {}

    def rules(self, cls: type[R]) -> R:
        """The area rules ``cls`` bound to this state (one instance per state)."""
        found = self._rules.get(cls)
        if found is None:
            found = self._rules[cls] = cls(self)
        return found  # type: ignore[return-value]

    @property
    def default_user_id(self) -> str:
        return self.meta("default_user")

    def meta(self, key: str) -> str:
        value = self.tx.meta_get(key)
        if value is None:  # pragma: no cover - seeded when the state is created
            raise RuntimeError(f"emulator state has no {key!r}")
        return value


class Rules:
    """Base of an area's rules: bound to one :class:`State`."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.tx = state.tx
        self.now = state.now

    def area(self, cls: type[R]) -> R:
        """Another area's rules, bound to the same state."""
        return self.state.rules(cls)


@dataclass
class Context:
    """Everything a handler needs about the request it answers."""

    op: Operation
    path_params: dict[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    state: State
    principal: Principal | None = None
    request_id: str = ""
    decoded: Any = field(default=NOT_DECODED, repr=False)
    """The JSON body as the dispatcher decoded it to check it (handed out once by ``json``)."""

    @property
    def tx(self) -> Tx:
        return self.state.tx

    @property
    def now(self) -> float:
        return self.state.now

    @property
    def origin(self) -> str:
        return self.state.origin

    def rules(self, cls: type[R]) -> R:
        return self.state.rules(cls)

    @property
    def user_id(self) -> str:
        if self.principal is None:  # pragma: no cover - the dispatcher guarantees it
            raise ApiError(401)
        return self.principal.user_id

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """Every value of an array query parameter, repeated or comma-separated."""
        return [v for value in self.query.get(name, []) for v in value.split(",") if v]

    def json(self) -> Any:
        """The JSON request body (the dispatcher has checked it against the spec). The first
        call gets the value the dispatcher decoded; later calls decode the body afresh, so a
        handler that changes what it got never sees its own changes."""
        decoded, self.decoded = self.decoded, NOT_DECODED
        if decoded is not NOT_DECODED:
            return decoded
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise ApiError(400, "Request body is not valid JSON.") from None

    def form(self) -> dict[str, str]:
        """The ``application/x-www-form-urlencoded`` body (first value per field)."""
        try:
            pairs = parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid form data.") from None
        form: dict[str, str] = {}
        for key, value in pairs:
            form.setdefault(key, value)
        return form


HandlerFunc: TypeAlias = Callable[[Context], Reply]
Authenticator: TypeAlias = Callable[[State, Operation, "str | None"], "Principal | None"]
"""``(state, operation, Authorization header) -> Principal`` (None: not authenticated)."""


class Handler(NamedTuple):
    """One operation of the spec and the function that answers it.

    ``writes`` says whether it changes state (default: every method but GET), which decides
    whether its transaction takes the write lock up front.
    """

    operation_id: str
    func: HandlerFunc
    writes: bool | None = None

    @property
    def operation(self) -> Operation:
        return by_id(self.operation_id)

    @property
    def does_write(self) -> bool:
        return self.operation.method != "GET" if self.writes is None else self.writes


Seed: TypeAlias = Callable[[State], None]


@dataclass(frozen=True)
class Area:
    """One API area of the emulator, declared in its package's ``__init__``."""

    name: str
    handlers: Sequence[Handler] = ()
    seed: Seed | None = None
    """Fresh-state data for the area, run when a state is created or reset."""
    seed_after: tuple[str, ...] = ()
    """Areas whose seed must run first (the default user before anything it owns)."""
    controls: Sequence[Control[..., Any]] = ()
    routes: Sequence[BaseRoute] = ()
    """HTTP routes outside ``/v5`` (the consent page, the upload bucket)."""
    authenticator: Authenticator | None = None
    """The one area that knows tokens says who is calling."""


@dataclass
class Registry:
    """Every area, checked once: known operations, no operation answered twice, a seed order
    that exists, exactly one authenticator."""

    areas: Sequence[Area]
    handlers: dict[str, Handler] = field(init=False)
    seed_order: list[Area] = field(init=False)
    authenticator: Authenticator = field(init=False)

    def __post_init__(self) -> None:
        self.handlers = {}
        for area in self.areas:
            for handler in area.handlers:
                try:
                    by_id(handler.operation_id)
                except KeyError:
                    raise EmulatorError(
                        f"area {area.name}: {handler.operation_id!r} is not an operationId"
                    ) from None
                if handler.operation_id in self.handlers:
                    raise EmulatorError(f"{handler.operation_id} is answered twice")
                self.handlers[handler.operation_id] = handler
        self.seed_order = _seed_order(self.areas)
        authenticators = [a.authenticator for a in self.areas if a.authenticator is not None]
        if len(authenticators) != 1:
            raise EmulatorError("exactly one area must authenticate requests")
        self.authenticator = authenticators[0]

    def implemented(self) -> list[str]:
        """The operationIds the emulator implements, sorted."""
        return sorted(self.handlers)

    @property
    def controls(self) -> list[Control[..., Any]]:
        return [control for area in self.areas for control in area.controls]

    @property
    def routes(self) -> list[BaseRoute]:
        return [route for area in self.areas for route in area.routes]


def _seed_order(areas: Sequence[Area]) -> list[Area]:
    by_name = {area.name: area for area in areas}
    order: list[Area] = []
    visiting: set[str] = set()

    def visit(area: Area) -> None:
        if area in order:
            return
        if area.name in visiting:
            raise EmulatorError(f"seed order has a cycle through {area.name}")
        visiting.add(area.name)
        for name in area.seed_after:
            if name not in by_name:
                raise EmulatorError(f"area {area.name} seeds after unknown area {name}")
            visit(by_name[name])
        visiting.discard(area.name)
        order.append(area)

    for area in areas:
        visit(area)
    return order
