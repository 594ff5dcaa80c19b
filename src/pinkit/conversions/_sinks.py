"""Where the bulk sender puts what it could not deliver (the rejects) and how far it got (the
checkpoint). Both are files written so that a run killed at any moment can be resumed without
losing or repeating anything: a reject line is flushed before the checkpoint that counts it,
and the checkpoint is replaced atomically."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..errors import InvalidInputError

__all__ = ["Checkpoint", "JsonlRejects", "ListRejects", "RejectSink", "open_rejects"]

CHECKPOINT_VERSION = 1


@runtime_checkable
class RejectSink(Protocol):
    """Takes the rejects of each batch: dicts ``{"index", "kind", "reason", "event"}``."""

    def write(self, rejects: Sequence[dict[str, Any]]) -> None: ...


class ListRejects:
    """Rejects kept in a list (``BulkSummary.rejects`` when no sink is given)."""

    def __init__(self, items: list[dict[str, Any]] | None = None) -> None:
        self.items: list[dict[str, Any]] = [] if items is None else items

    def write(self, rejects: Sequence[dict[str, Any]]) -> None:
        self.items.extend(rejects)


def _default(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


class JsonlRejects:
    """Rejects appended to a JSONL file, one line per event. ``position``/``truncate`` let a
    resumed run drop the lines of a batch whose checkpoint was never written."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: Any = None

    def _open(self) -> Any:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab")
        return self._file

    def write(self, rejects: Sequence[dict[str, Any]]) -> None:
        if not rejects:
            return
        lines = b"".join(
            json.dumps(r, ensure_ascii=False, default=_default).encode("utf-8") + b"\n"
            for r in rejects
        )
        file = self._open()
        file.write(lines)
        file.flush()

    def position(self) -> int:
        """Bytes in the file (everything written is flushed)."""
        if self._file is not None:
            return int(self._file.tell())
        return self.path.stat().st_size if self.path.exists() else 0

    def truncate(self, size: int) -> None:
        if self.path.exists() and self.path.stat().st_size > size:
            with self.path.open("r+b") as file:
                file.truncate(size)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def open_rejects(
    rejects: str | os.PathLike[str] | RejectSink | list[dict[str, Any]] | None,
) -> RejectSink | None:
    if rejects is None:
        return None
    if isinstance(rejects, (str, os.PathLike)):
        return JsonlRejects(rejects)
    if isinstance(rejects, list):
        return ListRejects(rejects)
    if isinstance(rejects, RejectSink):
        return rejects
    raise InvalidInputError(
        "rejects must be a path (a JSONL file), a list, or an object with write(rejects)"
    )


class Checkpoint:
    """How far a bulk send got, in a JSON file replaced atomically on every change."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            state = json.loads(text)
        except ValueError:
            raise InvalidInputError(f"checkpoint {self.path} is not a pinkit checkpoint") from None
        if not isinstance(state, dict) or state.get("version") != CHECKPOINT_VERSION:
            raise InvalidInputError(f"checkpoint {self.path} is not a pinkit checkpoint")
        return state

    def save(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"version": CHECKPOINT_VERSION, **state}), "utf-8")
        os.replace(temporary, self.path)
