"""PINKIT_LOG switches on redacted logging to stderr, as a user would set it."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from pinkit.emulator import Emulator
emulator = Emulator()
token = emulator.issue_token()
print(token.access_token, token.refresh_token, emulator.default_app._client_secret, sep="\\n")
emulator.inject_fault(503, operation="user_account/get")
with emulator.client(access_token=token.access_token) as client:
    client.user_account.get()
"""


def _run(level: str) -> tuple[list[str], str]:
    env = {**os.environ, "PINKIT_LOG": level}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.split(), done.stderr


def test_debug_logs_requests_and_retries_without_secrets() -> None:
    secrets, stderr = _run("debug")
    assert "request GET http://emulator.local/v5/user_account" in stderr
    assert "503 org_read; retry 1" in stderr
    for secret in secrets:
        assert secret not in stderr


def test_info_logs_only_retries() -> None:
    _, stderr = _run("info")
    assert "retry 1" in stderr
    assert "request GET" not in stderr


def test_silent_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PINKIT_LOG"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    assert "pinkit" not in done.stderr
