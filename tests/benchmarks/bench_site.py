"""Response times of the main pages and API routes, run on demand (never by pytest):

    .venv/bin/python -m tests.benchmarks.bench_site [--requests 200] [--seconds 5]
    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m ...

It starts the real server (one process) with demo content, warms each path, then times
sequential requests (median and 95th percentile) and its throughput under concurrent load:
with wrk (2 threads, 32 connections, as the serving issue measured) when it is installed
(`apt-get install wrk`), else with an httpx burst, which saturates long before the server does.
Every figure is also printed as a ratio to a baseline measured in the same run (/healthz,
which touches no content), so runs on different machines can be compared. Clients accept
Brotli and gzip, as browsers do. It prints figures; it never passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.server import running_server

BASELINE = "/healthz"
# As a browser asks: the pages are counted as page views (api.analytics), as real visits are.
ENCODINGS = {
    "Accept-Encoding": "br, gzip",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
}
ANONYMOUS_PATHS = [
    "{stylesheet}",
    "/",
    "/case-studies",
    "/case-studies?industry=E",
    "{case_study}",
    "/news",
    "/event-info",
    "/pages/about",
    "/site-map",
    "/feeds/case-studies.atom",
    "/sitemap.xml",
    "/api/v1/articles?kind=case_study",
    "/api/v1/pages",
    "/login",
    "/join",
]
EDITOR_PATHS = ["/console", "/console/articles", "/console/media", "{case_study}"]
EDITOR = ("editor@example.jp", "demo-editor-2026")
# The members' solutions directory (a solution's page also counts a view: one write each).
MEMBER_PATHS = [
    "/platform",
    "/platform/directory",
    "{case_study}",
    "/platform/solutions",
    "/platform/solutions?category=1&subsidy=1",
    "/platform/solutions?q=クラウド",
    "{solution}",
    "/api/v1/solutions?per_page=50",
]
MEMBER = ("member@example.jp", "demo-member-2026")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _time_sequential(client: httpx.Client, path: str, requests: int) -> tuple[int, list[float]]:
    status = client.get(path).status_code  # warm-up (and the page cache for anonymous pages)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return status, timings


def _throughput(base_url: str, path: str, args: argparse.Namespace, cookies) -> float:
    if args.wrk:
        return _wrk(base_url, path, args.seconds, cookies)
    return asyncio.run(_burst(base_url, path, args.requests, args.concurrency, cookies))


def _wrk(base_url: str, path: str, seconds: int, cookies) -> float:
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s"]
    for name, value in ENCODINGS.items():
        command += ["-H", f"{name}: {value}"]
    if cookies:
        jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
        command += ["-H", f"Cookie: {jar}"]
    url = base_url + quote(path, safe="/?=&%")  # wrk takes ASCII URLs only
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} error responses under load\n{output}")
    return float(found.group(1)) if found else 0.0


async def _burst(base_url: str, path: str, requests: int, concurrency: int, cookies) -> float:
    async with httpx.AsyncClient(base_url=base_url, cookies=cookies, headers=ENCODINGS) as client:
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                await client.get(path)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


def _first_case_study(client: httpx.Client) -> str:
    found = re.search(r'href="(/case-studies/[a-z0-9-]+)"', client.get("/case-studies").text)
    return found.group(1) if found else "/case-studies"


def csrf_of(html: str) -> str:
    """The CSRF token of a page's form ("" when it has none)."""
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    return found.group(1) if found else ""


def login(client: httpx.Client, account: tuple[str, str]) -> None:
    """Sign in through the login form (the benchmarks' own accounts: the demo ones)."""
    data = {
        "email": account[0],
        "password": account[1],
        "_csrf": csrf_of(client.get("/login").text),
    }
    response = client.post("/login", data=data)
    if response.status_code >= 400:
        raise SystemExit(f"login as {account[0]} failed: {response.status_code}")


def _first_solution(client: httpx.Client) -> str:
    found = re.search(r'href="(/platform/solutions/\d+)"', client.get("/platform/solutions").text)
    return found.group(1) if found else "/platform/solutions"


def _stylesheet(client: httpx.Client) -> str:
    found = re.search(r'href="(/static/css/site[^"]*\.css)"', client.get("/login").text)
    return found.group(1) if found else "/static/css/site.css"


def run(base_url: str, args: argparse.Namespace) -> None:
    requests = args.requests
    rows: list[tuple[str, str, int, float, float, float]] = []
    with httpx.Client(base_url=base_url, headers=ENCODINGS) as anonymous:
        case_study = _first_case_study(anonymous)
        stylesheet = _stylesheet(anonymous)
        _, base_times = _time_sequential(anonymous, BASELINE, requests)
        base_median = statistics.median(base_times)
        base_rps = _throughput(base_url, BASELINE, args, None)
        for template in ANONYMOUS_PATHS:
            path = template.format(case_study=case_study, stylesheet=stylesheet)
            status, times = _time_sequential(anonymous, path, requests)
            rps = _throughput(base_url, path, args, None)
            rows.append(
                ("匿名", path, status, statistics.median(times), percentile(times, 0.95), rps)
            )
    for role, account, paths in (("編集者", EDITOR, EDITOR_PATHS), ("会員", MEMBER, MEMBER_PATHS)):
        with httpx.Client(base_url=base_url, headers=ENCODINGS) as signed_in:
            login(signed_in, account)
            solution = _first_solution(signed_in) if account == MEMBER else ""
            for template in paths:
                path = template.format(solution=solution, case_study=case_study)
                status, times = _time_sequential(signed_in, path, requests)
                rps = _throughput(base_url, path, args, signed_in.cookies)
                rows.append(
                    (role, path, status, statistics.median(times), percentile(times, 0.95), rps)
                )

    load = f"wrk -t2 -c32 -d{args.seconds}s" if args.wrk else f"httpx, {args.concurrency} at once"
    print(f"baseline {BASELINE}: median {base_median:.2f} ms, {base_rps:.0f} req/s ({load})")
    print(f"{'role':<6} {'path':<40} {'status':>6} {'median ms':>10} {'p95 ms':>8} "
          f"{'x base':>7} {'req/s':>7} {'/ base':>7}")  # fmt: skip
    for role, path, status, median, p95, rps in rows:
        print(f"{role:<6} {path[:40]:<40} {status:>6} {median:>10.2f} {p95:>8.2f} "
              f"{median / base_median:>7.1f} {rps:>7.0f} {rps / base_rps:>7.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8, help="without wrk")
    parser.add_argument("--seconds", type=int, default=5, help="per path, with wrk")
    parser.add_argument("--no-wrk", dest="wrk", action="store_false")
    args = parser.parse_args()
    args.wrk = args.wrk and shutil.which("wrk") is not None
    with tempfile.TemporaryDirectory(prefix="kdx-bench-") as tmp:
        with running_server(Path(tmp), "bench") as base_url:
            run(base_url, args)


if __name__ == "__main__":
    main()
