"""What the customer-list workflows return and raise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..conversions._results import explain_conversion_token
from ..errors import APIStatusError, InvalidInputError, PermissionDeniedError, PinterestError
from ..models import CustomerList
from ._records import BadRecord

__all__ = [
    "BadRecordsError",
    "CustomerListNotReady",
    "CustomerListUploadError",
    "ProgressCallback",
    "SyncResult",
    "UploadProgress",
    "UploadResult",
    "needs_oauth",
]

Operation = Literal["ADD", "REMOVE"]


@dataclass(frozen=True)
class UploadProgress:
    """Where an upload is: ``sent`` of ``total`` records, in ``requests`` requests so far;
    ``operation`` is what the last request did (``ADD`` or ``REMOVE``)."""

    sent: int
    total: int
    requests: int
    operation: Operation


ProgressCallback = Callable[[UploadProgress], None]


@dataclass(frozen=True)
class UploadResult:
    """A finished ``create``, ``add`` or ``remove``.

    ``customer_list`` is Pinterest's answer to the last request; ``sent`` records went in
    ``requests`` requests. Of the records read, ``bad`` ones were not sent (each with its
    position and reason; only with ``on_bad="skip"``: by default a bad record stops the call
    before anything is sent), ``duplicates`` were sent once and ``blank`` ones skipped.
    """

    customer_list: CustomerList
    operation: Operation
    sent: int
    requests: int
    bad: list[BadRecord] = field(default_factory=list)
    duplicates: int = 0
    blank: int = 0

    @property
    def ok(self) -> bool:
        """Every record read was sent."""
        return not self.bad


@dataclass(frozen=True)
class SyncResult:
    """A finished ``sync``: ``added`` records sent as ADD, ``removed`` ones as REMOVE,
    ``unchanged`` ones already sent before (by the ledger) and sent nothing for.

    ``customer_list`` is Pinterest's answer to the last request (None when nothing had to be
    sent). ``bad``, ``duplicates``, ``blank`` as in ``UploadResult``.
    """

    customer_list: CustomerList | None
    added: int
    removed: int
    unchanged: int
    requests: int
    bad: list[BadRecord] = field(default_factory=list)
    duplicates: int = 0
    blank: int = 0

    @property
    def ok(self) -> bool:
        return not self.bad


class BadRecordsError(InvalidInputError):
    """Records that cannot be sent, found before anything was sent: ``bad`` lists each
    (position and reason); nothing was sent."""

    def __init__(self, bad: Sequence[BadRecord]) -> None:
        self.bad = list(bad)
        first = self.bad[0]
        more = f" (and {len(self.bad) - 1} more)" if len(self.bad) > 1 else ""
        count = f"{len(self.bad)} bad record{'s' if len(self.bad) != 1 else ''}"
        super().__init__(f"{count}: {first}{more}; nothing was sent")


class CustomerListUploadError(PinterestError):
    """A request of an upload failed after others had succeeded: ``sent`` records reached
    the list ``customer_list_id`` before ``cause`` (the failed request's error). Sending the
    same records again is safe: Pinterest counts a record added twice once."""

    def __init__(
        self, customer_list_id: str | None, operation: Operation, sent: int, cause: PinterestError
    ) -> None:
        self.customer_list_id = customer_list_id
        self.operation: Operation = operation
        self.sent = sent
        self.cause = cause
        super().__init__(
            f"{operation} to customer list {customer_list_id} stopped after {sent} records: {cause}"
        )


class CustomerListNotReady(PinterestError):
    """``wait_until_ready`` reached its deadline: ``customer_list`` is the last answer (still
    ``PROCESSING``, or another status)."""

    def __init__(self, customer_list: CustomerList, timeout: float) -> None:
        self.customer_list = customer_list
        self.status = customer_list.status
        super().__init__(
            f"customer list {customer_list.id} still {customer_list.status} after "
            f"{timeout:.0f}s (Pinterest can take up to 24 hours to match a list)"
        )


def needs_oauth(
    error: PinterestError, what: str, operation: str, scope: str, hint: str = ""
) -> PinterestError:
    """A clearer error when a conversion access token was used: ``what`` (customer lists,
    audiences) needs an OAuth login (``hint``: how to get one). Any other error as it is."""
    if not isinstance(error, APIStatusError):
        return error
    explained = explain_conversion_token(error, operation, scope)
    if explained is error:
        return error
    return PermissionDeniedError(
        f"{what} need an OAuth login: {explained.message}" + (f"; {hint}" if hint else ""),
        status_code=error.status_code,
        code=error.code,
        request_id=error.request_id,
        body=error.body,
        headers=error.headers,
        method=error.method,
        url=error.url,
    )
