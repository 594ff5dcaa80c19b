"""State files from before stay usable: migrated when opened, or refused whole."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx2
import pytest

from pinkit.conversions import EventPreparer
from pinkit.emulator import Emulator, StateFileError
from pinkit.emulator._store import SCHEMA_VERSION
from tests.conversions.conftest import event

from .conftest import bearer

#: The layout of state files written before named references (schema 1).
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (kind TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, seq INTEGER NOT NULL,
    data TEXT NOT NULL, parent TEXT, parent2 TEXT, PRIMARY KEY (kind, id));
CREATE INDEX docs_by_owner ON docs (kind, owner, seq);
CREATE INDEX docs_by_parent ON docs (kind, parent, seq) WHERE parent IS NOT NULL;
CREATE INDEX docs_by_parent2 ON docs (kind, parent2, seq) WHERE parent2 IS NOT NULL;
"""


def _v1_state(path: Path) -> dict[str, str]:
    """A schema-1 state made by hand: the default user with a board, a section, two pins (one
    in the section) and an uploaded video, and an access token."""
    fresh = Emulator()
    with fresh.store_read() as tx:
        rows = [(d.kind, d.id, d.owner, d.seq, d.text) for d in tx.list("user")]
        rows += [(d.kind, d.id, d.owner, d.seq, d.text) for d in tx.list("oauth_app")]
        meta = {k: tx.meta_get(k) for k in ("default_user", "default_app", "seq", "seeded")}
    fresh.close()
    user = str(meta["default_user"])
    ids = {"board": "2000000000000001", "section": "2000000000000002"}
    ids |= {"pin": "2000000000000003", "pin_in_section": "2000000000000004"}
    ids["media"] = "2000000000000005"
    board = {"id": ids["board"], "name": "Old board", "privacy": "PUBLIC", "is_ads_only": False}
    board |= {"created_at": "2026-01-01T00:00:00", "board_pins_modified_at": "2026-01-01T00:00:00"}
    pin = {"created_at": "2026-01-01T00:00:00", "creative_type": "REGULAR", "title": "Old pin"}
    pin |= {"media": {"media_type": "image"}, "has_been_promoted": False, "is_standard": True}
    media = {"media_id": ids["media"], "media_type": "video", "upload_parameters": {}}
    media |= {"expires_at": 0, "registered_at": 10.0, "uploaded_at": 20.0}
    media |= {"ready_at": 30.0, "outcome": "succeeded", "size": 1}
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    for key, value in meta.items():
        db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
    for kind, doc_id, owner, seq, text in rows:
        db.execute(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, NULL, NULL)", (kind, doc_id, owner, seq, text)
        )
    docs = [
        ("board", ids["board"], user, 100, board, None, None),
        (
            "board_section",
            ids["section"],
            user,
            101,
            {"id": ids["section"], "name": "S"},
            ids["board"],
            None,
        ),
        ("pin", ids["pin"], user, 102, {**pin, "id": ids["pin"]}, ids["board"], None),
        (
            "pin",
            ids["pin_in_section"],
            user,
            103,
            {**pin, "id": ids["pin_in_section"]},
            ids["board"],
            ids["section"],
        ),
        ("media", ids["media"], user, 104, media, None, None),
    ]
    for kind, doc_id, owner, seq, data, parent, parent2 in docs:
        db.execute(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, doc_id, owner, seq, json.dumps(data), parent, parent2),
        )
    db.commit()
    db.close()
    return ids


def test_a_schema_1_state_is_migrated_when_opened(tmp_path: Path) -> None:
    state = tmp_path / "old.sqlite"
    ids = _v1_state(state)
    with Emulator(state_path=state) as emu:
        token = emu.issue_token().access_token
        with httpx2.Client(base_url=emu.base_url, headers=bearer(token)) as api:
            pins = api.get(f"/boards/{ids['board']}/pins").json()["items"]
            assert [p["id"] for p in pins] == [ids["pin"], ids["pin_in_section"]]
            assert pins[1]["board_section_id"] == ids["section"]
            in_section = api.get(f"/boards/{ids['board']}/sections/{ids['section']}/pins")
            assert [p["id"] for p in in_section.json()["items"]] == [ids["pin_in_section"]]
            assert api.get(f"/boards/{ids['board']}").json()["pin_count"] == 2
            assert api.get(f"/media/{ids['media']}").json()["status"] == "succeeded"
            made = api.post("/boards", json={"name": "New board"})
            assert made.status_code == 201
        with emu.store_read() as tx:
            assert tx.meta_get("schema_version") == str(SCHEMA_VERSION)
    columns = {row[1] for row in sqlite3.connect(state).execute("PRAGMA table_info(docs)")}
    assert "parent" not in columns


