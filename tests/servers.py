"""Real database and cache servers for the tests: PostgreSQL and Redis from Debian's packages.

Each is started once per test session on a free loopback port, in a temporary folder, and
stopped at the end (``tests/conftest.py`` has the fixtures). PostgreSQL refuses to run as root,
so as root its ``initdb`` and ``pg_ctl`` run as the ``postgres`` user (``runuser``), in a folder
that user owns. A missing server skips the tests that need it, saying how to get it, except
under ``CI=true``, where it fails them (``scripts/system-packages.sh`` installs both).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from tests._needs import unavailable

__all__ = ["PostgresServer", "RedisServer", "free_port", "missing"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(what: str) -> NoReturn:
    """Skip (or, under CI=true, fail) a test for lack of ``what``."""
    unavailable(f"{what} is not installed (scripts/system-packages.sh installs it)", "these tests")


class RedisServer:
    """``redis-server`` on 127.0.0.1, no persistence (no RDB snapshots, no AOF)."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing("redis-server (Debian package redis-server)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="pinkit-redis-")
        self.process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"redis-server exited: {err}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start within 15 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A PostgreSQL cluster of its own on 127.0.0.1 (trust authentication, user ``postgres``,
    fsync off: test data only)."""

    def __init__(self) -> None:
        bindir = _postgres_bin()
        if bindir is None:
            missing("PostgreSQL (Debian package postgresql)")
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pinkit-pg-"))
        self.data = self.dir / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                missing("the postgres user (Debian package postgresql)")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._count = 0

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as, str(self.bindir / tool), *args]
        if tool == "pg_ctl":
            command.append("start")
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")
        if result.returncode != 0:
            log = self.dir / "log"
            detail = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {result.stderr}{result.stdout}{detail}")

    def tool(self, name: str) -> str:
        return str(self.bindir / name)

    def create_database(self) -> tuple[str, str]:
        """A new empty database: its name and SQLAlchemy URL."""
        import psycopg

        self._count += 1
        name = f"pinkit_{os.getpid()}_{self._count}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name, f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [*self._as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"],
            capture_output=True,
            check=False,
            cwd="/",
        )
        shutil.rmtree(self.dir, ignore_errors=True)
