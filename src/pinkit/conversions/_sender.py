"""The bulk sender's core: batching, retries, limits, rejects and the checkpoint.

It knows nothing of where events come from (any iterable) or of a client: it is given a
``post`` function that sends one encoded batch as a flow (``client.conversions`` gives one that
goes through the client's auth, limits and error mapping), a clock, and optionally a shared
``SendLimiter``. Its configuration, ``SenderConfig``, is plain data that pickles, so a driver can
ship it to worker processes or Spark executors, each of which builds its own client and sender.

Accounting unit: a *chunk*, a contiguous range of input positions holding at most one batch of
valid events (sent as one request, or two when it mixes offline and other events: offline
events are never retried after a failure that may have been processed, so they travel apart).
A chunk is finished when every event in it is delivered or in the rejects sink; only then does
the checkpoint count it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

try:  # optional: the extra pinkit[fast]
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

from .._base import backoff
from .._capi import HASHED_FIELDS, MAX_EVENT_AGE_S, TEST_BATCH_PROCESSED
from .._flow import Blocking, Concurrently, Flow, Sleep
from .._ratelimit import Limit, LocalRateLimiter, observe_flow, reserve_flow
from .._validate import check_id
from ..errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    InternalServerError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from ._event import (
    ConversionEvent,
    EventPreparer,
    InvalidMode,
    Prepared,
    UnreadableEvent,
    max_batch,
)
from ._normalize import HashMode, MaidCase, ZipLetters
from ._results import BulkSummary, event_results
from ._sinks import Checkpoint, JsonlRejects, ListRejects, RejectSink

__all__ = ["BulkSender", "Post", "SendLimiter", "SenderConfig"]

log = logging.getLogger("pinkit")

#: ``post(body, test, repeatable)``: send one encoded batch (``repeatable``: whether the
#: client may resend it itself after a 5xx), return Pinterest's answer
#: (``{num_events_received, num_events_processed, events}``; a 422 with per-event details is
#: given in the same shape) or raise the API error.
Post = Callable[[bytes, bool, bool], Flow[Mapping[str, Any]]]

TEST_REQUESTS_PER_S = 10  # "Test requests have a rate limit of 10 per app per second."
OFFLINE_NOT_RETRIED = (
    "offline events are never deduplicated by Pinterest, so a batch that may have been "
    "processed is not sent again; check whether it arrived before resending it"
)
RESUMED_IN_FLIGHT = (
    "was being sent when an earlier run stopped, and "
    + OFFLINE_NOT_RETRIED.split(", so")[0]
    + ": not sent again; check whether it arrived before resending it"
)


class SendLimiter(Protocol):
    """A rate limiter the sender asks before each request: any ``pinkit.RateLimiter``
    (``LocalRateLimiter`` in-process, ``RedisRateLimiter`` shared by several processes), or any
    object with these two methods (under ``AsyncClient`` they run in a worker thread unless it
    also has ``areserve``/``aobserve``). Keys are ``(scope, category, *ids)``."""

    def reserve(self, keys: list[tuple[str, ...]]) -> float:
        """Take one slot of each key's bucket; seconds to wait before sending."""
        ...

    def observe(
        self, key: tuple[str, ...], headers: Mapping[str, str], *, limited: bool, wait: float
    ) -> None:
        """Learn from an answer (a 429 blocks the bucket for ``wait`` seconds)."""
        ...


