"""Jobs driven by the emulator clock: video processing today; report jobs, customer-list
matching and bulk upserts use the same engine.

A job's life is a :class:`Timeline`: the statuses it reaches and the emulator times it reaches
them, fixed when the job is scheduled and stored with the job's document. The status is computed
when read, so ``clock.advance`` (or a client sleeping on the emulator clock) moves every job
along, in every process that shares the state, with no background thread. Work that must happen
once when a job ends (apply an upsert, compute a list's size) runs through :func:`settle` the
first time someone reads the job after its end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._store import Doc, Tx

__all__ = ["Timeline", "settle"]


@dataclass(frozen=True)
class Timeline:
    """``steps``: ``(at, status)`` pairs in time order; before the first, nothing has begun."""

    steps: tuple[tuple[float, str], ...]

    @classmethod
    def start(cls, status: str, at: float) -> Timeline:
        return cls(((float(at), status),))

    @classmethod
    def from_json(cls, raw: Sequence[Sequence[Any]]) -> Timeline:
        return cls(tuple((float(at), str(status)) for at, status in raw))

    def to_json(self) -> list[list[Any]]:
        return [[at, status] for at, status in self.steps]

    def then(self, status: str, *, after: float = 0.0, at: float | None = None) -> Timeline:
        """This timeline plus ``status``, reached ``after`` seconds past the last step (or at
        ``at``, never before the last step)."""
        last = self.steps[-1][0]
        moment = last + after if at is None else max(last, at)
        return Timeline((*self.steps, (moment, status)))

    def status(self, now: float) -> str:
        """The status at emulator time ``now`` (the first status before the job began)."""
        current = self.steps[0][1]
        for at, status in self.steps:
            if at > now:
                break
            current = status
        return current

    @property
    def final(self) -> str:
        return self.steps[-1][1]

    @property
    def ends_at(self) -> float:
        return self.steps[-1][0]

    def done(self, now: float) -> bool:
        return now >= self.ends_at


def settle(tx: Tx, doc: Doc, now: float, finish: Callable[[dict[str, Any]], dict[str, Any]]) -> Doc:
    """Run ``finish`` (the job's end-of-life work, returning the new data) once, the first time
    the job is seen done; returns the current document."""
    data = doc.data
    timeline = Timeline.from_json(data["timeline"])
    if data.get("settled") or not timeline.done(now):
        return doc
    settled = dict(finish(dict(data)), settled=True)
    tx.put(doc.kind, doc.id, settled, owner=doc.owner)
    updated = tx.get_doc(doc.kind, doc.id)
    assert updated is not None
    return updated
