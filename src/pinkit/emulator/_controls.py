"""Test controls, each declared once.

A control is a plain function of the :class:`Backend` declared with :func:`control`::

    @control("POST", "/pins/seed")
    def seed_pins(backend: Backend, count: int, board_id: str | None = None) -> str:
        '''Add ``count`` image pins to a board; returns the board's ID.'''

From that one declaration come the ``Emulator`` method (``Emulator.seed_pins = SEED_PINS.bind()``
or ``seed_pins.bind()``), the ``POST /_emulator/pins/seed`` route (its JSON body holds the
parameters by name) and the row of the controls table in docs/emulator.md. Every argument is
checked against the function's annotations before anything runs, in Python and over HTTP alike:
bad input is refused whole (``EmulatorError``, or a 400 ``{"code", "message"}``), never
half-applied.
"""

from __future__ import annotations

import inspect
import json
import math
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._errors import EmulatorError, error_response

if TYPE_CHECKING:
    from ._backend import Backend

__all__ = ["BoundControl", "Control", "control", "controls_markdown"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

Checker = Callable[[str, Any], Any]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checker(hint: Any) -> Checker:
    """A function that checks (and returns) one argument of type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [_checker(a) for a in args if a is not type(None)]
        optional = type(None) in args

        def check_union(name: str, value: Any) -> Any:
            if value is None and optional:
                return None
            errors = []
            for check in inner:
                try:
                    return check(name, value)
                except EmulatorError as err:
                    errors.append(str(err))
            raise EmulatorError(errors[0])

        return check_union
    if origin is typing.Literal:
        choices = args

        def check_literal(name: str, value: Any) -> Any:
            if value not in choices:
                listed = ", ".join(repr(c) for c in choices)
                raise EmulatorError(f"{name} must be one of {listed}, got {value!r}")
            return value

        return check_literal
    if origin in (list, Sequence, tuple):
        item = _checker(args[0]) if args else _checker(Any)

        def check_list(name: str, value: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise EmulatorError(f"{name} must be a list, got {value!r}")
            return [item(f"{name}[{n}]", v) for n, v in enumerate(value)]

        return check_list
    if origin in (dict, Mapping):
        value_check = _checker(args[1]) if len(args) == 2 else _checker(Any)

        def check_dict(name: str, value: Any) -> Any:
            if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                raise EmulatorError(f"{name} must be an object, got {value!r}")
            return {k: value_check(f"{name}.{k}", v) for k, v in value.items()}

        return check_dict
    if hint is bool:

        def check_bool(name: str, value: Any) -> Any:
            if not isinstance(value, bool):
                raise EmulatorError(f"{name} must be true or false, got {value!r}")
            return value

        return check_bool
    if hint is int:

        def check_int(name: str, value: Any) -> Any:
            if not _is_int(value):
                raise EmulatorError(f"{name} must be an integer, got {value!r}")
            return value

        return check_int
    if hint is float:

        def check_float(name: str, value: Any) -> Any:
            if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value):
                raise EmulatorError(f"{name} must be a finite number, got {value!r}")
            return float(value)

        return check_float
    if hint is str:

        def check_str(name: str, value: Any) -> Any:
            if not isinstance(value, str):
                raise EmulatorError(f"{name} must be a string, got {value!r}")
            return value

        return check_str

    def check_json(name: str, value: Any) -> Any:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise EmulatorError(f"{name} must be JSON, got {value!r}") from None
        return value

    return check_json


@dataclass(frozen=True)
class _Param:
    name: str
    check: Checker
    required: bool
    default: Any
    hint: str


class Control(Generic[P, R]):
    """One test control: a Python method on ``Emulator`` and an HTTP route under
    ``/_emulator/``, from one function."""

    def __init__(
        self,
        method: str,
        path: str,
        func: Callable[Concatenate[Backend, P], R],
        *,
        render: Callable[[R], Any] | None = None,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.func = func
        self.name = func.__name__
        self.summary = inspect.cleandoc(func.__doc__ or "").split("\n\n")[0].replace("\n", " ")
        self._render = render
        self._params: list[_Param] | None = None

    @property
    def params(self) -> list[_Param]:
        if self._params is None:
            hints = typing.get_type_hints(self.func)
            signature = inspect.signature(self.func)
            self._params = [
                _Param(
                    name=p.name,
                    check=_checker(hints.get(p.name, Any)),
                    required=p.default is inspect.Parameter.empty,
                    default=None if p.default is inspect.Parameter.empty else p.default,
                    hint=str(p.annotation),
                )
                for p in list(signature.parameters.values())[1:]
            ]
        return self._params

    def _checked(self, values: Mapping[str, Any]) -> dict[str, Any]:
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise EmulatorError(f"{self.name}: unknown field(s) {', '.join(unknown)} ({allowed})")
        checked: dict[str, Any] = {}
        for param in self.params:
            if param.name in values:
                checked[param.name] = param.check(param.name, values[param.name])
            elif param.required:
                raise EmulatorError(f"{self.name}: {param.name} is required")
        return checked

    def _from_query(self, query: Mapping[str, str]) -> dict[str, Any]:
        """A GET control's parameters from its query string: text where the parameter takes
        text, else the value read as JSON (``5``, ``true``)."""
        params = {p.name: p for p in self.params}
        values: dict[str, Any] = {}
        for name, raw in query.items():
            param = params.get(name)
            if param is None:
                values[name] = raw
                continue
            try:
                values[name] = param.check(name, raw)
            except EmulatorError:
                try:
                    values[name] = json.loads(raw)
                except ValueError:
                    values[name] = raw
        return values

    def call(self, backend: Backend, *args: Any, **kwargs: Any) -> R:
        """Run the control from Python: arguments checked first, ``EmulatorError`` if bad."""
        bound = inspect.signature(self.func).bind(backend, *args, **kwargs)
        values = dict(list(bound.arguments.items())[1:])
        return self.func(backend, **self._checked(values))  # type: ignore[call-arg]

    def to_json(self, result: R) -> Any:
        value = self._render(result) if self._render is not None else result
        if isinstance(value, list):
            return [item.as_dict() if hasattr(item, "as_dict") else item for item in value]
        return value.as_dict() if hasattr(value, "as_dict") else value

    async def endpoint(self, request: Request) -> Response:
        """The HTTP form: a JSON object of parameters in, JSON out."""
        backend: Backend = request.app.state.backend
        try:
            if self.method == "GET":
                body: Any = self._from_query(request.query_params)
            else:
                raw = await request.body()
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except (ValueError, RecursionError):
                    raise EmulatorError("the body is not valid JSON") from None
            if not isinstance(body, dict):
                raise EmulatorError("the body must be a JSON object of parameters")
            values = self._checked(body)
            result = await run_in_threadpool(lambda: self.func(backend, **values))  # type: ignore[call-arg]
        except EmulatorError as err:
            return error_response(400, f"Invalid control request: {err}", code=400)
        return JSONResponse(self.to_json(result))

    def route(self) -> Route:
        return Route(self.path, self.endpoint, methods=[self.method], name=self.name)

    def bind(self) -> BoundControl[P, R]:
        """The ``Emulator`` method for this control."""
        return BoundControl(self, None)

    def bind_as(self, convert: Callable[[Any, R], T]) -> BoundControl[P, T]:
        """The ``Emulator`` method, its result turned into a richer Python value by
        ``convert(emulator, result)`` (an ``OAuthApp`` where HTTP answers its credentials)."""
        return BoundControl(self, convert)

    def markdown_row(self) -> str:
        params = ", ".join(p.name if p.required else f"{p.name}?" for p in self.params)
        body = f"`{{{params}}}`" if params else ""
        return (
            f"| {self.method} | `/_emulator{self.path}` | `{self.name}` | {body} | {self.summary} |"
        )


class BoundControl(Generic[P, T]):
    """A control as a method of ``Emulator`` (the instance supplies ``_backend``)."""

    def __init__(self, control: Control[P, Any], convert: Callable[[Any, Any], T] | None) -> None:
        self.control = control
        self._convert = convert
        self.__doc__ = control.func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        if name != self.control.name:
            raise EmulatorError(f"control {self.control.name} bound as {name}")

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> BoundControl[P, T]: ...
    @overload
    def __get__(self, obj: object, owner: type[Any]) -> Callable[P, T]: ...
    def __get__(self, obj: object | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        control, convert = self.control, self._convert
        backend = obj._backend  # type: ignore[attr-defined]

        def method(*args: Any, **kwargs: Any) -> Any:
            result = control.call(backend, *args, **kwargs)
            return result if convert is None else convert(obj, result)

        method.__name__ = control.name
        method.__doc__ = control.func.__doc__
        method.__signature__ = _public_signature(control.func)  # type: ignore[attr-defined]
        return method


def _public_signature(func: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(func)
    return signature.replace(parameters=list(signature.parameters.values())[1:])


def control(
    method: str, path: str, *, render: Callable[[Any], Any] | None = None
) -> Callable[[Callable[Concatenate[Backend, P], R]], Control[P, R]]:
    """Declare a test control at ``METHOD /_emulator/PATH`` (see the module docstring)."""

    def declare(func: Callable[Concatenate[Backend, P], R]) -> Control[P, R]:
        return Control(method, path, func, render=render)

    return declare


def controls_markdown(controls: Sequence[Control[..., Any]]) -> str:
    """The controls table of docs/emulator.md, generated from the declarations."""
    lines = [
        "| method | path | `Emulator` method | JSON body | what it does |",
        "|---|---|---|---|---|",
    ]
    lines += [c.markdown_row() for c in controls]
    return "\n".join(lines) + "\n"
