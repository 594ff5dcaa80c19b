"""What every ads-side area shares: the ad account a call is about, and (for campaigns, ad
groups and ads) lists with the spec's filters, bulk writes of any size and status changes.

The ad account of a call is its ``ad_account_id`` argument, else the client's
(``Client(ad_account_id=...)``, else ``PINTEREST_AD_ACCOUNT_ID``); ``AdAccountResource`` is
the base of every resource that takes one (ads, and later audiences, conversions, analytics).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .. import _adrules
from .._batch import BatchResult, DryRun, ItemError, bulk_entries, bulk_flow, finished, planned
from .._calls import Call, PageCall
from .._flow import Flow
from .._resource import M, Resource
from .._validate import check_path_id
from ..errors import InvalidInputError
from ..models import PinterestModel

__all__ = [
    "NO_AD_ACCOUNT",
    "AdAccountResource",
    "EntityKind",
    "EntityResource",
    "bulk_call",
    "item_problem",
    "require",
    "write_one_flow",
]

E = TypeVar("E", bound=PinterestModel)

NO_AD_ACCOUNT = (
    "no ad account: pass ad_account_id, create the client with Client(ad_account_id=...), "
    "or set PINTEREST_AD_ACCOUNT_ID"
)
#: Query parameters of a list that are the pager's, not filters.
PAGER_PARAMS = frozenset({"bookmark", "page_size"})


def require(name: str, value: Any) -> Any:
    """``value``, which the signature only lets be None so that the ad account can come
    first and be left out."""
    if value is None:
        raise InvalidInputError(f"{name} is required")
    return value


class AdAccountResource(Resource[M]):
    """A resource whose operations belong to an ad account."""

    def _account(self, ad_account_id: str | None) -> str:
        """The call's ad account, checked against the spec's ``ad_account_id`` pattern."""
        account = ad_account_id if ad_account_id is not None else self._client.ad_account_id
        if account is None or account == "":
            raise InvalidInputError(NO_AD_ACCOUNT)
        return check_path_id("ad_accounts/get", "ad_account_id", account)


@dataclass(frozen=True)
class EntityKind(Generic[E]):
    """One of campaigns, ad groups and ads: its operations, path and model."""

    name: str
    """In messages: ``campaign``, ``ad group``, ``ad``."""
    area: str
    """The operationId prefix and the path segment: ``campaigns``, ``ad_groups``, ``ads``."""
    id_param: str
    model: type[E]
    account_in_items: bool = False
    """Its create and update items carry ``ad_account_id`` (campaigns)."""

    def op(self, action: str) -> str:
        return f"{self.area}/{action}"

    def path(self, account: str, entity_id: str | None = None) -> str:
        base = f"/ad_accounts/{account}/{self.area}"
        return base if entity_id is None else f"{base}/{entity_id}"

    def max_items(self, update: bool) -> int:
        """The most items one request may carry (the spec's ``maxItems``, 30)."""
        from .._constraints import field

        limit = field(self.op("update" if update else "create"), "").max_items
        assert limit is not None
        return int(limit)


# -- lists ----------------------------------------------------------------------------------------
def _query_values(name: str, value: Any, array: bool) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int):
        values: Iterable[Any] = [value]
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        values = list(value)
        if not array:
            raise InvalidInputError(f"{name} takes one value, got {value!r}")
    else:
        raise InvalidInputError(f"{name} must be a string or a list of strings, got {value!r}")
    out: list[str] = []
    for item in values:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise InvalidInputError(f"{name} values must be strings, got {item!r}")
        out.append(str(item))
    return out