@dataclass(frozen=True)
class SenderConfig:
    """How a bulk send runs: plain data, picklable (ship it to workers).

    ``batch_size``: events per request, at most the spec's 1,000 (20 in test mode, since a test
    batch has only its first 20 events processed). ``concurrency``: requests in flight.
    ``max_retries``: how often a batch is sent again after a 429, a 5xx or a lost answer
    (never for offline events after an answer that may have come from a processed batch).
    The other options are ``EventPreparer``'s and ``hash_user_data``'s.
    """

    ad_account_id: str
    test: bool = False
    batch_size: int | None = None
    concurrency: int = 4
    max_retries: int = 5
    hash: HashMode = "auto"
    on_invalid_field: InvalidMode = "reject"
    allow_unknown_event_name: bool = False
    max_event_age_s: float = MAX_EVENT_AGE_S
    maid_case: MaidCase = "lower"
    zip_letters: ZipLetters = "keep"

    def __post_init__(self) -> None:
        check_id("ad_account_id", self.ad_account_id)
        limit = max_batch()
        if self.batch_size is not None and not 1 <= self.batch_size <= limit:
            raise InvalidInputError(f"batch_size must be from 1 to {limit}")
        if self.concurrency < 1:
            raise InvalidInputError("concurrency must be >= 1")
        if self.max_retries < 0:
            raise InvalidInputError("max_retries must be >= 0")
        self.preparer()  # the options are checked now, not in the middle of a stream

    @property
    def events_per_request(self) -> int:
        size = self.batch_size or max_batch()
        return min(size, TEST_BATCH_PROCESSED) if self.test else size

    def preparer(self) -> EventPreparer:
        return EventPreparer(
            hash=self.hash,
            on_invalid_field=self.on_invalid_field,
            allow_unknown_event_name=self.allow_unknown_event_name,
            max_event_age_s=self.max_event_age_s,
            maid_case=self.maid_case,
            zip_letters=self.zip_letters,
        )


def encode_batch(events: list[dict[str, Any]]) -> bytes:
    """The request body of a batch (compact UTF-8 JSON): with orjson when it is installed
    (``pinkit[fast]``, about 15 times faster), else the standard library's encoder (also for
    anything orjson refuses, such as an integer beyond 64 bits)."""
    return _BODY_START + _encode(events)[1:-1] + _BODY_END


_BODY_START, _BODY_END = b'{"data":[', b"]}"


