"""Bulk writes of any size, with a result for every input item, and dry runs.

Pinterest's bulk operations (campaigns, ad groups and ads, created or updated 1 to 30 at a
time) answer HTTP 200 with one entry per input item: the entity, or the item's exceptions (a
list of ``{code, message}`` for campaigns and ad groups, one object for ads).
``bulk_flow`` splits the input into requests of at most the spec's ``maxItems`` and maps every
answer back to its input position, so ``BatchResult.results[i]`` is about ``items[i]``.

When a request fails as a whole:

- the first one: its error is raised (nothing was applied yet that the caller could lose);
- a later one: the results so far are kept and returned; that request's items are
  ``ItemError``\\ s with ``outcome="unknown"`` (the request may or may not have been applied),
  and the items after it, never sent, ``outcome="not_sent"``.

A dry run (``DryRun``) is the list of requests a write would send, after every local check,
with nothing sent: Pinterest has no server-side validate-only mode for these operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, overload

from ._calls import Call
from ._flow import Flow
from .errors import APIResponseValidationError, APIStatusError, PinterestError

__all__ = [
    "BatchResult",
    "DryRun",
    "ItemError",
    "Outcome",
    "PlannedRequest",
    "bulk_flow",
    "finished",
    "planned",
]

T = TypeVar("T")

Outcome = Literal["refused", "invalid", "unknown", "not_sent"]
"""Why an item failed: Pinterest ``refused`` it (nothing applied); a local check found it
``invalid`` (never sent); its request failed and the outcome is ``unknown`` (it may have been
applied); or it was ``not_sent`` because an earlier request failed."""


class ItemError(PinterestError):
    """One input item of a bulk write that did not succeed.

    ``index`` is its position in the input, ``item`` the input item, ``code`` and ``message``
    Pinterest's (or, for a request that failed as a whole, the error's). ``outcome`` says
    whether anything may have been applied (see ``Outcome``); ``retry_safe`` whether sending
    the item again cannot apply it twice (always, except an unknown outcome of a create).
    ``exceptions`` holds every ``{code, message}`` Pinterest gave for the item, and ``cause``
    the exception behind a request-level failure.
    """

    def __init__(
        self,
        index: int,
        item: Any,
        code: int | None,
        message: str,
        *,
        outcome: Outcome = "refused",
        retry_safe: bool = True,
        exceptions: Sequence[Mapping[str, Any]] = (),
        cause: BaseException | None = None,
    ) -> None:
        self.index = index
        self.item = item
        self.code = code
        self.message = message
        self.outcome: Outcome = outcome
        self.retry_safe = retry_safe
        self.exceptions = list(exceptions)
        self.cause = cause
        super().__init__(self._describe())

    def _describe(self) -> str:
        code = f"[{self.code}] " if self.code is not None else ""
        return f"item {self.index}: {code}{self.message}"

    def __repr__(self) -> str:
        return (
            f"ItemError(index={self.index}, code={self.code!r}, message={self.message!r}, "
            f"outcome={self.outcome!r})"
        )

    def __reduce__(self) -> Any:
        kwargs = {
            "outcome": self.outcome,
            "retry_safe": self.retry_safe,
            "exceptions": self.exceptions,
        }
        return (_rebuild_item_error, (self.index, self.item, self.code, self.message, kwargs))


def _rebuild_item_error(
    index: int, item: Any, code: int | None, message: str, kwargs: dict[str, Any]
) -> ItemError:
    return ItemError(index, item, code, message, **kwargs)


@dataclass(frozen=True)
class BatchResult(Generic[T]):
    """The outcome of a bulk write: ``results[i]`` is the entity made from input item ``i``,
    or its ``ItemError``. ``succeeded`` and ``failed`` are the two kinds, in input order."""

    results: list[T | ItemError]

    @property
    def succeeded(self) -> list[T]:
        return [r for r in self.results if not isinstance(r, ItemError)]

    @property
    def failed(self) -> list[ItemError]:
        return [r for r in self.results if isinstance(r, ItemError)]

    @property
    def ok(self) -> bool:
        """Every item succeeded."""
        return not any(isinstance(r, ItemError) for r in self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[T | ItemError]:
        return iter(self.results)

    @overload
    def __getitem__(self, index: int) -> T | ItemError: ...
    @overload
    def __getitem__(self, index: slice) -> list[T | ItemError]: ...
    def __getitem__(self, index: int | slice) -> T | ItemError | list[T | ItemError]:
        return self.results[index]

    def __repr__(self) -> str:
        return f"BatchResult({len(self.succeeded)} succeeded, {len(self.failed)} failed)"


@dataclass(frozen=True)
class PlannedRequest:
    """A request a dry run would have sent: method, path (relative to the API base URL),
    query parameters and JSON body. In a multi-step plan, values only known once an earlier
    step has run are written ``"{campaign.id}"``, ``"{ad_account.currency}"``..."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "params": self.params, "json": self.json}