def list_params(
    operation_id: str,
    account: str,
    filters: Mapping[str, Any],
    include_archived: bool,
) -> dict[str, Any]:
    """The query of a ``*/list`` call from ``filters``, checked against the operation's query
    parameters in the spec (names, types, enums, patterns, counts)."""
    from .._constraints import check_params, params

    spec = {p.path: p for p in params(operation_id) if p.location == "query"}
    allowed = [name for name in spec if name not in PAGER_PARAMS]
    unknown = [name for name in filters if name not in allowed]
    if unknown:
        raise InvalidInputError(
            f"unknown filter {unknown[0]!r} for {operation_id}: the filters are "
            f"{', '.join(allowed)} (and include_archived)"
        )
    query: dict[str, list[str]] = {}
    for name, value in filters.items():
        if value is not None:
            query[name] = _query_values(name, value, spec[name].type == "array")
    if include_archived:
        statuses = query.get("entity_statuses") or [
            str(s) for s in spec["entity_statuses"].default or ()
        ]
        query["entity_statuses"] = [
            *statuses,
            *(["ARCHIVED"] if "ARCHIVED" not in statuses else []),
        ]
    problems = check_params(operation_id, {"ad_account_id": account}, query)
    if problems:
        raise InvalidInputError(str(problems[0]))
    problem = _adrules.exclusive_filters_problem(operation_id, query)
    if problem is not None:
        raise InvalidInputError(problem)
    return {
        name: values if spec[name].type == "array" else values[0] for name, values in query.items()
    }


# -- bulk writes ----------------------------------------------------------------------------------
def item_problem(
    kind: EntityKind[Any], operation_id: str, item: dict[str, Any], update: bool
) -> str | None:
    """What local checks find wrong with one create or update item (None: nothing)."""
    from .._constraints import DIGIT_PATTERNS, check_body, field

    problems = check_body(operation_id, [item])
    if problems:
        problem = problems[0]
        path = problem.path.removeprefix("[0]").removeprefix(".")
        top = path.split(".")[0].split("[")[0]
        text = f"{path or 'item'} {problem.message}"
        if top in item and problem.keyword in ("pattern", "enum", "type", "maxLength"):
            try:
                pattern = field(operation_id, f"[].{top}").pattern
            except LookupError:
                pattern = None
            if problem.keyword == "pattern" and pattern not in DIGIT_PATTERNS:
                text = f"{path} must match {pattern}"
            text += f", got {item[top]!r}"
        return text
    if update and not set(item) - {"id", "ad_account_id"}:
        return "nothing to update: the item has only its id"
    checks = [_adrules.schedule_problem(item)]
    if kind.area == "campaigns":
        checks.append(_adrules.spend_cap_problem(item, partial=update))
    elif kind.area == "ad_groups":
        checks.append(_adrules.budget_problem(item, partial=update))
    return next((c for c in checks if c is not None), None)


def prepare_items(
    kind: EntityKind[Any], account: str, items: Any, *, update: bool
) -> tuple[list[Any], dict[int, ItemError]]:
    """The items to send (campaigns get the ``ad_account_id`` they need) and the ones local
    checks refuse, by input position."""
    if isinstance(items, Mapping | str | bytes) or not isinstance(items, Iterable):
        raise InvalidInputError(
            f"items must be a list of {kind.name} objects (dicts); for one, use "
            f"{'update' if update else 'create'}_one"
        )
    operation_id = kind.op("update" if update else "create")
    prepared: list[Any] = []
    invalid: dict[int, ItemError] = {}
    for index, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            prepared.append(raw)
            invalid[index] = _invalid(index, raw, f"a {kind.name} item is an object of fields")
            continue
        item = dict(raw)
        if kind.account_in_items:
            given = item.setdefault("ad_account_id", account)
            if given != account:
                prepared.append(item)
                invalid[index] = _invalid(
                    index,
                    item,
                    f"ad_account_id {given!r} is not the ad account written to, {account}",
                )
                continue
        prepared.append(item)
        problem = item_problem(kind, operation_id, item, update)
        if problem is not None:
            invalid[index] = _invalid(index, item, problem)
    if not prepared:
        raise InvalidInputError(
            f"no {kind.name} to {'update' if update else 'create'}: items is empty"
        )
    return prepared, invalid


def bulk_call(
    kind: EntityKind[Any], account: str, *, update: bool
) -> Callable[[list[Any]], Call[list[Any]]]:
    """How a chunk of items becomes a request (POST to create, PATCH to update)."""
    path = kind.path(account)
    method = "PATCH" if update else "POST"

    def make(chunk: list[Any]) -> Call[list[Any]]:
        return Call(method, path, json=chunk, parse=bulk_entries)

    return make


