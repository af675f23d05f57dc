"""The kdx command: create-admin takes the password from the environment or a prompt, never argv."""

import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from api.accounts import service
from api.db import bind_engine, create_engine
from api.permissions import Role
from api.principal import Principal
from api.settings import Argon2Parameters, Settings
from tests.dbutil import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]


async def _login(url: str, email: str, password: str) -> Principal:
    bind_engine(create_engine(url))
    settings = replace(Settings(), database_url=url, argon2=Argon2Parameters(1, 8, 1))
    result = await service.login(settings, email, password, "127.0.0.1")
    return result.principal


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def test_create_admin_reads_password_from_environment_and_the_admin_can_log_in(
    tmp_path: Path,
) -> None:
    url = create_database(tmp_path, "cli")
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "ARGON2_MEMORY_KIB": "8",
           "ARGON2_TIME_COST": "1", "ARGON2_PARALLELISM": "1"}  # fmt: skip
    try:
        missing = run_cli(["create-admin", "--email", "boss@example.jp"], env)
        assert missing.returncode == 2
        assert "ADMIN_PASSWORD" in missing.stderr

        weak = run_cli(
            ["create-admin", "--email", "boss@example.jp"], {**env, "ADMIN_PASSWORD": "short"}
        )
        assert weak.returncode == 1
        assert "10文字以上" in weak.stderr

        created = run_cli(
            ["create-admin", "--email", "Boss@Example.jp", "--name", "所長"],
            {**env, "ADMIN_PASSWORD": "a long admin passphrase"},
        )
        assert created.returncode == 0, created.stderr
        assert "boss@example.jp" in created.stdout

        again = run_cli(
            ["create-admin", "--email", "boss@example.jp"],
            {**env, "ADMIN_PASSWORD": "a long admin passphrase"},
        )
        assert again.returncode == 1
        assert "すでに登録" in again.stderr

        principal = asyncio.run(_login(url, "boss@example.jp", "a long admin passphrase"))
        assert principal.roles == {Role.ADMIN}
    finally:
        drop_database(url)


def test_create_admin_has_no_password_option() -> None:
    result = run_cli(["create-admin", "--email", "a@example.jp", "--password", "x" * 12], {})
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_production_mode_refuses_the_default_secret() -> None:
    result = run_cli(["migrate"], {"APP_MODE": "production", "SECRET_KEY": ""})
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_with_workers_runs_several_processes_in_embedded_mode(tmp_path: Path) -> None:
    """`kdx serve --workers 2` on SQLite: migrations and demo content once, then two processes
    sharing one database in WAL mode; a session opened through one is known to the other."""
    import re

    import httpx

    from tests.server import started_server

    with started_server(tmp_path, "workers", serve_args=("--workers", "2")) as server:
        assert len(_children(server.process.pid)) >= 2
        with httpx.Client(base_url=server.url) as client:
            page = client.get("/login")
            token = re.search(r'name="_csrf" value="([^"]+)"', page.text)
            assert token is not None
            signed_in = client.post("/login", data={"email": "member@example.jp",
                                    "password": "demo-member-2026", "_csrf": token.group(1)})  # fmt: skip
            assert signed_in.status_code == 303
        # New connections go to either process: every one of them knows the session.
        for _ in range(8):
            with httpx.Client(base_url=server.url, cookies=client.cookies) as fresh:
                assert fresh.get("/platform").status_code == 200
    log = server.log_path.read_text("utf-8", "replace")
    # The whole log on failure: a lock seen once in a PostgreSQL run (session 10) left only a
    # truncated traceback behind.
    assert "database is locked" not in log and "Traceback" not in log, log


def test_storage_check_lists_objects_without_recordings(tmp_path: Path) -> None:
    import io

    from storage.local import LocalObjectStore

    url = create_database(tmp_path, "storage")
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "STORAGE_URL": ""}
    try:
        clean = run_cli(["storage-check"], env)
        assert clean.returncode == 0, clean.stderr
        assert "一致しています" in clean.stdout
        stray = "recordings/2026/" + "b" * 32 + ".mp4"
        asyncio.run(
            LocalObjectStore(tmp_path / "objects").put(stray, io.BytesIO(b"x"), 1, "video/mp4")
        )
        found = run_cli(["storage-check"], env)
        assert found.returncode == 1 and stray in found.stdout
    finally:
        drop_database(url)


def test_reindex_and_search_check(tmp_path: Path) -> None:
    url = create_database(tmp_path, "search")
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "SEARCH_URL": ""}
    try:
        # A new installation: the check finds nothing indexed, the rebuild puts it right.
        built = run_cli(["reindex"], env)
        assert built.returncode == 0, built.stderr
        assert "ソリューション: 索引する文書はありません。" in built.stdout
        checked = run_cli(["search-check"], env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "導入事例: 索引はデータベースと一致しています。" in checked.stdout
        # A Meilisearch that cannot be reached (nothing listens on this port): a message in
        # Japanese, not a trace.
        unreachable = {**env, "SEARCH_URL": "http://127.0.0.1:9", "SEARCH_API_KEY": "key"}
        for command in ("reindex", "search-check"):
            refused = run_cli([command], unreachable)
            assert refused.returncode == 1, refused.stderr
            assert "検索サーバー（SEARCH_URL=http://127.0.0.1:9）に接続できません" in refused.stderr
            assert "Traceback" not in refused.stderr
    finally:
        drop_database(url)


def test_search_eval_reports_the_scores_and_refuses_a_bad_file(tmp_path: Path) -> None:
    url = create_database(tmp_path, "evaluation")
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path)}
    judged = ROOT / "tests" / "fixtures" / "search_judged.json"
    try:
        scored = run_cli(["search-eval", str(judged)], env)
        assert scored.returncode == 0, scored.stderr
        assert "recall@10" in scored.stdout and "見つからなかった" in scored.stdout
        bad = tmp_path / "bad.json"
        bad.write_text('{"documents": []}', encoding="utf-8")
        refused = run_cli(["search-eval", str(bad)], env)
        assert refused.returncode == 2 and "判定セット" in refused.stderr
    finally:
        drop_database(url)