@dataclass(frozen=True)
class DryRun:
    """What a write would do, with nothing sent: ``requests`` in the order they would go.
    ``failed`` lists the input items local checks refused (they would not be sent)."""

    requests: list[PlannedRequest]
    failed: list[ItemError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": [r.to_dict() for r in self.requests],
            "failed": [
                {"index": e.index, "item": e.item, "message": e.message} for e in self.failed
            ],
        }


def finished(value: T) -> Flow[T]:
    """A flow that sends nothing and returns ``value`` (a dry run)."""
    return value
    yield  # a generator, so that the clients run it like any flow


def planned(call: Call[Any]) -> PlannedRequest:
    params = {k: v for k, v in (call.params or {}).items() if v is not None}
    return PlannedRequest(call.method, call.path, params or None, call.json)


# -- answers ------------------------------------------------------------------------------------
def bulk_entries(body: Any) -> list[Any]:
    """The ``items`` of a bulk answer (parse step of the bulk ``Call``)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise ValueError("a bulk answer is an object with an items array")
    return list(body["items"])


def _problems(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An entry's exceptions as a list, whichever shape Pinterest used (list or object)."""
    raw = entry.get("exceptions")
    if isinstance(raw, Mapping):
        return [raw] if raw else []
    if isinstance(raw, list):
        return [p for p in raw if isinstance(p, Mapping)]
    return []


def _entry_result(
    entry: Any, index: int, item: Any, parse: Callable[[Any], T], *, update: bool
) -> T | ItemError:
    if not isinstance(entry, Mapping):
        return ItemError(
            index,
            item,
            None,
            f"unexpected answer for the item: {entry!r}",
            outcome="unknown",
            retry_safe=update,
        )
    problems = _problems(entry)
    if problems:
        first = problems[0]
        code = first.get("code")
        messages = [str(p.get("message") or "") for p in problems]
        message = "; ".join(m for m in messages if m) or "refused by Pinterest"
        return ItemError(
            index,
            item,
            code if isinstance(code, int) and not isinstance(code, bool) else None,
            message,
            exceptions=problems,
        )
    data = entry.get("data")
    if not isinstance(data, Mapping):
        return ItemError(
            index,
            item,
            None,
            "Pinterest answered the item without the entity or an exception",
            outcome="unknown",
            retry_safe=update,
        )
    try:
        return parse(data)
    except ValueError as exc:
        return ItemError(
            index,
            item,
            None,
            f"unexpected entity in the answer: {exc}",
            outcome="unknown",
            retry_safe=update,
            cause=exc,
        )


def _request_failure(
    error: PinterestError,
    chunk: Sequence[tuple[int, Any]],
    *,
    update: bool,
) -> list[ItemError]:
    """The items of a request that failed as a whole: outcome unknown."""
    code = error.code if isinstance(error, APIStatusError) else None
    what = "the request carrying this item failed"
    applied = "; it may or may not have been applied" + (
        " (an update: safe to send again)" if update else " (check before sending it again)"
    )
    return [
        ItemError(
            index,
            item,
            code,
            f"{what}: {error}{applied}",
            outcome="unknown",
            retry_safe=update,
            cause=error,
        )
        for index, item in chunk
    ]


def _not_sent(error: PinterestError, rest: Sequence[tuple[int, Any]]) -> list[ItemError]:
    return [
        ItemError(
            index,
            item,
            None,
            f"not sent: an earlier request failed ({error})",
            outcome="not_sent",
            cause=error,
        )
        for index, item in rest
    ]


def bulk_flow(
    send: Callable[[Call[list[Any]]], Flow[list[Any]]],
    make_call: Callable[[list[Any]], Call[list[Any]]],
    items: Sequence[Any],
    invalid: Mapping[int, ItemError],
    chunk_size: int,
    parse: Callable[[Any], T],
    *,
    update: bool,
) -> Flow[BatchResult[T]]:
    """Send ``items`` (all but the ``invalid`` ones, already refused locally) ``chunk_size``
    at a time through ``send`` and return a result for every item, in input order."""
    results: list[T | ItemError | None] = [invalid.get(i) for i in range(len(items))]
    pending = [(i, item) for i, item in enumerate(items) if i not in invalid]
    chunks = [pending[k : k + chunk_size] for k in range(0, len(pending), chunk_size)]
    for number, chunk in enumerate(chunks):
        call = make_call([item for _, item in chunk])
        try:
            entries = yield from send(call)
            if len(entries) != len(chunk):
                raise APIResponseValidationError(
                    f"Pinterest answered {len(entries)} items for the {len(chunk)} sent",
                    status_code=200,
                )
        except PinterestError as error:
            if number == 0:
                raise
            failures = [*_request_failure(error, chunk, update=update)]
            failures += _not_sent(error, [p for later in chunks[number + 1 :] for p in later])
            for failure in failures:
                results[failure.index] = failure
            break
        for (index, item), entry in zip(chunk, entries, strict=True):
            results[index] = _entry_result(entry, index, item, parse, update=update)
    done: list[T | ItemError] = []
    for result in results:
        assert result is not None
        done.append(result)
    return BatchResult(done)
