"""State files from before stay usable: migrated when opened, or refused whole."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx2
import pytest

from pinkit.emulator import Emulator, StateFileError
from pinkit.emulator._store import SCHEMA_VERSION

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


def test_a_schema_2_state_keeps_its_conversion_events(tmp_path: Path) -> None:
    """Schema 2 linked conversion events to their ad account by a reference; schema 3 by their
    owner. A state written before keeps its events, their deduplication and their score."""
    from tests.conversions.conftest import events

    state = tmp_path / "v2.sqlite"
    with Emulator(state_path=state) as emu:
        account = emu.default_ad_account_id
        sent = events(emu, 3)
        with emu.client() as client:
            assert client.conversions.send(account, sent).num_processed == 3
        before = emu.conversion_events(account)
    with sqlite3.connect(state) as db:  # back to the layout schema 2 wrote
        rows = db.execute("SELECT id, owner, seq FROM docs WHERE kind = 'conversion_event'")
        for doc_id, owner, seq in rows.fetchall():
            db.execute(
                "INSERT INTO refs VALUES ('conversion_event', ?, 'ad_account', ?, ?)",
                (doc_id, owner, seq),
            )
        db.execute(
            "UPDATE docs SET refs = 'ad_account=' || owner, owner = NULL "
            "WHERE kind = 'conversion_event'"
        )
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Emulator(state_path=state) as emu:
        assert emu.conversion_events(account) == before
        with emu.client() as client:
            again = client.conversions.send(account, [*sent, *events(emu, 1, start=3)])
            assert again.num_processed == 4  # processed, but only the new one is kept
            assert client.conversions.quality(account, lookback_period="1d")
        assert [e["event_id"] for e in emu.conversion_events(account)] == [
            *(e["event_id"] for e in before),
            events(emu, 1, start=3)[0]["event_id"],
        ]
        with emu.store_read() as tx:
            assert tx.meta_get("schema_version") == str(SCHEMA_VERSION)
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
