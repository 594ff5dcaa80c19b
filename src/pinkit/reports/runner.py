"""The async-report workflow, written once for both clients (a sans-I/O flow).

For each window of the plan:

1. **create** the report (``POST /ad_accounts/{id}/reports``);
2. **poll** it (``GET .../reports?token=``) with backoff (2 s doubling to 30 s) on the
   client's clock, until it is not ``IN_PROGRESS``; past the run's overall deadline it raises
   ``ReportError(status="IN_PROGRESS")``;
3. on ``FINISHED``, **download** the file at once (the link lives five minutes) to a spooled
   temporary file, streamed, without the Authorization header (the link is presigned; S3
   refuses a second credential). A link refused (expired, 403) is replaced by a fresh one from
   another ``get``; network errors and 5xx are retried with backoff;
4. **parse** the rows (``pinkit.reports.parsing``), off the event loop for the async client.

``FAILED``, ``CANCELLED``, ``EXPIRED`` (the report outlived its hour before the download) and
``DOES_NOT_EXIST`` make the window's report be created again, up to ``max_attempts`` reports
per window; then ``ReportError`` with the last ``.status``.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import httpx2

from .._base import USER_AGENT, backoff, connection_error
from .._calls import Call
from .._flow import Blocking, Download, Flow, Sleep
from .._redact import redact_url
from ..errors import PinterestError
from .parsing import Row, RowShape
from .planner import Window

if TYPE_CHECKING:
    from .._resource import Resource

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_TIMEOUT_S",
    "ReportError",
    "ReportProgress",
    "ReportStatus",
    "run_windows_flow",
]

log = logging.getLogger("pinkit")

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_TIMEOUT_S = 30 * 60.0
POLL_FIRST_S = 2.0
POLL_MAX_S = 30.0
MAX_LINK_REFRESHES = 3
SPOOL_BYTES = 16 * 1024 * 1024
RECREATE = frozenset({"FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"})
_WHY = {
    "FAILED": "Pinterest could not make it",
    "CANCELLED": "it was cancelled",
    "EXPIRED": "it expired before it could be downloaded",
    "DOES_NOT_EXIST": "Pinterest does not know its token",
    "IN_PROGRESS": "it was still being made at the deadline",
}


class ReportError(PinterestError):
    """An async report that could not be had.

    ``status`` is the last ``report_status`` seen (``FAILED``, ``CANCELLED``, ``EXPIRED``,
    ``DOES_NOT_EXIST``, or ``IN_PROGRESS`` at the deadline; ``FINISHED`` when its file could
    not be downloaded), ``attempts`` how many reports were created for the window, ``window``
    its dates and ``token`` the last report's token.
    """

    def __init__(
        self,
        message: str,
        *,
        status: str | None,
        attempts: int = 0,
        window: Window | None = None,
        token: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts
        self.window = window
        self.token = token


@dataclass(frozen=True)
class ReportStatus:
    """``GET /ad_accounts/{id}/reports?token=``: ``report_status``, the download ``url``
    (FINISHED only; valid five minutes) and the file's ``size`` in bytes."""

    report_status: str | None
    url: str | None = None
    size: float | None = None

    @classmethod
    def parse(cls, body: Any) -> ReportStatus:
        body = body if isinstance(body, dict) else {}
        return cls(body.get("report_status"), body.get("url"), body.get("size"))


@dataclass(frozen=True)
class ReportProgress:
    """Where a run is: window ``window.index`` of ``window.count``, the report's ``status``
    (``CREATING``, ``IN_PROGRESS``, ``DOWNLOADING``, ``PARSING``, ``DONE``, or the status that
    made it be created again), its ``attempt`` and the seconds ``waited`` on it so far."""

    window: Window
    status: str
    attempt: int = 1
    waited: float = 0.0


ProgressCallback = Callable[[ReportProgress], None]


def create_call(ad_account_id: str, body: dict[str, Any]) -> Call[str]:
    def token_of(answer: Any) -> str:
        token = answer.get("token") if isinstance(answer, dict) else None
        if not token:
            raise ReportError(
                f"Pinterest made no report: {answer!r}",
                status=answer.get("report_status") if isinstance(answer, dict) else None,
            )
        return str(token)

    return Call("POST", f"/ad_accounts/{ad_account_id}/reports", json=body, parse=token_of)


def get_call(ad_account_id: str, token: str) -> Call[ReportStatus]:
    return Call(
        "GET",
        f"/ad_accounts/{ad_account_id}/reports",
        params={"token": token},
        parse=ReportStatus.parse,
    )


@dataclass
class _Run:
    """One run's settings and where it is."""

    resource: Resource[Any]
    ad_account_id: str
    shape: RowShape
    report_format: str
    max_attempts: int
    timeout: float
    deadline: float
    on_progress: ProgressCallback | None

    def tell(self, window: Window, status: str, attempt: int, since: float) -> None:
        if self.on_progress is not None:
            waited = self.resource._client.clock.now() - since
            self.on_progress(ReportProgress(window, status, attempt, waited))


