"""Uploading a large recording, run on demand (never by pytest):

    .venv/bin/python -m tests.benchmarks.bench_upload [--size-mb 2048] [--backend local|s3|both]

It writes a file of the given size (an MP4 header, then data that does not compress), copies it
once with a plain file copy and an fsync (the baseline, on the same disk in the same run), then
uploads it through the real server (one process, no demo content, as in production) as the
browser does: the JSON API's parts of 8 MiB, two in flight, then the completion (which waits
until the recording is on disk). The local backend writes each part in place in one file under
the data directory; the S3 backend relays the parts to moto's S3 server started in this process
(so its memory is not the app's). Each measurement starts after a sync. While uploading it
samples the app process's resident memory (VmRSS, every 50 ms) and prints its peak, and the
throughput as a ratio to the plain copy. It prints figures; it never passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.recordings.reference import PART_SIZE
from tests.benchmarks.bench_site import login
from tests.server import free_port, started_server

STAFF = ("staff@example.jp", "demo-staff-2026")
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
MIB = 1024 * 1024


def make_file(path: Path, size: int) -> None:
    """An MP4 header and incompressible data (one random block repeated)."""
    block = os.urandom(MIB)
    with path.open("wb") as out:
        out.write(MP4_HEAD)
        written = len(MP4_HEAD)
        while written < size:
            piece = block[: min(MIB, size - written)]
            out.write(piece)
            written += len(piece)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakMemory:
    """The highest VmRSS of a process seen while running (sampled in a thread)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True, slots=True)
class Result:
    backend: str
    seconds: float
    rss_before_mib: float
    rss_peak_mib: float


def sign_in(client: httpx.Client) -> dict[str, str]:
    """Signed in as staff: the headers the JSON API's writes need."""
    login(client, STAFF)
    return {"X-CSRF-Token": client.cookies["kdx_csrf"]}


def upload(base_url: str, pid: int, path: Path, backend: str, concurrency: int) -> Result:
    size = path.stat().st_size
    with httpx.Client(base_url=base_url, timeout=600) as client:
        headers = sign_in(client)
        form = client.get("/console/recordings/new").text
        event_id = int(re.findall(r'<option value="(\d+)"', form)[0])
        before = rss_kib(pid) / 1024
        os.sync()
        started = time.perf_counter()
        with PeakMemory(pid) as memory:
            begun = client.post(
                "/api/v1/recordings/uploads",
                json={"event_id": event_id, "title": "ベンチマーク", "file_name": "bench.mp4",
                      "size": size},
                headers=headers,
            )  # fmt: skip
            assert begun.status_code == 201, begun.text
            recording_id = begun.json()["recording_id"]
            total = -(-size // PART_SIZE)
            lock = threading.Lock()
            numbers = iter(range(1, total + 1))

            def send_parts() -> None:
                # Each sender reads its own part from its own handle, as the browser slices.
                with path.open("rb") as handle:
                    while True:
                        with lock:
                            number = next(numbers, None)
                        if number is None:
                            return
                        handle.seek((number - 1) * PART_SIZE)
                        sent = client.put(
                            f"/api/v1/recordings/{recording_id}/upload/parts/{number}",
                            content=handle.read(PART_SIZE), headers=headers,
                        )  # fmt: skip
                        assert sent.status_code == 200, sent.text

            senders = [threading.Thread(target=send_parts) for _ in range(concurrency)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            done = client.post(
                f"/api/v1/recordings/{recording_id}/upload/completion", headers=headers
            )
            assert done.status_code == 200, done.text
        seconds = time.perf_counter() - started
        deleted = client.delete(f"/api/v1/recordings/{recording_id}", headers=headers)
        assert deleted.status_code == 204, deleted.text
    return Result(backend, seconds, before, memory.peak_kib / 1024)


async def _prepare(database_url: str) -> None:
    """A staff account and an event to upload to, in the server's database (no demo content:
    the app's memory is measured as production runs it)."""
    from dataclasses import replace

    from api.accounts import service as accounts
    from api.db import bind_engine, close_pool, create_engine
    from api.events import service as events
    from api.permissions import Role
    from api.settings import Argon2Parameters, Settings
    from tests.service.test_events import event_input

    engine = create_engine(database_url)
    bind_engine(engine)
    settings = replace(Settings(), database_url=database_url, argon2=Argon2Parameters(1, 8, 1))
    data = accounts.AccountInput(
        email=STAFF[0], display_name="事務局 計測", roles=frozenset({Role.STAFF})
    )
    await accounts.create_account_with_password(settings, data, STAFF[1])
    staff = (await accounts.login(settings, STAFF[0], STAFF[1], "127.0.0.1")).principal
    await events.create_event(staff, event_input(title="計測用の催し"))
    await close_pool(engine)


def run_backend(backend: str, path: Path, tmp: Path, concurrency: int) -> Result:
    extra: dict[str, str] = {}
    moto = None
    if backend == "s3":
        from moto.server import ThreadedMotoServer

        port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        extra["STORAGE_URL"] = (
            f"s3://bench:benchsecret@127.0.0.1:{port}/kdx-bench?secure=false&region=ap-northeast-1"
        )
    try:
        name = f"upload-{backend}"
        extra["DEMO_CONTENT"] = "false"
        with started_server(tmp, name, extra) as server:
            asyncio.run(_prepare(server.database_url))
            return upload(server.url, server.process.pid, path, backend, concurrency)
    finally:
        if moto is not None:
            moto.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--backend", choices=["local", "s3", "both"], default="both")
    parser.add_argument("--parallel", type=int, default=2, help="parts in flight at once")
    args = parser.parse_args()
    backends = ["local", "s3"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="kdx-bench-upload-") as folder:
        tmp = Path(folder)
        source = tmp / "recording.mp4"
        make_file(source, args.size_mb * MIB)
        os.sync()  # every measurement starts with nothing waiting to be written
        started = time.perf_counter()
        shutil.copyfile(source, tmp / "copy.mp4")
        with (tmp / "copy.mp4").open("rb") as copied:
            os.fsync(copied.fileno())  # on disk, as a completed upload is
        copy_seconds = time.perf_counter() - started
        (tmp / "copy.mp4").unlink()
        results = [run_backend(backend, source, tmp, args.parallel) for backend in backends]
    size_mb = args.size_mb
    print(
        f"\n{size_mb:,} MiB, parts of {PART_SIZE // MIB} MiB, {args.parallel} in flight, "
        "one server process\n"
    )
    print("| how | seconds | MiB/s | / plain copy | app RSS before | app RSS peak |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| plain file copy | {copy_seconds:.1f} | {size_mb / copy_seconds:,.0f} | 1.00 | | |")
    for result in results:
        print(
            f"| upload, {result.backend} backend | {result.seconds:.1f} | "
            f"{size_mb / result.seconds:,.0f} | {copy_seconds / result.seconds:.2f} | "
            f"{result.rss_before_mib:.0f} MiB | {result.rss_peak_mib:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
