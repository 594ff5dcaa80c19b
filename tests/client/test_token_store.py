from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from pinkit import FileTokenStore, InvalidInputError, MemoryTokenStore, OAuthApp, TokenSet

TOKEN = TokenSet("pina_secretaccess123", "pinr_secretrefresh456", 1.0e9, 2.0e9, ("pins:read",))


def test_tokenset_repr_hides_secrets() -> None:
    for text in (repr(TOKEN), str(TOKEN), repr(MemoryTokenStore(TOKEN))):
        assert "secretaccess123" not in text
        assert "secretrefresh456" not in text


def test_tokenset_round_trip() -> None:
    assert TokenSet.from_dict(TOKEN.to_dict()) == TOKEN


def test_file_store_modes_and_round_trip(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "cfg" / "tokens.json")
    assert store.load() is None
    store.save(TOKEN)
    assert store.load() == TOKEN
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert list(store.path.parent.iterdir()) == [store.path]  # no temp files left
    store.clear()
    assert store.load() is None
    store.clear()


def test_file_store_concurrent_saves_never_tear(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "t.json")
    tokens = [TokenSet(f"pina_{i:04d}", f"pinr_{i:04d}") for i in range(50)]
    threads = [threading.Thread(target=store.save, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.load() in tokens


def test_file_store_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{not json")
    with pytest.raises(InvalidInputError, match="cannot read token file"):
        FileTokenStore(path).load()


def test_oauth_app_repr_and_url() -> None:
    app = OAuthApp("1234", "topsecret", "http://127.0.0.1:8085/callback")
    assert "topsecret" not in repr(app)
    url, state = app.authorization_url(["boards:read", "pins:read"])
    assert url.startswith("https://www.pinterest.com/oauth/?")
    assert "scope=boards%3Aread%2Cpins%3Aread" in url
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8085%2Fcallback" in url
    assert f"state={state}" in url
    assert len(state) >= 20
    assert "topsecret" not in url
    with pytest.raises(InvalidInputError, match="unknown scope"):
        app.authorization_url(["boards:everything"])
    with pytest.raises(InvalidInputError):
        OAuthApp("", "x", "y")
