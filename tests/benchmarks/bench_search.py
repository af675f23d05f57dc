"""Search latency of the embedded backend against a naive LIKE search, run on demand:

    .venv/bin/python -m tests.benchmarks.bench_search [--solutions 5000] [--case-studies 1000]

It makes Japanese documents from fixed word lists (the same every run), indexes them into the
embedded backend (SQLite FTS5 with lindera) with the production settings, and stores the same
documents in a plain SQLite table. Then it times the queries users type (compound words, kana,
legal forms, synonyms, prefixes, filters) on both: the embedded search returns a page of 20
with snippets, facet counts and the total; the naive search is `LIKE '%word%'` over title,
summary and body with its count (what the directory did before). It prints p50 and p95 per
backend, the ratio, indexing throughput and the index size. It never passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from api.searching.reference import CASE_STUDY_SETTINGS, DEFAULT_SYNONYMS, SOLUTION_SETTINGS
from search.base import Document, IndexSettings, SearchQuery
from search.embedded import EmbeddedSearch

PLACES = ["熊本", "阿蘇", "天草", "八代", "人吉", "菊池", "玉名", "山鹿", "宇土", "水俣", "合志"]
FORMS = ["株式会社{}", "{}株式会社", "有限会社{}", "合同会社{}", "{}商工会"]
BUSINESS = ["ソフト", "システム", "テック", "アグリ", "データ", "ネット", "工業", "建設", "物産"]
PRODUCTS = [
    "クラウド会計", "勤怠管理", "在庫管理", "設備点検", "スマート農業", "需要予測", "電子帳簿保存",
    "顧客管理", "ネット販売", "予約システム", "セキュリティ診断", "ペーパーレス化", "RPA導入",
    "kintone活用", "IoTセンサー", "ドローン測量", "遠隔見守り", "POSレジ", "テレワーク環境",
    "AI画像検査", "生産管理", "経費精算", "データ分析", "ホームページ制作", "サーバー保守",
]  # fmt: skip
PHRASES = [
    "中小企業の{}を支援します。", "{}で業務の手間を減らします。", "{}の導入から運用まで伴走します。",
    "補助金を活用した{}の導入事例があります。", "現場の{}をタブレットで行えます。",
    "{}によりDXを進めます。", "県内の事業者向けに{}を提供しています。",
]  # fmt: skip
KANA = {"熊本": "クマモト", "阿蘇": "アソ", "天草": "アマクサ", "八代": "ヤツシロ", "人吉": "ヒトヨシ",
        "菊池": "キクチ", "玉名": "タマナ", "山鹿": "ヤマガ", "宇土": "ウト", "水俣": "ミナマタ",
        "合志": "コウシ"}  # fmt: skip
QUERIES = [
    "農業", "クラウド", "点検", "在庫管理", "補助金", "助成金", "DX", "ＤＸ", "kintone", "kintoen",
    "AI", "人工知能", "サーバ", "くまもと", "アソ", "（株）熊本ソフト", "熊本ソフト", "テレワーク",
    "ネット販売", "EC", "予約", "勤怠", "経費", "ドローン", "見守り", "セキュ", "データ分析",
    "POS", "導入 支援", "存在しない言葉",
]  # fmt: skip


def documents(count: int, kind: str, rng: random.Random) -> list[Document]:
    made = []
    for number in range(1, count + 1):
        place = rng.choice(PLACES)
        org = rng.choice(FORMS).format(place + rng.choice(BUSINESS))
        product = rng.choice(PRODUCTS)
        # A page mostly about its own product, mentioning one other (as real ones do).
        other = rng.choice(PRODUCTS)
        body = "".join(rng.choice(PHRASES).format(product) for _ in range(5)) + "".join(
            rng.choice(PHRASES).format(other) for _ in range(2)
        )
        fields: dict[str, object] = {
            "title": f"{place}の{product}" if kind == "case_studies" else product + "サービス",
            "org": org, "org_kana": KANA[place], "summary": rng.choice(PHRASES).format(product),
            "body": body, "industry": [rng.choice("ADEHIKLP")], "municipality": [place + "市"],
        }  # fmt: skip
        if kind == "solutions":
            fields |= {"categories": [product[:4]], "category": [str(rng.randint(1, 12))],
                       "subsidy": rng.choice("01"), "price_model": "subscription",
                       "updated": float(number)}  # fmt: skip
        else:
            fields |= {"themes": [product[:4]], "theme": [str(rng.randint(1, 8))],
                       "published": float(number)}  # fmt: skip
        made.append(Document(f"{number}", fields))  # type: ignore[arg-type]
    return made


def naive_table(path: Path, docs: list[Document]) -> sqlite3.Connection:
    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE doc (id TEXT PRIMARY KEY, title TEXT, summary TEXT, body TEXT)")
    db.executemany(
        "INSERT INTO doc VALUES (?, ?, ?, ?)",
        [(d.id, d.fields["title"], d.fields["summary"], d.fields["body"]) for d in docs],
    )
    db.commit()
    return db


def naive_search(db: sqlite3.Connection, text: str) -> int:
    like = f"%{text}%"
    where = "title LIKE ? OR summary LIKE ? OR body LIKE ?"
    db.execute(f"SELECT id FROM doc WHERE {where} LIMIT 20", (like,) * 3).fetchall()  # noqa: S608
    return db.execute(f"SELECT COUNT(*) FROM doc WHERE {where}", (like,) * 3).fetchone()[0]  # noqa: S608


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(solutions: int, case_studies: int, rounds: int) -> None:
    rng = random.Random(20261206)
    with tempfile.TemporaryDirectory(prefix="kdx-bench-search-") as folder:
        tmp = Path(folder)
        backend = EmbeddedSearch(tmp / "search.sqlite3")
        sets = {"solutions": (SOLUTION_SETTINGS, documents(solutions, "solutions", rng)),
                "case_studies": (CASE_STUDY_SETTINGS, documents(case_studies, "case_studies", rng))}  # fmt: skip
        indexing: dict[str, float] = {}
        for index, (settings, docs) in sets.items():
            await backend.configure(
                index, IndexSettings(settings.searchable, settings.filterable, settings.sortable,
                                     DEFAULT_SYNONYMS),
            )  # fmt: skip
            started = time.perf_counter()
            for start in range(0, len(docs), 200):
                await backend.upsert(index, docs[start : start + 200])
            indexing[index] = len(docs) / (time.perf_counter() - started)
        naive = naive_table(tmp / "naive.sqlite3", sets["solutions"][1])
        size_mb = (tmp / "search.sqlite3").stat().st_size / 1_048_576
        times: dict[str, list[float]] = {"embedded": [], "embedded+filter": [], "naive LIKE": []}
        for _ in range(rounds):
            for text in QUERIES:
                started = time.perf_counter()
                await backend.search("solutions", SearchQuery(
                    text=text, facets=("category", "industry", "municipality")))  # fmt: skip
                times["embedded"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await backend.search("solutions", SearchQuery(
                    text=text, filters={"municipality": ("熊本市", "阿蘇市")},
                    facets=("category", "industry", "municipality"), sort="-updated"))  # fmt: skip
                times["embedded+filter"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                naive_search(naive, text)
                times["naive LIKE"].append((time.perf_counter() - started) * 1000)
        await backend.close()
        naive.close()
    base = statistics.median(times["naive LIKE"])
    print(f"\n{solutions:,} solutions and {case_studies:,} case studies, {len(QUERIES)} queries "
          f"x {rounds} rounds\n")  # fmt: skip
    print("| search | p50 ms | p95 ms | p50 / naive LIKE |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p50 / base:.2f} |")
    print(
        f"\nindexing: {indexing['solutions']:,.0f} solutions/s, "
        f"{indexing['case_studies']:,.0f} case studies/s; index file {size_mb:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--solutions", type=int, default=5000)
    parser.add_argument("--case-studies", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.solutions, args.case_studies, args.rounds))


if __name__ == "__main__":
    main()
