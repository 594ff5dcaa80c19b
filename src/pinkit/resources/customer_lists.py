"""Customer lists: list, get, create, add and remove records in requests of 1,900, ``sync``
against a local ledger, and ``wait_until_ready``.

Records are read and checked before the first request (``pinkit.customer_lists``: normalised
and hashed as the list type requires). Customer lists need an OAuth access token with the
``ads`` scopes: a conversion access token is refused, with an error that says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .._flow import Blocking, Flow, Sleep
from .._resource import Call, M, PageCall, paginated, workflow
from .._validate import check_fields, check_path_id
from ..customer_lists._ledger import Ledger, LedgerState
from ..customer_lists._records import (
    ON_BAD,
    OnBad,
    PreparedRecords,
    check_list_type,
    prepare_file,
    prepare_records,
)
from ..customer_lists._results import (
    BadRecordsError,
    CustomerListNotReady,
    CustomerListUploadError,
    Operation,
    ProgressCallback,
    SyncResult,
    UploadProgress,
    UploadResult,
    needs_oauth,
)
from ..errors import InvalidInputError, PinterestError
from ..models import CustomerList
from ._ads import AdAccountResource, list_params, require

__all__ = ["RECORDS_PER_REQUEST", "CustomerListsAPI", "Records"]

#: Records per request by default. The spec gives no limit; Pinterest's, as its partners
#: quote it, is "1.9k users per request" (ads-conversions-research.md §3).
RECORDS_PER_REQUEST = 1_900
#: ``wait_until_ready``: first pause, longest pause, and the default deadline (Pinterest
#: takes up to 24 hours to match a list).
WAIT_FIRST_S, WAIT_MAX_S, WAIT_TIMEOUT_S = 5.0, 300.0, 86_400.0

Records = Iterable[Any] | str | os.PathLike[str]
"""Records in Python (any iterable of strings), or a file of one record per line (a path)."""

WHAT = "customer lists"
T = TypeVar("T")


def _path(account: str, list_id: str | None = None) -> str:
    base = f"/ad_accounts/{account}/customer_lists"
    return base if list_id is None else f"{base}/{list_id}"


def _list_id(operation_id: str, value: Any) -> str:
    return check_path_id(operation_id, "customer_list_id", require("customer_list_id", value))


def _chunk_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"chunk_size must be a whole number of records >= 1, got {value!r}")
    return value


def _on_bad(value: Any) -> OnBad:
    if value not in ON_BAD:
        raise InvalidInputError(f"on_bad must be 'stop' or 'skip', got {value!r}")
    return value  # type: ignore[no-any-return]


def _read_file(
    records: str | os.PathLike[str], list_type: str, column: str | None
) -> PreparedRecords:
    path = Path(records)
    if not path.is_file():
        hint = (
            " (a str is read as a file path: give records in a list)"
            if isinstance(records, str)
            else ""
        )
        raise InvalidInputError(f"records: there is no file {str(path)!r}{hint}")
    return prepare_file(path, list_type, column=column)


def prepare_flow(
    records: Any, list_type: str, on_bad: OnBad, column: str | None = None
) -> Flow[PreparedRecords]:
    """Every record read and checked: a file in a worker thread (on ``AsyncClient``), an
    iterable where it is (it may be bound to the caller's thread). With ``on_bad="stop"``,
    bad records raise ``BadRecordsError`` here, before any request."""
    if isinstance(records, str | os.PathLike):
        read = partial(_read_file, records, list_type, column)
        prepared: PreparedRecords = yield Blocking(read)
    elif column is not None:
        raise InvalidInputError("column names a column of a CSV file: give records as its path")
    elif isinstance(records, bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidInputError(
            f"records must be an iterable of strings or a file path, got {type(records).__name__}"
        )
    else:
        prepared = prepare_records(records, list_type)
    if prepared.bad and on_bad == "stop":
        raise BadRecordsError(prepared.bad)
    return prepared


def create_call(
    account: str, name: str, list_type: str, chunk: Sequence[str]
) -> Call[CustomerList]:
    body = {"name": name, "records": ",".join(chunk), "list_type": list_type}
    return Call("POST", _path(account), json=body, parse=CustomerList.model_validate)


def update_call(
    account: str, list_id: str, operation: Operation, chunk: Sequence[str]
) -> Call[CustomerList]:
    body = {"operation_type": operation, "records": ",".join(chunk)}
    return Call("PATCH", _path(account, list_id), json=body, parse=CustomerList.model_validate)


def get_call(account: str, list_id: str) -> Call[CustomerList]:
    return Call("GET", _path(account, list_id), parse=CustomerList.model_validate)


@dataclass(frozen=True)
class _Input:
    """The records of a call and how to send them, checked."""

    records: Any
    list_type: str
    column: str | None
    size: int
    on_bad: OnBad
    on_progress: ProgressCallback | None

    @classmethod
    def of(
        cls,
        records: Any,
        list_type: Any,
        column: str | None,
        chunk_size: Any,
        on_bad: Any,
        on_progress: ProgressCallback | None,
    ) -> _Input:
        return cls(
            require("records", records),
            check_list_type(list_type),
            column,
            _chunk_size(chunk_size),
            _on_bad(on_bad),
            on_progress,
        )

    def read(self, *, allow_empty: bool = False) -> Flow[PreparedRecords]:
        """Every record read and checked (see ``prepare_flow``); none to send is an error
        unless ``allow_empty``."""
        prepared = yield from prepare_flow(self.records, self.list_type, self.on_bad, self.column)
        if not prepared.values and not allow_empty:
            raise InvalidInputError("records holds no record to send")
        return prepared

    def chunks(self, values: Sequence[str]) -> list[Sequence[str]]:
        return [values[start : start + self.size] for start in range(0, len(values), self.size)]


class _Upload:
    """Chunks sent one request at a time, with progress; after the first success a failure
    is a ``CustomerListUploadError`` that says how far it got."""

    def __init__(
        self,
        resource: CustomerListsAPI[Any],
        account: str,
        total: int,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.resource = resource
        self.account = account
        self.total = total
        self.on_progress = on_progress
        self.sent = 0
        self.requests = 0
        self.last: CustomerList | None = None

    def send(
        self,
        call: Call[CustomerList],
        operation: Operation,
        count: int,
        list_id: str | None,
        operation_id: str = "customer_lists/update",
    ) -> Flow[CustomerList]:
        try:
            answer = yield from self.resource._oauth(call, operation_id)
        except PinterestError as exc:
            if self.requests == 0:
                raise
            raise CustomerListUploadError(list_id, operation, self.sent, exc) from exc
        self.sent += count
        self.requests += 1
        self.last = answer
        if self.on_progress is not None:
            self.on_progress(UploadProgress(self.sent, self.total, self.requests, operation))
        return answer


class CustomerListsAPI(AdAccountResource[M]):
    """Customer lists of an ad account: lists of e-mail addresses, device ids or partner ids
    that audiences target.

    Every method takes the ad account first: ``ad_account_id=None`` is the client's
    (``Client(ad_account_id=...)``, else ``PINTEREST_AD_ACCOUNT_ID``).

    ``records`` is any iterable of strings, or a path to a file of one record per line (or,
    with ``column``, a CSV file with a header row: the records are that column's values; a
    ``str`` is always a path). Records are normalised and
    hashed as ``list_type`` requires (``pinkit.customer_lists``): e-mail addresses lowercased,
    IDFAs upper-cased and MAIDs lower-cased, then SHA-256; digests (MD5, SHA-1, SHA-256) are
    sent as they are, and ``LR_ID``/``DLX_ID`` partner ids as given. Pinterest never says a
    list's type: ``add``, ``remove`` and ``sync`` need the one the list was made with.

    Every record is read and checked before the first request. A bad record (an address
    without ``@``, a malformed device id, a comma) is never sent: by default
    (``on_bad="stop"``) any bad record raises ``BadRecordsError`` listing each one with its
    position and reason, and nothing is sent; with ``on_bad="skip"`` the others are sent and
    the result lists the bad ones. Records go ``chunk_size`` to a request (1,900 by default,
    Pinterest's limit); ``on_progress`` gets an ``UploadProgress`` after each request.
    """

    def _oauth(self, call: Call[T], operation_id: str) -> Flow[T]:
        """``call``, with a conversion access token's refusal explained."""
        try:
            return (yield from self._call(call))
        except PinterestError as exc:
            scope = "ads:read" if call.method == "GET" else "ads:write"
            explained = needs_oauth(exc, WHAT, operation_id, scope)
            if explained is exc:
                raise
            raise explained from None

    @paginated
    def list(
        self,
        /,
        ad_account_id: str | None = None,
        *,
        order: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> PageCall[CustomerList]:
        """Every customer list of the ad account (``order``: ASCENDING or DESCENDING by id)."""
        account = self._account(ad_account_id)
        query = list_params("customer_lists/list", account, {"order": order}, False)
        return PageCall(_path(account), query, page_size, max_items, item=CustomerList)

    @workflow
    def get(
        self, ad_account_id: str | None = None, customer_list_id: str | None = None
    ) -> Flow[CustomerList]:
        """One customer list: its status and record counts (never its members)."""
        account = self._account(ad_account_id)
        list_id = _list_id("customer_lists/get", customer_list_id)
        return self._oauth(get_call(account, list_id), "customer_lists/get")

    @workflow
    def create(
        self,
        ad_account_id: str | None = None,
        name: str | None = None,
        records: Records | None = None,
        *,
        list_type: str = "EMAIL",
        column: str | None = None,
        chunk_size: int = RECORDS_PER_REQUEST,
        on_bad: OnBad = "stop",
        on_progress: ProgressCallback | None = None,
    ) -> Flow[UploadResult]:
        """Make a customer list of ``records``: created with the first ``chunk_size`` of
        them, the rest added (ADD) a request at a time. An ``UploadResult`` whose
        ``customer_list`` is the last answer (status ``PROCESSING``: ``wait_until_ready``
        waits for the match). If a request after the first fails, ``CustomerListUploadError``
        says which list was made and how many records it got. ``column``: with a path, the
        column of a CSV file (with a header row) that holds the records."""
        account = self._account(ad_account_id)
        given = _Input.of(records, list_type, column, chunk_size, on_bad, on_progress)
        fields = check_fields(
            "customer_lists/create", {"name": require("name", name), "list_type": list_type}
        )
        return self._create(account, str(fields["name"]), given)

    def _create(self, account: str, name: str, given: _Input) -> Flow[UploadResult]:
        prepared = yield from given.read()
        chunks = given.chunks(prepared.values)
        upload = _Upload(self, account, len(prepared.values), given.on_progress)
        first = create_call(account, name, given.list_type, chunks[0])
        made = yield from upload.send(first, "ADD", len(chunks[0]), None, "customer_lists/create")
        list_id = _list_id("customer_lists/update", made.id)
        for chunk in chunks[1:]:
            call = update_call(account, list_id, "ADD", chunk)
            yield from upload.send(call, "ADD", len(chunk), list_id)
        return _result(upload, "ADD", prepared)

    @workflow
    def add(
        self,
        ad_account_id: str | None = None,
        customer_list_id: str | None = None,
        records: Records | None = None,
        *,
        list_type: str = "EMAIL",
        column: str | None = None,
        chunk_size: int = RECORDS_PER_REQUEST,
        on_bad: OnBad = "stop",
        on_progress: ProgressCallback | None = None,
    ) -> Flow[UploadResult]:
        """Add ``records`` to the list (ADD requests of ``chunk_size``); an ``UploadResult``.
        Records already in the list change nothing (Pinterest counts them as uploaded)."""
        given = _Input.of(records, list_type, column, chunk_size, on_bad, on_progress)
        return self._update(ad_account_id, customer_list_id, "ADD", given)

    @workflow
    def remove(
        self,
        ad_account_id: str | None = None,
        customer_list_id: str | None = None,
        records: Records | None = None,
        *,
        list_type: str = "EMAIL",
        column: str | None = None,
        chunk_size: int = RECORDS_PER_REQUEST,
        on_bad: OnBad = "stop",
        on_progress: ProgressCallback | None = None,
    ) -> Flow[UploadResult]:
        """Remove ``records`` from the list (REMOVE requests of ``chunk_size``); an
        ``UploadResult``. Records not in the list change nothing."""
        given = _Input.of(records, list_type, column, chunk_size, on_bad, on_progress)
        return self._update(ad_account_id, customer_list_id, "REMOVE", given)

    def _update(
        self,
        ad_account_id: str | None,
        customer_list_id: str | None,
        operation: Operation,
        given: _Input,
    ) -> Flow[UploadResult]:
        account = self._account(ad_account_id)
        list_id = _list_id("customer_lists/update", customer_list_id)
        prepared = yield from given.read()
        upload = _Upload(self, account, len(prepared.values), given.on_progress)
        for chunk in given.chunks(prepared.values):
            call = update_call(account, list_id, operation, chunk)
            yield from upload.send(call, operation, len(chunk), list_id)
        return _result(upload, operation, prepared)

    @workflow
    def sync(
        self,
        ad_account_id: str | None = None,
        customer_list_id: str | None = None,
        records: Records | None = None,
        *,
        ledger: str | os.PathLike[str],
        list_type: str = "EMAIL",
        column: str | None = None,
        chunk_size: int = RECORDS_PER_REQUEST,
        on_bad: OnBad = "stop",
        on_progress: ProgressCallback | None = None,
        allow_empty: bool = False,
    ) -> Flow[SyncResult]:
        """Make the list hold exactly ``records``: ADD those not sent before, REMOVE those sent
        before and gone from ``records``. Pinterest never returns a list's members, so what
        was sent is kept in ``ledger``, a local file (made on first use; one per list): it
        holds the values sent (digests, or partner ids), never a raw address or device id, and
        is changed only after each request succeeds, so a crash never makes it claim what was
        not sent. Run twice on the same records, the second run sends nothing.

        The first sync of a list made without a ledger sends every record again (Pinterest
        takes them; a member added twice counts once). Empty ``records`` would remove every
        member: that needs ``allow_empty=True``. A ``SyncResult`` (``customer_list`` is None
        when nothing had to be sent)."""
        account = self._account(ad_account_id)
        list_id = _list_id("customer_lists/update", customer_list_id)
        given = _Input.of(records, list_type, column, chunk_size, on_bad, on_progress)
        book = Ledger(require("ledger", ledger), account, list_id, given.list_type)
        return self._sync(account, list_id, given, book, allow_empty)

    def _sync(
        self, account: str, list_id: str, given: _Input, book: Ledger, allow_empty: bool
    ) -> Flow[SyncResult]:
        prepared = yield from given.read(allow_empty=True)
        state: LedgerState = yield Blocking(book.load)
        current = prepared.values
        wanted = set(current)
        to_add = [value for value in current if value not in state.members]
        to_remove = sorted(v for v in state.members | state.uncertain if v not in wanted)
        if not current and to_remove and not allow_empty:
            raise InvalidInputError(
                f"records holds no record: the sync would remove all {len(to_remove)} members "
                "the ledger knows; pass allow_empty=True to empty the list"
            )
        upload = _Upload(self, account, len(to_add) + len(to_remove), given.on_progress)
        for chunk in given.chunks(to_add):
            yield from upload.send(
                update_call(account, list_id, "ADD", chunk), "ADD", len(chunk), list_id
            )
            yield Blocking(partial(book.added, chunk))
        for chunk in given.chunks(to_remove):
            yield Blocking(partial(book.removing, chunk))
            call = update_call(account, list_id, "REMOVE", chunk)
            yield from upload.send(call, "REMOVE", len(chunk), list_id)
            yield Blocking(partial(book.removed, chunk))
        return SyncResult(
            customer_list=upload.last,
            added=len(to_add),
            removed=len(to_remove),
            unchanged=len(current) - len(to_add),
            requests=upload.requests,
            bad=prepared.bad,
            duplicates=prepared.duplicates,
            blank=prepared.blank,
        )

    @workflow
    def wait_until_ready(
        self,
        ad_account_id: str | None = None,
        customer_list_id: str | None = None,
        *,
        timeout: float = WAIT_TIMEOUT_S,
    ) -> Flow[CustomerList]:
        """The list once Pinterest has matched it: status ``READY``, or ``TOO_SMALL`` (fewer
        than 100 records matched Pinterest users: too small to target, not an error).

        Polls with backoff (5 s, doubling to 5 minutes) on the client's clock; raises
        ``CustomerListNotReady`` (with the last answer) only when ``timeout`` seconds (24 hours
        by default, Pinterest's longest) have passed."""
        account = self._account(ad_account_id)
        list_id = _list_id("customer_lists/get", customer_list_id)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise InvalidInputError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
        return self._wait(account, list_id, float(timeout))

    def _wait(self, account: str, list_id: str, timeout: float) -> Flow[CustomerList]:
        clock = self._client.clock
        deadline = clock.now() + timeout
        delay = WAIT_FIRST_S
        while True:
            found: CustomerList = yield from self._oauth(
                get_call(account, list_id), "customer_lists/get"
            )
            if found.done:
                return found
            remaining = deadline - clock.now()
            if remaining <= 0:
                raise CustomerListNotReady(found, timeout)
            yield Sleep(min(delay, remaining))
            delay = min(delay * 2, WAIT_MAX_S)


def _result(upload: _Upload, operation: Operation, prepared: PreparedRecords) -> UploadResult:
    assert upload.last is not None
    return UploadResult(
        customer_list=upload.last,
        operation=operation,
        sent=upload.sent,
        requests=upload.requests,
        bad=prepared.bad,
        duplicates=prepared.duplicates,
        blank=prepared.blank,
    )