def write_one_flow(
    send: Callable[[Call[list[Any]]], Flow[list[Any]]],
    kind: EntityKind[E],
    account: str,
    item: Mapping[str, Any],
    *,
    update: bool,
) -> Flow[E]:
    """One item, already checked, sent alone: the entity, or its ``ItemError`` raised."""
    make = bulk_call(kind, account, update=update)
    result = yield from bulk_flow(
        send, make, [dict(item)], {}, 1, kind.model.model_validate, update=update
    )
    entity = result.results[0]
    if isinstance(entity, ItemError):
        raise entity
    return entity


def _invalid(index: int, item: Any, message: str) -> ItemError:
    return ItemError(
        index, item, None, message, outcome="invalid", cause=InvalidInputError(message)
    )


class EntityResource(AdAccountResource[M], Generic[M, E]):
    """Campaigns, ad groups or ads: what the three share, each with its ``KIND``."""

    KIND: EntityKind[E]

    def _list_call(
        self,
        ad_account_id: str | None,
        include_archived: bool,
        page_size: int | None,
        max_items: int | None,
        filters: Mapping[str, Any],
    ) -> PageCall[E]:
        kind = self.KIND
        account = self._account(ad_account_id)
        query = list_params(kind.op("list"), account, filters, include_archived)
        return PageCall(kind.path(account), query, page_size, max_items, item=kind.model)

    def _get_call(self, ad_account_id: str | None, entity_id: str | None) -> Call[E]:
        kind = self.KIND
        account = self._account(ad_account_id)
        entity = check_path_id(kind.op("get"), kind.id_param, require(kind.id_param, entity_id))
        return Call("GET", kind.path(account, entity), parse=kind.model.model_validate)

    def _write(
        self, ad_account_id: str | None, items: Any, *, update: bool, dry_run: bool
    ) -> Flow[BatchResult[E] | DryRun]:
        """Check every item, then (unless ``dry_run``) send them in chunks."""
        kind = self.KIND
        account = self._account(ad_account_id)
        prepared, invalid = prepare_items(kind, account, items, update=update)
        size = kind.max_items(update)
        make = bulk_call(kind, account, update=update)
        if dry_run:
            valid = [item for i, item in enumerate(prepared) if i not in invalid]
            requests = [planned(make(valid[k : k + size])) for k in range(0, len(valid), size)]
            return finished(DryRun(requests, [invalid[i] for i in sorted(invalid)]))
        return bulk_flow(
            self._call, make, prepared, invalid, size, kind.model.model_validate, update=update
        )

    def _write_one(
        self, ad_account_id: str | None, item: Any, *, update: bool, dry_run: bool
    ) -> Flow[E | DryRun]:
        """One item: local problems raise ``InvalidInputError``, Pinterest's its ``ItemError``."""
        if not isinstance(item, Mapping):
            raise InvalidInputError(
                f"item must be a {self.KIND.name} object (a dict), got {item!r}"
            )
        kind = self.KIND
        account = self._account(ad_account_id)
        prepared, invalid = prepare_items(kind, account, [item], update=update)
        if invalid:
            raise InvalidInputError(invalid[0].message)
        if dry_run:
            return finished(DryRun([planned(bulk_call(kind, account, update=update)(prepared))]))
        return write_one_flow(self._call, kind, account, prepared[0], update=update)

    def _set_status(
        self, ad_account_id: str | None, ids: str | Sequence[str], status: str, dry_run: bool
    ) -> Flow[BatchResult[E] | DryRun]:
        if isinstance(ids, str):
            ids = [ids]
        id_list = list(require("ids", ids))
        if not id_list:
            raise InvalidInputError(f"give at least one {self.KIND.name} id")
        items = [{"id": entity_id, "status": status} for entity_id in id_list]
        return self._write(ad_account_id, items, update=True, dry_run=dry_run)
