"""``pinkit demo``: a guided tour of the toolkit against an emulator running in this process.

Nothing leaves the machine: every request goes through an in-memory transport to the emulator,
so the tour works offline and without a Pinterest account. It reads as a short story, one
chapter a module, each given the ``Tour`` (console, emulator, folder) and the logged-in client:
``oauth`` (log in, a refresh), ``pins`` (a board, a section, an image and a video pin), ``ads``
(the pin promoted), ``audiences`` (a customer list and an Actalike), ``conversions`` (10,000
events, rejects, the doctor) and ``reports`` (an async report as CSV, PNG and terminal chart).
``_runner`` runs them in order, then says what was made and what to run next.
"""

from ._runner import STATE, run

__all__ = ["STATE", "run"]
