"""A mixed load on the real server, run on demand (never by pytest):

    .venv/bin/python -m tests.benchmarks.load_mixed [--clients 50] [--seconds 60]
    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m ...

One server process with demo content and the production password hashing parameters. For the
given time, `--clients` clients at once: visitors reading cached pages, members on the platform
(pages, the directory, bookmarks posted and taken back, the JSON API), staff and editors on
console lists, and applicants posting the membership form to its confirmation step; a few
seconds in, as many members as there are clients sign in at the same moment (a seminar about to
start). It prints p50/p99/max per kind of request, and counts 5xx answers, timeouts, transport
errors and "database is locked" in the server's log. It prints figures; it never passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import ssl
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.settings import Argon2Parameters
from tests.benchmarks.bench_site import csrf_of, percentile
from tests.server import started_server

TIMEOUT = 10.0
# As a browser asks: the pages are counted as page views (api.analytics), as real visits are.
ENCODINGS = {
    "Accept-Encoding": "br, gzip",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
}
ACCOUNTS = {
    "member": ("member@example.jp", "demo-member-2026"),
    "staff": ("staff@example.jp", "demo-staff-2026"),
    "editor": ("editor@example.jp", "demo-editor-2026"),
}
VISITOR_PATHS = ["/", "/case-studies", "/news", "/event-info", "/pages/about", "/site-map"]
MEMBER_PATHS = ["/platform", "/platform/directory", "/platform/solutions", "/case-studies"]
CONSOLE_PATHS = {"staff": ["/console/applications", "/console/members"],
                 "editor": ["/console/articles", "/console/media"]}  # fmt: skip
API_PATHS = ["/api/v1/articles?kind=case_study", "/api/v1/pages"]


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    timeouts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    async def request(
        self, kind: str, client: httpx.AsyncClient, method: str, url: str, **kwargs
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            self.timeouts[kind] += 1
            return None
        except httpx.TransportError:
            self.failures[kind] += 1
            return None
        self.times[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            self.server_errors[kind] += 1
        return response


async def _login(tally: Tally, client: httpx.AsyncClient, who: str, kind: str = "login") -> None:
    page = await client.get("/login")
    email, password = ACCOUNTS[who]
    data = {"email": email, "password": password, "_csrf": csrf_of(page.text)}
    await tally.request(kind, client, "POST", "/login", data=data)


# One SSL context for every client: by default each client loads its own (tens of ms), and
# fifty clients made at once stalled this load generator itself for seconds, which looked
# like a stall of the server.
_SSL = ssl.create_default_context()


def _client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers=ENCODINGS, timeout=TIMEOUT, verify=_SSL)


async def visitor(tally: Tally, base_url: str, until: float) -> None:
    async with _client(base_url) as client:
        while time.monotonic() < until:
            await tally.request(
                "匿名ページ（キャッシュ）", client, "GET", random.choice(VISITOR_PATHS)
            )


async def api_reader(tally: Tally, base_url: str, until: float) -> None:
    async with _client(base_url) as client:
        while time.monotonic() < until:
            await tally.request("公開API", client, "GET", random.choice(API_PATHS))


async def member(tally: Tally, base_url: str, until: float) -> None:
    async with _client(base_url) as client:
        await _login(tally, client, "member", "ログイン（開始時）")
        listing = await client.get("/platform/solutions")
        solutions = re.findall(r'href="(/platform/solutions/\d+)"', listing.text) or ["/platform"]
        while time.monotonic() < until:
            roll = random.random()
            if roll < 0.6:
                await tally.request("会員ページ", client, "GET", random.choice(MEMBER_PATHS))
            elif roll < 0.8:
                await tally.request("会員ページ", client, "GET", random.choice(solutions))
            elif roll < 0.9:
                await tally.request("会員API", client, "GET", "/api/v1/solutions?per_page=20")
            else:
                target = random.choice(solutions)
                page = await client.get(target)
                token = csrf_of(page.text)
                await tally.request("フォーム送信", client, "POST", f"{target}/bookmark",
                                    data={"_csrf": token})  # fmt: skip


async def secretariat(tally: Tally, base_url: str, until: float, who: str) -> None:
    async with _client(base_url) as client:
        await _login(tally, client, who, "ログイン（開始時）")
        while time.monotonic() < until:
            path = random.choice(CONSOLE_PATHS[who])
            await tally.request("事務局コンソール", client, "GET", path)


async def applicant(tally: Tally, base_url: str, until: float) -> None:
    from tests.http.test_applications import application_form

    async with _client(base_url) as client:
        while time.monotonic() < until:
            form = await client.get("/join")
            data = {**application_form(7), "_csrf": csrf_of(form.text)}
            await tally.request("フォーム送信", client, "POST", "/join/confirm", data=data)


async def login_burst(tally: Tally, base_url: str, count: int, delay: float) -> None:
    await asyncio.sleep(delay)

    async def one() -> None:
        async with _client(base_url) as client:
            await _login(tally, client, "member", "ログイン（一斉）")

    await asyncio.gather(*(one() for _ in range(count)))


async def run(base_url: str, clients: int, seconds: float, burst: int) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    share = max(1, clients // 10)
    tasks = [visitor(tally, base_url, until) for _ in range(clients - 7 * share)]
    tasks += [member(tally, base_url, until) for _ in range(3 * share)]
    tasks += [api_reader(tally, base_url, until) for _ in range(share)]
    tasks += [secretariat(tally, base_url, until, "staff") for _ in range(share)]
    tasks += [secretariat(tally, base_url, until, "editor") for _ in range(share)]
    tasks += [applicant(tally, base_url, until) for _ in range(share)]
    if burst:
        tasks.append(login_burst(tally, base_url, burst, delay=min(5.0, seconds / 4)))
    await asyncio.gather(*tasks)
    return tally


def report(tally: Tally, log: str, clients: int, seconds: float) -> None:
    locked = log.count("database is locked")
    print(
        f"{clients} clients for {seconds:.0f} s; 'database is locked' in the server log: {locked}"
    )
    print("| kind | requests | p50 ms | p99 ms | max ms | 5xx | timeouts | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    kinds = sorted(set(tally.times) | set(tally.timeouts) | set(tally.failures))
    for kind in kinds:
        times = tally.times.get(kind, [])
        p50 = statistics.median(times) if times else 0.0
        p99 = percentile(times, 0.99) if times else 0.0
        most = max(times) if times else 0.0
        print(f"| {kind} | {len(times)} | {p50:.0f} | {p99:.0f} | {most:.0f} | "
              f"{tally.server_errors.get(kind, 0)} | {tally.timeouts.get(kind, 0)} | "
              f"{tally.failures.get(kind, 0)} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--burst", type=int, default=50, help="sign-ins at the same moment")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    production = Argon2Parameters()
    hashing = {
        "ARGON2_TIME_COST": str(production.time_cost),
        "ARGON2_MEMORY_KIB": str(production.memory_kib),
        "ARGON2_PARALLELISM": str(production.parallelism),
        # Every sign-in here comes from one address: the failure limit must not stop them.
        "LOGIN_MAX_FAILURES_PER_CLIENT": "1000",
    }
    with tempfile.TemporaryDirectory(prefix="kdx-load-") as tmp:
        serve_args = ("--workers", str(args.workers)) if args.workers > 1 else ()
        with started_server(Path(tmp), "load", hashing, serve_args) as server:
            tally = asyncio.run(run(server.url, args.clients, args.seconds, args.burst))
        log = (Path(tmp) / "load-server.log").read_text("utf-8", "replace")
    report(tally, log, args.clients, args.seconds)


if __name__ == "__main__":
    main()