def _v2_conversions(path: Path, schema: int) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """A state made by hand, holding conversion events as schemas 2 and 3 did: a document per
    event linked to its ad account (3: owned by it), an online one under its deduplication key
    (kept again a minute ago, two days after it was first received), and a ``conversion_seen``
    document for a key whose event was kept before that. Returns the ad account, the events
    kept (in order) and an event known only by its ``conversion_seen``."""
    with Emulator(state_path=path) as emu:
        account, now = emu.default_ad_account_id, emu.clock.now()
        preparer = EventPreparer()
        online, offline, seen_only = (
            preparer.prepare(event(emu, i, source=source), now).event
            for i, source in ((1, "web"), (2, "offline"), (3, "web"))
        )
    key = f"{account}:{online['event_name']}:{online['event_id']}"
    seen_key = f"{account}:{seen_only['event_name']}:{seen_only['event_id']}"
    docs = [
        (
            "conversion_event",
            key,
            {"received_at": now - 50 * 3600, "event": online, "seen_at": now - 60},
        ),
        ("conversion_event", "2000000000000009", {"received_at": now - 50, "event": offline}),
        ("conversion_seen", seen_key, {"at": now - 3600}),
    ]
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE marks")
        last = int(db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(last + len(docs)),))
        for seq, (kind, doc_id, data) in enumerate(docs, start=last + 1):
            if schema == 3:  # owned by the ad account
                db.execute(
                    "INSERT INTO docs VALUES (?, ?, ?, ?, ?, '')",
                    (kind, doc_id, account, seq, json.dumps(data)),
                )
                continue
            db.execute(
                "INSERT INTO docs VALUES (?, ?, NULL, ?, ?, ?)",
                (kind, doc_id, seq, json.dumps(data), f"ad_account={account}"),
            )
            db.execute(
                "INSERT INTO refs VALUES (?, ?, 'ad_account', ?, ?)", (kind, doc_id, account, seq)
            )
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(schema),))
    return account, [online, offline], seen_only


@pytest.mark.parametrize("schema", [2, 3])
def test_an_earlier_state_keeps_its_conversion_events(tmp_path: Path, schema: int) -> None:
    """Schema 4 keeps a request's events as one document and the deduplication keys as marks:
    a state of schema 2 or 3 keeps its events, their deduplication and their score."""
    state = tmp_path / "old.sqlite"
    account, before, seen_only = _v2_conversions(state, schema)
    with Emulator(state_path=state) as emu:
        assert emu.conversion_events(account) == before
        with emu.client() as client:
            assert client.conversions.quality(account, lookback_period="1d")
            new = event(emu, 4)
            again = client.conversions.send(account, [*before, seen_only, new])
            assert again.num_processed == 4  # all processed; kept: the offline one and the new
            kept = [e["event_id"] for e in emu.conversion_events(account)]
            assert kept == [e["event_id"] for e in [*before, before[1], new]]
            emu.clock.advance(48 * 3600)
            client.conversions.send(account, [seen_only])  # its key's window is over
            assert emu.conversion_events(account)[-1]["event_id"] == seen_only["event_id"]
        with emu.store_read() as tx:
            assert tx.meta_get("schema_version") == str(SCHEMA_VERSION)
            assert not tx.kinds().keys() & {"conversion_event", "conversion_seen"}
    refs = sqlite3.connect(state).execute("SELECT count(*) FROM refs WHERE kind LIKE 'conv%'")
    assert refs.fetchone() == (0,)


def test_a_newer_state_is_refused_untouched(tmp_path: Path) -> None:
    state = tmp_path / "newer.sqlite"
    Emulator(state_path=state).close()
    with sqlite3.connect(state) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = state.read_bytes()
    with pytest.raises(StateFileError, match="newer pinkit"):
        Emulator(state_path=state)
    assert state.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text, not a database" * 100, "not a pinkit emulator state"),
        (None, "not a pinkit emulator state"),
    ],
)
def test_files_that_are_no_state_are_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    state = tmp_path / "other.sqlite"
    if content is None:
        with sqlite3.connect(state) as db:
            db.execute("CREATE TABLE songs (title TEXT)")
    else:
        state.write_bytes(content)
    with pytest.raises(StateFileError, match=message):
        Emulator(state_path=state)
