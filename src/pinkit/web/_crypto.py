"""Tokens encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256) under rotating keys.

The access and refresh tokens of a row are encrypted together, with the row's client_id and
user key inside the ciphertext: a row copied onto another user's is refused on reading, not
used. Keys are Fernet keys (``cryptography.fernet.Fernet.generate_key()``), newest first:
the first encrypts, every one decrypts (``MultiFernet``), so a new key goes in front and the
old ones stay until ``rotate_keys`` has re-encrypted every row.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ..errors import InvalidInputError
from ._errors import StorageError

__all__ = ["KEYS_ENV", "TokenCipher", "generate_key"]

KEYS_ENV = "PINKIT_TOKEN_KEYS"
PAYLOAD_VERSION = 1


def generate_key() -> str:
    """A new Fernet key, as the text ``encryption_keys`` and ``PINKIT_TOKEN_KEYS`` take."""
    return Fernet.generate_key().decode("ascii")


def _parse_keys(keys: Sequence[str] | str) -> list[Fernet]:
    if isinstance(keys, str):
        keys = [k for k in (part.strip() for part in keys.split(",")) if k]
    fernets = []
    for index, key in enumerate(keys):
        try:
            fernets.append(Fernet(key.encode("ascii") if isinstance(key, str) else key))
        except (ValueError, TypeError, UnicodeError):
            raise InvalidInputError(
                f"encryption key {index} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with pinkit.web.generate_key())"
            ) from None
    return fernets


class TokenCipher:
    """Encrypts a row's tokens with the newest key; decrypts with any."""

    def __init__(
        self,
        keys: Sequence[str] | str | None,
        *,
        allow_unencrypted: bool = False,
        env: Mapping[str, str] = os.environ,
    ) -> None:
        if keys is None:
            keys = env.get(KEYS_ENV) or ()
        fernets = _parse_keys(keys)
        if not fernets and not allow_unencrypted:
            raise InvalidInputError(
                "no encryption keys: pass encryption_keys=[...] or set PINKIT_TOKEN_KEYS "
                "(comma-separated Fernet keys, newest first; make one with "
                "pinkit.web.generate_key()), or allow_unencrypted=True to store tokens in clear "
                "text (development only)"
            )
        if not fernets:
            warnings.warn(
                "pinkit.web stores OAuth tokens UNENCRYPTED (allow_unencrypted=True): anyone "
                "who can read the database or a dump of it can act as your users",
                UserWarning,
                stacklevel=3,
            )
        self._fernets = fernets
        self._multi = MultiFernet(fernets) if fernets else None

    @property
    def encrypts(self) -> bool:
        return self._multi is not None

    def seal(self, client_id: str, user_key: str, access: str, refresh: str | None) -> str:
        payload = json.dumps(
            {"v": PAYLOAD_VERSION, "c": client_id, "u": user_key, "a": access, "r": refresh},
            separators=(",", ":"),
        )
        if self._multi is None:
            return payload
        return self._multi.encrypt(payload.encode("utf-8")).decode("ascii")

    def open(
        self, data: str, encrypted: bool, client_id: str, user_key: str
    ) -> tuple[str, str | None]:
        """The access and refresh tokens of a row."""
        if encrypted:
            if self._multi is None:
                raise StorageError(
                    "the stored tokens are encrypted and no key was given: pass "
                    "encryption_keys= or set PINKIT_TOKEN_KEYS"
                )
            try:
                text = self._multi.decrypt(data.encode("ascii")).decode("utf-8")
            except (InvalidToken, UnicodeError):
                raise StorageError(
                    "no key decrypts the stored tokens of this user: was a key removed before "
                    "rotate_keys() re-encrypted every row with the newer one?"
                ) from None
        else:
            text = data
        try:
            payload: dict[str, Any] = json.loads(text)
        except ValueError:
            raise StorageError("the stored tokens of this user are unreadable") from None
        if payload.get("c") != client_id or payload.get("u") != user_key:
            raise StorageError(
                "the stored tokens belong to another user or app (a row was copied or moved): "
                "refused"
            )
        return str(payload["a"]), payload.get("r")

    def rotate(self, data: str, encrypted: bool, client_id: str, user_key: str) -> str | None:
        """``data`` encrypted with the newest key, or None when it already is."""
        if self._multi is None:
            return None
        if encrypted:
            try:
                self._fernets[0].decrypt(data.encode("ascii"))
                return None
            except InvalidToken:
                pass
        access, refresh = self.open(data, encrypted, client_id, user_key)
        return self.seal(client_id, user_key, access, refresh)
