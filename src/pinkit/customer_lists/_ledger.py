"""The ledger of ``customer_lists.sync``: what was sent to one customer list, kept locally,
since Pinterest never returns a list's members.

A ledger is an SQLite file holding the values sent (the SHA-256 digests of e-mail addresses
and device ids, or the partner ids as given: never a raw address or device id) and the list
it belongs to. Every change is one SQLite transaction, so a crash leaves the ledger as it was
before the change or after it, never half written. ``sync`` changes it only after Pinterest
accepted a request:

- a value becomes a member once the ADD request that sent it succeeded;
- before a REMOVE request, its values are marked *uncertain* (the request may be processed
  even if its answer is lost); they are dropped once it succeeded. An uncertain value is sent
  again by the next sync: ADD if the source has it, REMOVE if not.

So the ledger never claims that a value was sent when it was not; at worst the next sync
sends a value again, which Pinterest takes (an ADD of a member, a REMOVE of a non-member,
change nothing).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError

__all__ = ["Ledger", "LedgerState"]

FORMAT = "pinkit customer-list ledger"
VERSION = "1"
MEMBER, UNCERTAIN = 1, 0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sent (value TEXT PRIMARY KEY, state INTEGER NOT NULL)"
    " WITHOUT ROWID",
)


@dataclass(frozen=True)
class LedgerState:
    """What the ledger holds: ``members`` (sent in an ADD that succeeded) and ``uncertain``
    values (in a REMOVE that may or may not have been processed)."""

    members: frozenset[str]
    uncertain: frozenset[str]


class Ledger:
    """The ledger file at ``path`` for one customer list (``ad_account_id``,
    ``customer_list_id``, ``list_type``): made on first use; a ledger of another list, or a
    file that is not a ledger, is refused with ``InvalidInputError``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        ad_account_id: str,
        customer_list_id: str,
        list_type: str,
    ) -> None:
        self.path = Path(path)
        self.binding = {
            "format": FORMAT,
            "version": VERSION,
            "ad_account_id": ad_account_id,
            "customer_list_id": customer_list_id,
            "list_type": list_type,
        }

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self.path.exists() and not self.path.is_file():
            raise InvalidInputError(f"the ledger {self.path} is not a file")
        if not self.path.parent.is_dir():
            raise InvalidInputError(f"the ledger's folder {self.path.parent} does not exist")
        try:
            with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise InvalidInputError(
                f"{self.path} is not a customer-list ledger ({exc}); give another --ledger path"
            ) from None

    def load(self) -> LedgerState:
        """The ledger's values (an empty ledger is made if there is none), after checking it
        belongs to this list."""
        with self._transaction() as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if tables and not {"meta", "sent"} <= tables:
                raise InvalidInputError(f"{self.path} is not a customer-list ledger")
            for statement in _SCHEMA:
                conn.execute(statement)
            found = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if not found:
                conn.executemany("INSERT INTO meta VALUES (?, ?)", self.binding.items())
            elif found.get("format") != FORMAT:
                raise InvalidInputError(f"{self.path} is not a customer-list ledger")
            elif found != self.binding:
                raise InvalidInputError(
                    f"the ledger {self.path} is for customer list {found.get('customer_list_id')}"
                    f" ({found.get('list_type')}) of ad account {found.get('ad_account_id')}, "
                    f"not list {self.binding['customer_list_id']} ({self.binding['list_type']}) "
                    f"of {self.binding['ad_account_id']}: give the ledger of this list"
                )
            members: set[str] = set()
            uncertain: set[str] = set()
            for value, state in conn.execute("SELECT value, state FROM sent"):
                (members if state == MEMBER else uncertain).add(value)
        return LedgerState(frozenset(members), frozenset(uncertain))

    def added(self, values: Sequence[str]) -> None:
        """``values`` were sent in an ADD that succeeded: members now."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO sent VALUES (?, ?) ON CONFLICT (value) DO UPDATE SET state = ?",
                ((value, MEMBER, MEMBER) for value in values),
            )

    def removing(self, values: Sequence[str]) -> None:
        """``values`` are about to be sent in a REMOVE: uncertain until it succeeds."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO sent VALUES (?, ?) ON CONFLICT (value) DO UPDATE SET state = ?",
                ((value, UNCERTAIN, UNCERTAIN) for value in values),
            )

    def removed(self, values: Sequence[str]) -> None:
        """``values`` were sent in a REMOVE that succeeded: gone."""
        with self._transaction() as conn:
            conn.executemany("DELETE FROM sent WHERE value = ?", ((value,) for value in values))
