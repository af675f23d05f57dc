"""The `kdx` command: serve, migrate, create-admin, worker, storage-check, reindex, search-check,
search-eval.

Passwords are never taken from argv: create-admin prompts, or reads ADMIN_PASSWORD.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from api.accounts import service as accounts
from api.db import bind_engine, close_pool, create_engine, migrate, prepare_database
from api.errors import ValidationFailed
from api.jobs.worker import Worker
from api.permissions import Role
from api.settings import ConfigurationError, Settings

T = TypeVar("T")


def _with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run one command's work on the migrated database, closing its connections after."""

    async def run() -> T:
        engine = create_engine(settings.effective_database_url, settings.database_pool_size)
        bind_engine(engine)
        try:
            await prepare_database(engine)
            await migrate()
            return await work()
        finally:
            await close_pool(engine)

    return asyncio.run(run())


def _with_search(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    """Run a search command's work with the backend SEARCH_URL selects; a backend that cannot be
    reached or refuses a task ends the command with a Japanese message (exit 1), not a trace."""
    from search import SearchUnavailable, open_search
    from search.meili import SearchTaskFailed

    async def run() -> int:
        backend = open_search(settings.search_url, settings.data_dir, settings.search_api_key)
        try:
            return await work(backend)
        except SearchUnavailable as exc:
            print(f"検索サーバー（SEARCH_URL={settings.search_url}）に接続できません: {exc}",
                  file=sys.stderr)  # fmt: skip
            return 1
        except SearchTaskFailed as exc:
            print(f"検索サーバーが処理を受け付けませんでした: {exc}", file=sys.stderr)
            return 1
        finally:
            await backend.close()

    return _with_database(settings, run)


def _prepare_site(settings: Settings, with_demo_content: bool = False) -> None:
    """Migrate and seed the default pages and categories (and the embedded mode's demo content)
    once, before any server process starts."""
    from api.defaults import ensure_defaults
    from api.demo import load_demo_content

    async def prepare() -> None:
        await ensure_defaults()
        if with_demo_content and settings.demo_content and not settings.is_production:
            await load_demo_content(settings)

    _with_database(settings, prepare)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers > 1:
        # Several processes (SQLite in WAL mode or PostgreSQL): the factory runs in each, so the
        # migrations, the defaults and the demo content are done once beforehand.
        return _serve_uvicorn(settings, args.workers)
    from web.app import create_app

    app = create_app(settings)
    print(
        f"熊本県DX推進コンソーシアム: {settings.public_base_url}/ で待ち受けます（Ctrl+C で終了）"
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                proxy_headers=settings.behind_tls, server_header=False)  # fmt: skip
    return 0


def _serve_uvicorn(settings: Settings, workers: int) -> int:
    import uvicorn

    _prepare_site(settings, with_demo_content=True)
    print(
        f"熊本県DX推進コンソーシアム: {settings.public_base_url}/ で待ち受けます"
        f"（{workers} プロセス、Ctrl+C で終了）"
    )
    uvicorn.run("web.asgi:app", host=settings.host, port=settings.port, workers=workers,
                log_level=settings.log_level.lower(), proxy_headers=settings.behind_tls,
                forwarded_allow_ips="*" if settings.behind_tls else None,
                server_header=False)  # fmt: skip
    return 0


def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    password = os.environ.get("ADMIN_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            print("ADMIN_PASSWORD を設定するか、端末から実行してください。", file=sys.stderr)
            return 2
        password = getpass.getpass("パスワード: ")
        if getpass.getpass("パスワード（確認）: ") != password:
            print("確認用のパスワードが一致しません。", file=sys.stderr)
            return 2

    async def run() -> int:
        try:
            data = accounts.validate_account_input(args.email, args.name, [Role.ADMIN.value])
            view = await accounts.create_account_with_password(
                settings, data, password, action="account.create_admin"
            )
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            return 1
        print(f"システム管理者 {view.email} を作成しました。")
        return 0

    return _with_database(settings, run)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    _prepare_site(settings)
    print("マイグレーションを適用しました。")
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    async def run() -> None:
        worker = Worker(settings)
        try:
            await worker.run_forever(poll_seconds=args.poll)
        finally:
            await worker.close()

    try:
        _with_database(settings, run)
    except KeyboardInterrupt:
        pass
    return 0


def _storage_check(settings: Settings, args: argparse.Namespace) -> int:
    """Objects under recordings/ that no recording names, and recordings whose video is gone."""
    from api.recordings.service import storage_check
    from storage import open_store

    async def run() -> int:
        report = await storage_check(open_store(settings.storage_url, settings.data_dir))
        for key in report.objects_without_record:
            print(f"記録のないオブジェクト: {key}")
        for recording_id, key in report.records_without_object:
            print(f"オブジェクトのない録画: ID {recording_id}（{key}）")
        if not report.objects_without_record and not report.records_without_object:
            print("録画とオブジェクトは一致しています。")
            return 0
        return 1

    return _with_database(settings, run)


def _reindex(settings: Settings, args: argparse.Namespace) -> int:
    """Rebuild every search index from the database, each into a new index swapped in whole."""
    from api.searching import indexing
    from api.searching.reference import INDEX_LABELS, SETTINGS

    def bar(label: str) -> Callable[[int, int], None]:
        def show(done: int, total: int) -> None:
            filled = 30 * done // max(total, 1)
            end = "\n" if done >= total else ""
            print(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end=end,
                  flush=True)  # fmt: skip

        return show

    async def run(backend: Any) -> int:
        for index in SETTINGS:
            label = INDEX_LABELS.get(index, index)
            count = await indexing.reindex(backend, index, bar(label))
            print(
                f"{label}: {count}件を索引しました。"
                if count
                else f"{label}: 索引する文書はありません。"
            )
        return 0

    return _with_search(settings, run)


def _search_check(settings: Settings, args: argparse.Namespace) -> int:
    """Documents missing from, stale in or extra to the search indexes."""
    from api.searching import indexing
    from api.searching.reference import INDEX_LABELS, SETTINGS

    async def run(backend: Any) -> int:
        clean = True
        for index in SETTINGS:
            label = INDEX_LABELS.get(index, index)
            report = await indexing.check(backend, index)
            for title, ids in (("索引にない", report.missing), ("古い", report.stale),
                               ("不要な", report.extra)):  # fmt: skip
                if ids:
                    print(f"{label}: {title}文書 {len(ids)}件: {', '.join(ids[:20])}")
            if report.pending:
                print(f"{label}: 反映待ちの更新 {report.pending}件")
            clean = clean and report.clean
            if report.clean:
                print(f"{label}: 索引はデータベースと一致しています。")
        return 0 if clean else 1

    return _with_search(settings, run)


def _search_eval(settings: Settings, args: argparse.Namespace) -> int:
    """Score the configured backend on a judged set: recall@10, MRR@10, nDCG@10, the misses."""
    import json

    from api.searching import indexing
    from api.searching.evaluation import JudgedSet, JudgedSetInvalid, evaluate

    try:
        judged = JudgedSet.of(json.loads(Path(args.file).read_text(encoding="utf-8")))
        synonyms = None
        if args.synonyms:
            groups = json.loads(Path(args.synonyms).read_text(encoding="utf-8"))
            synonyms = tuple(tuple(str(word) for word in group) for group in groups)
    except (OSError, ValueError) as exc:
        kind = "判定セット" if isinstance(exc, JudgedSetInvalid) else "ファイル"
        print(f"{kind}を読めません: {exc}", file=sys.stderr)
        return 2

    async def run(backend: Any) -> int:
        if synonyms is None:
            await indexing.ensure_default_synonyms()  # a new database: the defaults
        groups = synonyms if synonyms is not None else await indexing.synonym_groups()
        result = await evaluate(backend, judged, groups)
        if args.json:
            print(
                json.dumps({o.q: o.ranked for o in result.outcomes}, ensure_ascii=False, indent=1)
            )
            return 0
        empty, unanswerable = result.unanswerable_empty
        print(
            f"検索の評価: {len(result.outcomes)}件の質問（答えのあるもの {len(result.answered)}件）"
        )
        print(f"recall@10 {result.recall:.3f}  MRR@10 {result.mrr:.3f}  nDCG@10 {result.ndcg:.3f}")
        print(f"答えのない質問で何も返さなかったもの: {empty}/{unanswerable}")
        for outcome in result.outcomes:
            if outcome.missed:
                print(f"見つからなかった: 「{outcome.q}」 → {', '.join(outcome.missed)}")
            elif not outcome.answered and outcome.ranked:
                print(f"答えがないのに返した: 「{outcome.q}」 → {', '.join(outcome.ranked)}")
        return 0

    return _with_search(settings, run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kdx", description="熊本県DX推進コンソーシアム")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="サイトを起動する")
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="データベースのマイグレーションを適用する")
    admin = sub.add_parser("create-admin", help="システム管理者を作成する")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="システム管理者")
    worker = sub.add_parser("worker", help="バックグラウンドジョブを実行する")
    worker.add_argument("--poll", type=float, default=1.0)
    sub.add_parser(
        "storage-check", help="記録のないオブジェクトと、オブジェクトのない録画を一覧にする"
    )
    sub.add_parser("reindex", help="検索の索引をデータベースから作り直す")
    sub.add_parser("search-check", help="検索の索引とデータベースの食い違いを一覧にする")
    evaluation = sub.add_parser("search-eval", help="判定セットで検索の関連度を評価する")
    evaluation.add_argument("file", help="documents と queries を持つ JSON")
    evaluation.add_argument("--synonyms", help="同義語のグループの JSON（リストのリスト）")
    evaluation.add_argument("--json", action="store_true", help="質問ごとの順位を JSON で出す")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env().validate()
    except ConfigurationError as exc:
        print(f"設定エラー: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    handlers = {
        "serve": _serve,
        "migrate": _migrate,
        "create-admin": _create_admin,
        "worker": _worker,
        "storage-check": _storage_check,
        "reindex": _reindex,
        "search-check": _search_check,
        "search-eval": _search_eval,
    }
    return handlers[args.command](settings, args)


if __name__ == "__main__":
    sys.exit(main())
