"""What the chapters of the tour share: the console, the emulator, the folder everything is
written to, progress bars, and the time each chapter took."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

if TYPE_CHECKING:
    from .._tokens import TokenSet
    from ..emulator import Emulator

__all__ = ["DAY", "Tour"]

DAY = 86_400


class Moved(Protocol):
    """Moves a progress bar on: to ``completed``, of ``total`` when that is given."""

    def __call__(self, completed: float, total: float | None = None) -> None: ...


@dataclass
class Tour:
    """What every chapter is given, besides the client; it prints the chapter's heading
    (``chapter``), its lines (``say``, ``show``) and notes the files it writes (``wrote``)."""

    console: Console
    emulator: Emulator
    out: Path
    """The folder every file of the tour goes to."""
    files: dict[str, str] = field(default_factory=dict)
    """The files written, by name in ``out``, with what each one is."""
    refreshes: list[TokenSet] = field(default_factory=list)
    """The token sets the client saved on each refresh."""
    timings: list[tuple[str, float]] = field(default_factory=list)
    """Each chapter's short name and when it started (``time.perf_counter``)."""
    started: float = field(default_factory=time.perf_counter)

    def chapter(self, name: str, title: str) -> None:
        """Start the next chapter: its heading, and the clock of its timing."""
        self.timings.append((name, time.perf_counter()))
        self.console.print(f"\n[bold]{len(self.timings)}. {title}[/]")

    def seconds(self) -> list[tuple[str, float]]:
        """How long each chapter took, up to now."""
        ends = [start for _, start in self.timings[1:]] + [time.perf_counter()]
        return [(name, end - start) for (name, start), end in zip(self.timings, ends, strict=True)]

    def say(self, markup: str) -> None:
        """A line of the story (rich markup: escape what comes from outside), indented
        even where it wraps."""
        self.console.print(Padding(markup, (0, 0, 0, 2), expand=False))

    def show(self, shown: RenderableType) -> None:
        """A table, indented as the story is; a text (a chart) as it is, line by line."""
        if not isinstance(shown, str):
            self.console.print(Padding(shown, (0, 0, 0, 2), expand=False))
            return
        for line in shown.splitlines():
            self.console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)

    def wrote(self, path: Path, what: str) -> None:
        """Note a file written, for the last lines."""
        self.files[path.name] = what

    @contextmanager
    def progress(
        self, description: str, total: float | None, *, data: bool = False
    ) -> Iterator[Moved]:
        """A progress bar (of bytes when ``data``, else of a count) that stays in the story
        once done; yields what moves it on."""
        amount: ProgressColumn = DownloadColumn() if data else MofNCompleteColumn()
        columns = (
            TextColumn(f"  {description}"),
            BarColumn(),
            TaskProgressColumn(),
            amount,
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console) as bar:
            task = bar.add_task(description, total=total)

            def moved(completed: float, total: float | None = None) -> None:
                bar.update(task, completed=completed, total=total)

            yield moved
