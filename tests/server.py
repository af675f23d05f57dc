"""The real server (`python -m web serve`) in a subprocess on a free port, for the browser tests
and the benchmarks: embedded mode with demo content, its own database and data directory."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.dbutil import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]


class ServerFailed(RuntimeError):
    """The server exited early or did not answer /healthz in time (the log is in the message)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    database_url: str


@contextlib.contextmanager
def running_server(tmp: Path, name: str, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start the server, wait until /healthz answers, yield its base URL, stop it afterwards."""
    with started_server(tmp, name, extra_env) as server:
        yield server.url


@contextlib.contextmanager
def started_server(
    tmp: Path, name: str, extra_env: dict[str, str] | None = None, serve_args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """The server process itself (`kdx serve` with serve_args), once /healthz answers."""
    database_url = create_database(tmp, name)
    port = free_port()
    env = {
        **os.environ,
        "APP_MODE": "embedded",
        "DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DEMO_CONTENT": "true",
        # Cheap password hashing: the demo accounts log in many times.
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_PARALLELISM": "1",
        "LOG_LEVEL": "WARNING",
    }
    # The embedded defaults, whatever this shell has set; extra_env may still choose a backend.
    for variable in ("BASE_URL", "SMTP_URL", "SEARCH_URL", "STORAGE_URL"):
        env.pop(variable, None)
    env.update(extra_env or {})
    log_path = tmp / f"{name}-server.log"
    python = ROOT / ".venv" / "bin" / "python"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(python if python.exists() else sys.executable), "-m", "web", "serve", *serve_args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise ServerFailed(
                    f"the server exited early:\n{log_path.read_text('utf-8', 'replace')}"
                )
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise ServerFailed(
                    f"the server did not start:\n{log_path.read_text('utf-8', 'replace')}"
                )
            time.sleep(0.2)
        yield Server(url, process, log_path, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        drop_database(database_url)
