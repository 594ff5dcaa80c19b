"""One local Spark session for the whole test run, and ``pinkit emulator serve`` beside it.

The JVM takes seconds to start, so the session is made once (``spark_session()``) and shared
by tests/spark and the docs' Spark examples; pytest-xdist keeps both on one worker
(``xdist_group("spark")``). Its Python workers run this interpreter (the venv's). The master
is ``local[2,2]``: two cores, and a failed task is tried once more, as on a cluster.

``EmulatorProcess`` is the emulator in a process of its own, on loopback, controlled over
HTTP (``/_emulator/...``), as the executors reach it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests._needs import unavailable

SPARK = pytest.mark.xdist_group("spark")
_SESSION: list[Any] = []
_REDIS: list[Any] = []


def spark_session() -> Any:
    """The run's SparkSession (started on first use, stopped at exit); skips (fails under
    CI=true) when pyspark or java is missing."""
    if _SESSION:
        return _SESSION[0]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        unavailable("pyspark is not installed (pip install -e '.[test]')", "the Spark tests")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable(
            "java is not installed (scripts/system-packages.sh installs openjdk-17-jre-headless)",
            "the Spark tests",
        )
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2,2]")
        .appName("pinkit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "5000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    import pinkit.spark

    pinkit.spark.register(spark)
    _SESSION.append(spark)
    atexit.register(spark.stop)
    return spark


def shared_redis_url() -> str:
    """A Redis for the docs' Spark examples (started on first use, stopped at exit), emptied."""
    import redis

    from tests.servers import RedisServer

    if not _REDIS:
        server = RedisServer()
        _REDIS.append(server)
        atexit.register(server.stop)
    url = _REDIS[0].url
    with redis.Redis.from_url(url) as client:
        client.flushall()
    return url


class EmulatorProcess:
    """``pinkit emulator serve --memory`` on a free loopback port."""

    def __init__(self) -> None:
        pinkit = Path(sys.executable).with_name("pinkit")
        self.process = subprocess.Popen(
            [str(pinkit), "emulator", "serve", "--memory", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            self.process.kill()
            raise RuntimeError("the emulator did not start")
        self.origin = self.base_url.removesuffix("/v5")
        self.port = int(self.origin.rsplit(":", 1)[1])
        self.http = httpx2.Client(base_url=f"{self.origin}/_emulator", timeout=60)

    def control(self, method: str, path: str, **kw: Any) -> Any:
        response = self.http.request(method, path, **kw)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.control("POST", "/reset")
        self.control("POST", "/reports/config", json={"processing_seconds": 0})

    def token(self) -> str:
        """An all-scopes access token of the default user."""
        return str(self.control("POST", "/tokens", json={})["access_token"])

    def conversion_token(self) -> str:
        return str(self.control("POST", "/conversion_tokens", json={})["access_token"])

    def ad_account(self) -> str:
        return str(self.control("POST", "/ad_accounts", json={})["id"])

    def events(self, account: str) -> list[dict[str, Any]]:
        return list(self.control("GET", "/conversions", params={"ad_account_id": account}))

    def requests(self) -> list[dict[str, Any]]:
        return list(self.control("GET", "/requests"))

    def set_rate_limit(self, category: str, limit: int, window_s: float) -> None:
        body = {"category": category, "limit": limit, "window_s": window_s}
        self.control("POST", "/rate_limits", json=body)

    def inject_fault(self, status: int, operation: str, count: int) -> None:
        body = {"status": status, "operation": operation, "count": count}
        self.control("POST", "/faults", json=body)

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def pids_connected_to(port: int) -> set[int]:
    """Processes with a TCP connection to 127.0.0.1:``port`` (from /proc: no psutil)."""
    inodes: set[str] = set()
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[2].endswith(wanted) and parts[3] == "01":  # ESTABLISHED to the port
                inodes.add(parts[9])
    found: set[int] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    found.add(int(proc.name))
                    break
        except OSError:
            continue
    return found


@contextlib.contextmanager
def running_emulator() -> Iterator[EmulatorProcess]:
    """An emulator process for the block, stopped after it."""
    server = EmulatorProcess()
    try:
        yield server
    finally:
        server.stop()
