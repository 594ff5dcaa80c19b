"""``python -m examples.connect_app``: run the app under several workers (``make webapp``).

Without ``PINTEREST_CLIENT_ID`` it starts the emulator first (in this process, on a free
port, with a fresh state), registers an app whose redirect URI is this app's callback, adds a
second emulator user with a board and an ad account (sign in as ``second_pinner`` with the
consent page's "Not you?" form), and points the app at it. With ``PINTEREST_CLIENT_ID`` and
``PINTEREST_CLIENT_SECRET`` it runs against Pinterest (register
``CONNECT_APP_URL/pinterest/callback`` as the app's redirect URI).

The session secret and the token keys are made once and kept in ``DATA/secrets.json`` when
the environment has none, so every worker (and the next run) has the same ones.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from pinkit.web import KEYS_ENV, generate_key


def _secrets(data: Path) -> dict[str, str]:
    path = data / "secrets.json"
    if path.exists():
        kept: dict[str, str] = json.loads(path.read_text())
        return kept
    made = {"CONNECT_APP_SECRET": secrets.token_urlsafe(32), KEYS_ENV: generate_key()}
    path.touch(mode=0o600)
    path.write_text(json.dumps(made))
    return made


def _start_emulator(env: dict[str, str], redirect_uri: str) -> str:
    """The emulator, served from this process, with an app and a second user."""
    from pinkit.emulator import Emulator

    emu = Emulator().start()
    app = emu.register_app(redirect_uri, name="Connect app (example)")
    second = emu.create_user("second_pinner")
    emu.create_ad_account(owner=second)
    for user_id, board in ((None, "Ideas"), (second, "Recipes")):
        with emu.client(access_token=emu.issue_token(user_id=user_id).access_token) as client:
            client.boards.create(board)
    env.update(
        PINTEREST_CLIENT_ID=app.client_id,
        PINTEREST_CLIENT_SECRET=emu.app_secret(app.client_id),
        PINTEREST_API_URI=emu.base_url,
        PINTEREST_AUTHORIZE_URL=emu.authorize_url,
    )
    return emu.origin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.connect_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", default="connect-app-data", help="folder for the database")
    args = parser.parse_args(argv)

    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    url = f"http://{args.host}:{args.port}"
    env = {k: v for k, v in _secrets(data).items() if not os.environ.get(k)}
    env.setdefault("CONNECT_APP_URL", os.environ.get("CONNECT_APP_URL") or url)
    emulated = not os.environ.get("PINTEREST_CLIENT_ID")
    if emulated:
        database = data / "emulator-tokens.db"  # the emulator's state is fresh: so are these
        for stale in data.glob("emulator-tokens.db*"):
            stale.unlink()
        env.setdefault("CONNECT_APP_DATABASE_URL", f"sqlite:///{database}")
        callback = env["CONNECT_APP_URL"] + "/pinterest/callback"
        where = f"the emulator at {_start_emulator(env, callback)}"
    else:
        env.setdefault("CONNECT_APP_DATABASE_URL", f"sqlite:///{data / 'tokens.db'}")
        where = "Pinterest"
    os.environ.update(env)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(
        f"Connect app: {url}  ({args.workers} workers, against {where}, "
        f"database {os.environ['CONNECT_APP_DATABASE_URL']})",
        flush=True,
    )
    uvicorn.run(
        "examples.connect_app.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