def _encode(value: list[dict[str, Any]]) -> bytes:
    """``value`` as compact UTF-8 JSON."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _decode(body: bytes) -> list[dict[str, Any]]:
    """The events of a body ``encode_batch`` made. Only for the rare answer that needs them,
    so with the standard library, which reads back any integer exactly (orjson makes one
    beyond 64 bits a float)."""
    events: list[dict[str, Any]] = json.loads(body)["data"]
    return events


def _as_json(event: Any) -> Any:
    if isinstance(event, ConversionEvent):
        return event.to_dict()
    if isinstance(event, UnreadableEvent):
        return event.raw
    if isinstance(event, Mapping):
        return dict(event)
    return repr(event)


#: Events a part encodes at a time. A batch kept as dicts until it is sent holds thousands of
#: containers; they outlive the collector's young generations and trigger full collections
#: (about a seventh of the sender's time). Encoded in runs this short, they die young.
ENCODE_RUN = 50


class EncodedPart:
    """The events of one request, kept encoded: ``body()`` is what is sent, ``events()``
    decodes them again for the rare answer that needs them one by one."""

    __slots__ = ("_pieces", "_run", "indexes", "offline")

    def __init__(self, offline: bool) -> None:
        self.offline = offline
        self.indexes: list[int] = []
        self._pieces: list[memoryview] = []  # runs of encoded events, without their brackets
        self._run: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.indexes)

    def add(self, index: int, event: dict[str, Any]) -> None:
        self.indexes.append(index)
        run = self._run
        run.append(event)
        if len(run) >= ENCODE_RUN:
            self._flush()

    def _flush(self) -> None:
        self._pieces.append(memoryview(_encode(self._run))[1:-1])
        self._run = []

    def body(self) -> bytes:
        """The request body, copied once from the runs (it is up to a megabyte)."""
        if self._run:
            self._flush()
        parts: list[bytes | memoryview] = [_BODY_START]
        for piece in self._pieces:
            if len(parts) > 1:
                parts.append(b",")
            parts.append(piece)
        parts.append(_BODY_END)
        return b"".join(parts)

    def events(self) -> list[dict[str, Any]]:
        return _decode(self.body()) if self.indexes else []

    def clear(self) -> None:
        self.indexes, self._pieces, self._run = [], [], []


@dataclass
class _Chunk:
    seq: int
    start: int
    end: int = -1
    online: EncodedPart = field(default_factory=lambda: EncodedPart(False))
    offline: EncodedPart = field(default_factory=lambda: EncodedPart(True))
    rejects: list[dict[str, Any]] = field(default_factory=list)
    received: int = 0
    processed: int = 0
    retried: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    masks: Counter[tuple[int, int]] = field(default_factory=Counter)
    done: bool = False

    @property
    def size(self) -> int:
        return len(self.online) + len(self.offline)

    def add(self, index: int, prepared: Prepared) -> None:
        part = self.offline if prepared.offline else self.online
        part.add(index, prepared.event)
        if prepared.hashed_mask or prepared.raw_mask:
            self.masks[prepared.hashed_mask, prepared.raw_mask] += 1
        for warning in prepared.warnings:
            self.warnings[warning] += 1

    def reject(self, index: int, kind: str, reason: str, event: Any) -> None:
        self.rejects.append({"index": index, "kind": kind, "reason": reason, "event": event})


Range = tuple[int, int]


def _merge(ranges: Iterable[Range]) -> list[Range]:
    out: list[Range] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _clip(ranges: Iterable[Range], low: int) -> list[Range]:
    return [(max(a, low), b) for a, b in ranges if b > low]


def _subtract(ranges: Iterable[Range], minus: list[Range]) -> list[Range]:
    out: list[Range] = []
    for start, end in ranges:
        pieces = [(start, end)]
        for m_start, m_end in minus:
            pieces = [
                piece
                for a, b in pieces
                for piece in ((a, min(b, m_start)), (max(a, m_end), b))
                if piece[1] > piece[0]
            ]
        out += pieces
    return _merge(out)


class _Cursor:
    """Whether increasing positions fall in sorted ranges (not empty)."""

    def __init__(self, ranges: list[Range]) -> None:
        self._ranges = ranges
        self._at = 0

    def __contains__(self, index: int) -> bool:
        ranges = self._ranges
        while self._at < len(ranges) and ranges[self._at][1] <= index:
            self._at += 1
        return self._at < len(ranges) and ranges[self._at][0] <= index


class BulkSender:
    """Sends a stream of events in batches; ``run(events)`` is the flow, its result the
    ``BulkSummary``.

    ``post`` sends one encoded batch (see ``Post``); ``now`` is the clock events are checked
    against and waits are paced on. ``limiter`` (optional) is asked before every request, on
    top of the client's own limits: pass one shared by every worker sending to the same ad
    account. ``rejects`` takes what did not arrive (a ``RejectSink``; None keeps them in
    ``BulkSummary.rejects``). ``checkpoint`` makes the run resumable (it needs a
    ``JsonlRejects`` sink, so that no reject is lost with the process).
    """

    def __init__(
        self,
        config: SenderConfig,
        post: Post,
        *,
        now: Callable[[], float],
        limiter: SendLimiter | None = None,
        rejects: RejectSink | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        if checkpoint is not None and not isinstance(rejects, JsonlRejects):
            raise InvalidInputError(
                "a checkpoint needs rejects= to be a file path, so that no reject is lost "
                "if the run stops"
            )
        self.config = config
        self._post = post
        self._now = now
        self._limiter = limiter
        self._pacer = (
            LocalRateLimiter({"conversions_test": Limit(TEST_REQUESTS_PER_S, 1.0)}, clock=now)
            if config.test
            else None
        )
        self._memory = ListRejects() if rejects is None else None
        self._sink: RejectSink = self._memory if self._memory is not None else rejects  # type: ignore[assignment]
        self._checkpoint = checkpoint
        self._lock = threading.Lock()
        self._summary = BulkSummary(test=config.test)
        self._pending: dict[int, _Chunk] = {}
        self._next_index = 0
        self._read_pos = 0
        self._old_done: list[Range] = []
        self._old_in_flight: list[Range] = []
        self._received_before = 0

    # -- the run -------------------------------------------------------------------------------
    def run(self, events: Iterable[Any]) -> Flow[BulkSummary]:
        started = time.perf_counter()  # wall time for the report only: no decision reads it
        if self._checkpoint is not None:
            yield Blocking(self._resume)
        try:
            yield Concurrently(self._chunk_flows(iter(events)), self.config.concurrency)
        except Exception:
            yield Blocking(self._close)
            raise
        yield Blocking(self._complete)
        summary = self._summary
        summary.elapsed_s = time.perf_counter() - started
        read = summary.received - self._received_before
        summary.events_per_s = read / summary.elapsed_s if summary.elapsed_s > 0 else 0.0
        for name, counts in summary.hashing.items():
            if counts["hashed"] and counts["raw"]:
                text = (
                    f"user_data.{name} came hashed in some events and raw in others: usually a "
                    "pipeline bug (hashed twice, or hashed without normalising)"
                )
                summary.warnings[text] = min(counts["hashed"], counts["raw"])
        if self._memory is not None:
            summary.rejects = self._memory.items
        if summary.total_rejected or summary.mixed_hashing:
            log.warning(
                "conversions: %d of %d events not delivered (%s)%s",
                summary.total_rejected,
                summary.received,
                ", ".join(f"{n} {kind}" for kind, n in summary.rejected.items() if n) or "none",
                "; mixed hashing in " + ", ".join(summary.mixed_hashing)
                if summary.mixed_hashing
                else "",
            )
        return summary

    def _chunk_flows(self, events: Iterator[Any]) -> Iterator[Flow[None]]:
        config = self.config
        preparer = config.preparer()
        size = config.events_per_request
        resume_at = self._next_index
        done = _Cursor(self._old_done) if self._old_done else ()
        in_flight = _Cursor(self._old_in_flight) if self._old_in_flight else ()
        seq = 0
        chunk = _Chunk(seq, resume_at)
        now = self._now()
        prepare = preparer.prepare
        index = -1
        added = rejected = 0  # chunk.size and len(chunk.rejects), counted here
        for index, event in enumerate(events):
            if index < resume_at or (done and index in done):
                continue
            chunk.received += 1
            try:
                prepared = prepare(event, now)
            except InvalidInputError as exc:
                chunk.reject(index, "invalid", str(exc), _as_json(event))
                rejected += 1
            else:
                if in_flight and prepared.offline and index in in_flight:
                    chunk.reject(index, "undeliverable", RESUMED_IN_FLIGHT, prepared.event)
                    rejected += 1
                else:
                    chunk.add(index, prepared)
                    added += 1
            if added >= size or rejected >= size:
                chunk.end = index + 1
                yield self._register(chunk)
                seq += 1
                chunk = _Chunk(seq, index + 1)
                added = rejected = 0
                now = self._now()
        chunk.end = max(index + 1, chunk.start)
        if chunk.end > chunk.start:
            yield self._register(chunk)

    def _register(self, chunk: _Chunk) -> Flow[None]:
        with self._lock:
            self._pending[chunk.seq] = chunk
            self._read_pos = chunk.end
        return self._chunk_flow(chunk)

    def _chunk_flow(self, chunk: _Chunk) -> Flow[None]:
        if self._checkpoint is not None:
            yield Blocking(self._save)  # the chunk is in flight before any byte is sent
        for part in (chunk.online, chunk.offline):
            if part:
                yield from self._send_part(chunk, part)
        yield Blocking(partial(self._finish, chunk))

    # -- one request ---------------------------------------------------------------------------
    def _reserve(self) -> Flow[float]:
        wait = 0.0
        if self._limiter is not None:
            key = ("pinkit", "ads_conversions", self.config.ad_account_id)
            wait = yield from reserve_flow(self._limiter, [key])
        if self._pacer is not None:
            wait = max(wait, self._pacer.reserve([("pinkit", "conversions_test")]))
        return wait

    def _send_part(self, chunk: _Chunk, part: EncodedPart) -> Flow[None]:
        config = self.config
        body = part.body()
        attempt = 0
        while True:
            wait = yield from self._reserve()
            if wait > 0:
                yield Sleep(wait)
            try:
                # the sender decides on every resend (and counts it): never the client
                answer = yield from self._post(body, config.test, False)
            except RateLimitError as exc:  # not processed: always safe to send again
                if self._limiter is not None:
                    key = ("pinkit", "ads_conversions", config.ad_account_id)
                    yield from observe_flow(
                        self._limiter, key, exc.headers, limited=True, wait=exc.retry_after or 0.0
                    )
                if exc.spam or attempt >= config.max_retries:
                    self._reject_all(chunk, part, "undeliverable", f"rate limited: {exc}")
                    return
                attempt += 1
                chunk.retried += 1
                yield Sleep(exc.retry_after if exc.retry_after is not None else backoff(attempt))
                continue
            except (AuthenticationError, PermissionDeniedError, NotFoundError):
                raise  # a setup problem: every batch would fail the same way
            except (InternalServerError, APIConnectionError, APIResponseValidationError) as exc:
                yield from self._ambiguous(chunk, part, exc, attempt)
                if part and attempt < config.max_retries and not part.offline:
                    attempt += 1
                    chunk.retried += 1
                    continue
                return
            except APIStatusError as exc:
                if exc.status_code == 408:
                    yield from self._ambiguous(chunk, part, exc, attempt)
                    if attempt < config.max_retries and not part.offline:
                        attempt += 1
                        chunk.retried += 1
                        continue
                    return
                self._reject_all(chunk, part, "refused", str(exc))
                return
            self._count_answer(chunk, part, answer)
            return

    @staticmethod
    def _count_answer(chunk: _Chunk, part: EncodedPart, answer: Mapping[str, Any]) -> None:
        """Pinterest's status for each event of ``part``: processed ones counted (with their
        warnings), the others rejected as ``refused``. The usual answer (every event has a
        status) is read as it is; anything else goes through ``event_results``, which counts
        a missing status as a failure."""
        statuses = answer.get("events")
        if type(statuses) is list and len(statuses) == len(part):
            warnings: Counter[str] = Counter()
            for item in statuses:
                if type(item) is not dict or item.get("status") != "processed":
                    break
                warning = item.get("warning_message")
                if warning:
                    warnings[warning] += 1
            else:
                chunk.processed += len(statuses)
                chunk.warnings.update(warnings)
                return
        events = part.events()
        ids = [event["event_id"] for event in events]
        for result, event in zip(event_results(answer, ids, part.indexes), events, strict=True):
            if result.status == "processed":
                chunk.processed += 1
                if result.warning_message:
                    chunk.warnings[result.warning_message] += 1
            else:
                chunk.reject(result.index, "refused", result.error_message, event)

    def _ambiguous(
        self, chunk: _Chunk, part: EncodedPart, exc: Exception, attempt: int
    ) -> Flow[None]:
        """After an answer that may come from a processed batch: offline events go to the
        rejects; the others wait to be sent again, or go to the rejects after the last try."""
        if part.offline:
            self._reject_all(chunk, part, "undeliverable", f"{exc}; {OFFLINE_NOT_RETRIED}")
            return
        if attempt >= self.config.max_retries:
            self._reject_all(
                chunk, part, "undeliverable", f"not delivered after {attempt + 1} tries: {exc}"
            )
            return
        yield Sleep(backoff(attempt))

    def _reject_all(self, chunk: _Chunk, part: EncodedPart, kind: str, reason: str) -> None:
        for index, event in zip(part.indexes, part.events(), strict=True):
            chunk.reject(index, kind, reason, event)
        part.clear()

    # -- accounting (in worker threads: under the lock) -----------------------------------------
    def _finish(self, chunk: _Chunk) -> None:
        with self._lock:
            self._sink.write(chunk.rejects)
            summary = self._summary
            summary.received += chunk.received
            summary.processed += chunk.processed
            summary.retried += chunk.retried
            for reject in chunk.rejects:
                summary.rejected[reject["kind"]] = summary.rejected.get(reject["kind"], 0) + 1
            for text, count in chunk.warnings.items():
                summary.warnings[text] = summary.warnings.get(text, 0) + count
            for (hashed, raw), count in chunk.masks.items():
                for bit, name in enumerate(HASHED_FIELDS):
                    if (hashed | raw) >> bit & 1:
                        counts = summary.hashing.setdefault(name, {"hashed": 0, "raw": 0})
                        if hashed >> bit & 1:
                            counts["hashed"] += count
                        if raw >> bit & 1:
                            counts["raw"] += count
            chunk.done = True
            chunk.rejects = []
            chunk.online.clear()
            chunk.offline.clear()
            while self._pending:
                first = self._pending[min(self._pending)]
                if not first.done:
                    break
                del self._pending[first.seq]
                self._next_index = first.end
            if self._checkpoint is not None:
                self._save_locked()

    def _state(self) -> dict[str, Any]:
        pending = list(self._pending.values())
        watermark = self._next_index
        done = _merge(
            [*_clip(self._old_done, watermark), *((c.start, c.end) for c in pending if c.done)]
        )
        in_flight = _merge(
            [
                *_subtract(((c.start, c.end) for c in pending if not c.done), self._old_done),
                *_clip(self._old_in_flight, self._read_pos),
            ]
        )
        summary = self._summary
        sink = self._sink
        return {
            "ad_account_id": self.config.ad_account_id,
            "test": self.config.test,
            "next_index": watermark,
            "done": done,
            "in_flight": in_flight,
            "rejects_offset": sink.position() if isinstance(sink, JsonlRejects) else None,
            "summary": {
                "received": summary.received,
                "processed": summary.processed,
                "rejected": summary.rejected,
                "retried": summary.retried,
                "warnings": summary.warnings,
                "hashing": summary.hashing,
            },
        }

    def _save_locked(self) -> None:
        assert self._checkpoint is not None
        self._checkpoint.save(self._state())

    def _save(self) -> None:
        with self._lock:
            self._save_locked()

    def _resume(self) -> None:
        assert self._checkpoint is not None
        state = self._checkpoint.load()
        if state is None:
            return
        config = self.config
        if state.get("ad_account_id") != config.ad_account_id or bool(state.get("test")) != (
            config.test
        ):
            raise InvalidInputError(
                f"checkpoint {self._checkpoint.path} belongs to another send "
                f"(ad account {state.get('ad_account_id')}, test={state.get('test')})"
            )
        self._next_index = self._read_pos = int(state["next_index"])
        self._old_done = _merge((int(a), int(b)) for a, b in state.get("done", []))
        self._old_in_flight = _merge((int(a), int(b)) for a, b in state.get("in_flight", []))
        offset = state.get("rejects_offset")
        if isinstance(self._sink, JsonlRejects) and offset is not None:
            self._sink.truncate(int(offset))  # lines of a batch the checkpoint never counted
        counts = state.get("summary") or {}
        summary = self._summary
        summary.received = int(counts.get("received", 0))
        summary.processed = int(counts.get("processed", 0))
        summary.retried = int(counts.get("retried", 0))
        summary.rejected.update(counts.get("rejected") or {})
        summary.warnings.update(counts.get("warnings") or {})
        summary.hashing.update(counts.get("hashing") or {})
        summary.resumed_at = self._next_index
        self._received_before = summary.received

    def _complete(self) -> None:
        with self._lock:
            if self._checkpoint is not None:
                state = self._state()
                state["complete"] = True
                self._checkpoint.save(state)
            self._close_locked()

    def _close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        close = getattr(self._sink, "close", None)
        if callable(close) and not isinstance(self._sink, ListRejects):
            close()