def run_windows_flow(
    resource: Resource[Any],
    ad_account_id: str,
    windows: Sequence[Window],
    body_for: Callable[[Window], dict[str, Any]],
    shape: RowShape,
    *,
    report_format: str,
    max_attempts: int,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> Flow[tuple[list[Row], list[str]]]:
    """Every window's rows, in window order, and the report tokens."""
    clock = resource._client.clock
    run = _Run(
        resource,
        ad_account_id,
        shape,
        report_format,
        max_attempts,
        timeout,
        clock.now() + timeout,
        on_progress,
    )
    rows: list[Row] = []
    tokens: list[str] = []
    for window in windows:
        part, token = yield from _window_flow(run, window, body_for(window))
        rows.extend(part)  # concatenated: windows never overlap, nothing is summed
        tokens.append(token)
    return rows, tokens


def _window_flow(run: _Run, window: Window, body: dict[str, Any]) -> Flow[tuple[list[Row], str]]:
    clock = run.resource._client.clock
    since = clock.now()
    attempt = 0
    while True:
        attempt += 1
        run.tell(window, "CREATING", attempt, since)
        token = yield from run.resource._call(create_call(run.ad_account_id, body))
        status, url = yield from _poll_flow(run, window, token, attempt, since)
        if status == "FINISHED":
            rows = yield from _fetch_flow(run, window, token, url, attempt, since)
            if rows is not None:
                run.tell(window, "DONE", attempt, since)
                return rows, token
            status = "EXPIRED"
        if status not in RECREATE:
            raise ReportError(
                f"report {token} for {window}: Pinterest answered report_status {status!r}",
                status=status,
                attempts=attempt,
                window=window,
                token=token,
            )
        if attempt >= run.max_attempts:
            raise ReportError(
                f"the report for {window} ended {status} ({_WHY[status]}) on each of "
                f"{attempt} attempt{'s' if attempt > 1 else ''}; last token {token}",
                status=status,
                attempts=attempt,
                window=window,
                token=token,
            )
        log.info("report %s for %s ended %s; creating it again", token, window, status)
        run.tell(window, status, attempt, since)


def _out_of_time(run: _Run, window: Window, token: str, attempt: int) -> ReportError:
    return ReportError(
        f"the report for {window} was still IN_PROGRESS after the {run.timeout:.0f}s "
        f"timeout (token {token})",
        status="IN_PROGRESS",
        attempts=attempt,
        window=window,
        token=token,
    )


def _poll_flow(
    run: _Run, window: Window, token: str, attempt: int, since: float
) -> Flow[tuple[str | None, str | None]]:
    clock = run.resource._client.clock
    delay = POLL_FIRST_S
    while True:
        answer = yield from run.resource._call(get_call(run.ad_account_id, token))
        if answer.report_status != "IN_PROGRESS":
            return answer.report_status, answer.url
        remaining = run.deadline - clock.now()
        if remaining <= 0:
            raise _out_of_time(run, window, token, attempt)
        run.tell(window, "IN_PROGRESS", attempt, since)
        yield Sleep(min(delay, remaining))
        delay = min(delay * 2, POLL_MAX_S)


def _download_timeout(client: Any) -> dict[str, Any]:
    """The client's file-transfer timeout if it has one, else its per-operation timeout."""
    transfer = getattr(client, "transfer_timeout", None)
    if transfer is None:
        transfer = getattr(client, "timeout", None)
    if transfer is None:
        return httpx2.Timeout(None).as_dict()
    if not isinstance(transfer, httpx2.Timeout):
        transfer = httpx2.Timeout(float(transfer), connect=min(5.0, float(transfer)))
    return transfer.as_dict()


def _download_request(url: str, client: Any) -> httpx2.Request:
    # Built here, not by the client: no Authorization header goes to the presigned link.
    return httpx2.Request(
        "GET",
        url,
        headers={"User-Agent": USER_AGENT},
        extensions={"timeout": _download_timeout(client)},
    )


def _parse(shape: RowShape, report_format: str, fh: IO[bytes]) -> list[Row]:
    fh.seek(0)
    if report_format == "CSV":
        return shape.parse_csv(fh)
    return shape.parse_json_report(fh.read())


def _fetch_flow(
    run: _Run, window: Window, token: str, url: str | None, attempt: int, since: float
) -> Flow[list[Row] | None]:
    """The report's rows, or None when the report has expired meanwhile."""
    client = run.resource._client
    refreshes = 0
    failures = 0
    while True:
        if url is None:
            answer = yield from run.resource._call(get_call(run.ad_account_id, token))
            if answer.report_status != "FINISHED":
                return None
            url = answer.url
            refreshes += 1
            if url is None and refreshes > MAX_LINK_REFRESHES:
                raise ReportError(
                    f"report {token} for {window} is FINISHED but Pinterest gave no link",
                    status="FINISHED",
                    attempts=attempt,
                    window=window,
                    token=token,
                )
            continue
        run.tell(window, "DOWNLOADING", attempt, since)
        request = _download_request(url, client)
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        try:
            try:
                response: httpx2.Response = yield Download(request, spool.write)
            except httpx2.TransportError as exc:
                if failures >= client.retry.max_retries:
                    raise connection_error(exc, request) from None
                failures += 1
                yield Sleep(backoff(failures))
                continue
            status = response.status_code
            if status < 300:
                run.tell(window, "PARSING", attempt, since)
                rows: list[Row] = yield Blocking(
                    functools.partial(_parse, run.shape, run.report_format, spool)
                )
                return rows
        finally:
            spool.close()
        if status >= 500 or status == 429:
            if failures >= client.retry.max_retries:
                raise ReportError(
                    f"the download of report {token} failed with HTTP {status} "
                    f"({redact_url(url.split('?')[0])})",
                    status="FINISHED",
                    attempts=attempt,
                    window=window,
                    token=token,
                )
            failures += 1
            yield Sleep(backoff(failures))
            continue
        # 403 (the five-minute link expired) or 404: ask for a fresh link.
        refreshes += 1
        if refreshes > MAX_LINK_REFRESHES:
            raise ReportError(
                f"the download link of report {token} was refused {refreshes} times "
                f"(HTTP {status}: {response.text[:200]})",
                status="FINISHED",
                attempts=attempt,
                window=window,
                token=token,
            )
        log.info("report %s: download link refused (%s); asking for a fresh one", token, status)
        url = None
