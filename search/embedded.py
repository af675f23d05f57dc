"""The embedded search backend (the default, no server): SQLite FTS5 in a database file of its own.

Each index has five tables: <index>_doc (the documents as given, in JSON), <index>_fts (one
FTS5 column per searchable field holding its terms from search.analysis, separated by spaces,
with prefix indexes for typing), <index>_facet (one row per filterable value, for filters and
facet counts), <index>_sortkey (the sortable values) and <index>_vocab (FTS5's own term list,
for typo tolerance). Settings live in
search_index; changing synonyms needs no reindex, changing the searchable fields rebuilds the
terms from the stored documents.

A query is built from the user's text by the same analysis: each run of one script becomes a
phrase (its terms adjacent), the runs must all match, the last one also as a prefix (results
while typing); a synonym's words match its partners' words; a Latin word of five letters or more
that the index lacks also matches indexed words one edit away (kintoen finds kintone). BM25
ranks with the field weights. Snippets are cut from the original text, escaped, with <mark>
around the terms that matched.

SQLite calls run in a worker thread on one connection (writes are small and serialised by a
lock); the file is separate from the application database, so a rebuild never blocks it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.analysis import (
    QUERY_PARTICLES,
    analyse_runs,
    index_text,
    script_of,
    terms_of,
)
from search.base import (
    TYPO_MIN_LENGTH,
    Document,
    FieldValue,
    IndexSettings,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
    UnknownField,
    digest,
    field_text,
)
from search.snippets import highlight, mark_form

_INDEX_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LATIN = re.compile(r"^[a-z0-9]+$")


def _check_index(index: str) -> str:
    if not _INDEX_NAME.match(index):
        raise ValueError(f"invalid index name: {index!r}")
    return index


def _as_values(value: FieldValue) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def _phrase(terms: list[str], prefix: bool = False) -> str:
    quoted = '"' + " ".join(term.replace('"', '""') for term in terms) + '"'
    return quoted + (" *" if prefix else "")


def within_one_edit(a: str, b: str) -> bool:
    """Whether b is a away by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for index in range(len(long)):
        if long[:index] + long[index + 1 :] == short:
            return True
    return False


@dataclass(slots=True)
class _Plan:
    """A query as FTS5 will run it, and what a snippet marks."""

    match: str  # the FTS5 expression ("" matches every document)
    marks: set[str]  # folded strings whose occurrences a snippet marks


class EmbeddedSearch(SearchBackend):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS search_index (name TEXT PRIMARY KEY, settings TEXT)"
        )
        # The matches of the search being run (this connection's own, in memory).
        self._connection.execute("PRAGMA temp_store=MEMORY")
        self._connection.execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_hits (doc INTEGER PRIMARY KEY, score REAL)"
        )
        self._connection.commit()
        self._lock = threading.Lock()
        self._settings: dict[str, IndexSettings] = {}
        self._latin_terms: dict[str, set[str]] = {}  # per index, dropped on every write
        self._data_version = -1

    async def _run(self, function: Any, *args: Any) -> Any:
        def locked() -> Any:
            with self._lock:
                return function(*args)

        return await asyncio.to_thread(locked)

    # --- settings ----------------------------------------------------------------------------

    def _load_settings(self, index: str) -> IndexSettings:
        if index not in self._settings:
            row = self._connection.execute(
                "SELECT settings FROM search_index WHERE name = ?", (index,)
            ).fetchone()
            if row is None:
                raise LookupError(f"index {index!r} is not configured")
            data = json.loads(row["settings"])
            self._settings[index] = IndexSettings(
                searchable=tuple((name, float(weight)) for name, weight in data["searchable"]),
                filterable=tuple(data["filterable"]), sortable=tuple(data["sortable"]),
                synonyms=tuple(tuple(group) for group in data["synonyms"]),
            )  # fmt: skip
        return self._settings[index]

    def _facet_indexes(self, index: str) -> None:
        self._connection.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}_facet_value" ON "{index}_facet" (field, value, doc)'
        )
        self._connection.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}_facet_doc" ON "{index}_facet" (doc)'
        )

    @staticmethod
    def _settings_json(settings: IndexSettings) -> str:
        return json.dumps({
            "searchable": settings.searchable, "filterable": settings.filterable,
            "sortable": settings.sortable, "synonyms": settings.synonyms,
        }, ensure_ascii=False)  # fmt: skip

    def _configure_sync(self, index: str, settings: IndexSettings) -> None:
        db = self._connection
        try:
            before = self._load_settings(index)
        except LookupError:
            before = None
        fields = [name for name, _ in settings.searchable]
        columns = ", ".join(f'"{name}"' for name in fields)
        with db:
            db.execute(
                f'CREATE TABLE IF NOT EXISTS "{index}_doc" '
                "(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, fields TEXT NOT NULL)"
            )
            db.execute(
                f'CREATE TABLE IF NOT EXISTS "{index}_facet" '
                "(doc INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)"
            )
            db.execute(
                f'CREATE TABLE IF NOT EXISTS "{index}_sortkey" (field TEXT NOT NULL, '
                "doc INTEGER NOT NULL, num REAL, txt TEXT, PRIMARY KEY (field, doc)) WITHOUT ROWID"
            )
            self._facet_indexes(index)
            rebuild = before is None or [n for n, _ in before.searchable] != fields
            if rebuild:
                db.execute(f'DROP TABLE IF EXISTS "{index}_vocab"')
                db.execute(f'DROP TABLE IF EXISTS "{index}_fts"')
                db.execute(
                    f'CREATE VIRTUAL TABLE "{index}_fts" USING fts5({columns}, '
                    "tokenize='unicode61 remove_diacritics 0', prefix='1 2')"
                )
                db.execute(
                    f'CREATE VIRTUAL TABLE "{index}_vocab" USING fts5vocab("{index}_fts", row)'
                )
            refacet = before is None or (before.filterable, before.sortable) != (
                settings.filterable,
                settings.sortable,
            )
            db.execute(
                "INSERT INTO search_index (name, settings) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET settings = excluded.settings",
                (index, self._settings_json(settings)),
            )
            self._settings[index] = settings
            if before is not None and (rebuild or refacet):
                rows = db.execute(f'SELECT rowid, id, fields FROM "{index}_doc"').fetchall()
                if refacet:
                    db.execute(f'DELETE FROM "{index}_facet"')
                    db.execute(f'DELETE FROM "{index}_sortkey"')
                for row in rows:
                    values = json.loads(row["fields"])
                    if rebuild:
                        self._write_terms(index, settings, row["rowid"], values)
                    if refacet:
                        self._write_facets(index, settings, row["rowid"], values)
        self._latin_terms.pop(index, None)

    async def configure(self, index: str, settings: IndexSettings) -> None:
        await self._run(self._configure_sync, _check_index(index), settings)

    # --- writing -----------------------------------------------------------------------------

    def _write_terms(
        self, index: str, settings: IndexSettings, rowid: int, values: dict[str, Any]
    ) -> None:
        fields = [name for name, _ in settings.searchable]
        texts = [index_text(field_text(values.get(name))) for name in fields]
        columns = ", ".join(f'"{name}"' for name in fields)
        marks = ", ".join("?" for _ in fields)
        self._connection.execute(
            f'INSERT INTO "{index}_fts" (rowid, {columns}) VALUES (?, {marks})', (rowid, *texts)
        )

    def _write_facets(
        self, index: str, settings: IndexSettings, rowid: int, values: dict[str, Any]
    ) -> None:
        rows = [
            (rowid, name, value)
            for name in settings.filterable
            for value in _as_values(values.get(name))
        ]
        self._connection.executemany(
            f'INSERT INTO "{index}_facet" (doc, field, value) VALUES (?, ?, ?)', rows
        )
        # Sort keys in a column of their own: reading them out of each document's JSON made a
        # sorted search over thousands of matches slow.
        keys = []
        for name in settings.sortable:
            value = values.get(name)
            number = float(value) if isinstance(value, int | float) else None
            keys.append((name, rowid, number, None if number is not None else field_text(value)))
        self._connection.executemany(
            f'INSERT INTO "{index}_sortkey" (field, doc, num, txt) VALUES (?, ?, ?, ?)', keys
        )

    def _remove(self, index: str, ids: list[str]) -> None:
        db = self._connection
        for document_id in ids:
            row = db.execute(
                f'SELECT rowid FROM "{index}_doc" WHERE id = ?', (document_id,)
            ).fetchone()
            if row is None:
                continue
            db.execute(f'DELETE FROM "{index}_fts" WHERE rowid = ?', (row["rowid"],))
            db.execute(f'DELETE FROM "{index}_facet" WHERE doc = ?', (row["rowid"],))
            db.execute(f'DELETE FROM "{index}_sortkey" WHERE doc = ?', (row["rowid"],))
            db.execute(f'DELETE FROM "{index}_doc" WHERE rowid = ?', (row["rowid"],))

    def _upsert_sync(self, index: str, documents: list[Document]) -> None:
        settings = self._load_settings(index)
        db = self._connection
        with db:
            self._remove(index, [document.id for document in documents])
            for document in documents:
                cursor = db.execute(
                    f'INSERT INTO "{index}_doc" (id, fields) VALUES (?, ?)',
                    (document.id, json.dumps(document.fields, ensure_ascii=False)),
                )
                rowid = int(cursor.lastrowid or 0)
                self._write_terms(index, settings, rowid, document.fields)
                self._write_facets(index, settings, rowid, document.fields)
        self._latin_terms.pop(index, None)

    async def upsert(self, index: str, documents: list[Document]) -> None:
        if documents:
            await self._run(self._upsert_sync, _check_index(index), documents)

    def _delete_sync(self, index: str, ids: list[str]) -> None:
        self._load_settings(index)
        with self._connection:
            self._remove(index, ids)
        self._latin_terms.pop(index, None)

    async def delete(self, index: str, ids: list[str]) -> None:
        if ids:
            await self._run(self._delete_sync, _check_index(index), ids)

    def _clear_sync(self, index: str) -> None:
        self._load_settings(index)
        with self._connection as db:
            for table in ("fts", "facet", "sortkey", "doc"):
                db.execute(f'DELETE FROM "{index}_{table}"')
        self._latin_terms.pop(index, None)

    async def clear(self, index: str) -> None:
        await self._run(self._clear_sync, _check_index(index))

    def _replace_sync(self, index: str, staging: str) -> None:
        settings = self._load_settings(staging)
        db = self._connection
        with db:
            for table in ("vocab", "fts", "facet", "sortkey", "doc"):
                db.execute(f'DROP TABLE IF EXISTS "{index}_{table}"')
            db.execute(f'DROP TABLE IF EXISTS "{staging}_vocab"')  # it names its table
            for table in ("fts", "facet", "sortkey", "doc"):
                db.execute(f'ALTER TABLE "{staging}_{table}" RENAME TO "{index}_{table}"')
            # Indexes move with their table but keep their names: made again under the new one.
            db.execute(f'DROP INDEX IF EXISTS "{staging}_facet_value"')
            db.execute(f'DROP INDEX IF EXISTS "{staging}_facet_doc"')
            self._facet_indexes(index)
            db.execute(f'CREATE VIRTUAL TABLE "{index}_vocab" USING fts5vocab("{index}_fts", row)')
            db.execute("DELETE FROM search_index WHERE name IN (?, ?)", (index, staging))
            db.execute(
                "INSERT INTO search_index (name, settings) SELECT ?, ?",
                (index, self._settings_json(settings)),
            )
        self._settings[index] = settings
        self._settings.pop(staging, None)
        self._latin_terms.pop(index, None)
        self._latin_terms.pop(staging, None)

    async def replace(self, index: str, staging: str) -> None:
        await self._run(self._replace_sync, _check_index(index), _check_index(staging))

    def _ids_sync(self, index: str) -> set[str]:
        self._load_settings(index)
        return {row["id"] for row in self._connection.execute(f'SELECT id FROM "{index}_doc"')}

    async def document_ids(self, index: str) -> set[str]:
        return await self._run(self._ids_sync, _check_index(index))

    def _digests_sync(self, index: str) -> dict[str, str]:
        self._load_settings(index)
        rows = self._connection.execute(f'SELECT id, fields FROM "{index}_doc"')
        return {row["id"]: digest(json.loads(row["fields"])) for row in rows}

    async def digests(self, index: str) -> dict[str, str]:
        return await self._run(self._digests_sync, _check_index(index))

    # --- searching ---------------------------------------------------------------------------

    def _latin_vocabulary(self, index: str) -> set[str]:
        if index not in self._latin_terms:
            rows = self._connection.execute(
                f"SELECT term FROM \"{index}_vocab\" WHERE term >= '0' AND term < '{{'"
            )
            self._latin_terms[index] = {r["term"] for r in rows if _LATIN.match(r["term"])}
        return self._latin_terms[index]

    def _plan(self, index: str, settings: IndexSettings, text: str) -> _Plan:
        runs = [[term.text for term in run] for run in analyse_runs(text)]
        if len(runs) > 1:
            runs = [run for run in runs if " ".join(run) not in QUERY_PARTICLES] or runs
        flat = [(term, number) for number, run in enumerate(runs[:32]) for term in run]
        groups = synonym_terms(settings.synonyms)

        def synonym_at(position: int) -> tuple[list[tuple[str, list[str]]], int] | None:
            for group in groups:
                for _, words in group:
                    size = len(words)
                    if size and [t for t, _ in flat[position : position + size]] == words:
                        return group, size
            return None

        plan = _Plan("", set())
        clauses: list[str] = []
        position = 0
        while position < len(flat):
            found = synonym_at(position)
            if found is not None:
                group, size = found
                plan.marks.update(mark_form(word) for word, _ in group)
                clauses.append("(" + " OR ".join(_phrase(w) for _, w in group if w) + ")")
                position += size
                continue
            run_number, terms = flat[position][1], []
            while (
                position < len(flat)
                and flat[position][1] == run_number
                and (not terms or synonym_at(position) is None)
            ):
                terms.append(flat[position][0])
                position += 1
            clauses.append(self._run_clause(index, terms, position == len(flat), plan))
        plan.match = " AND ".join(clauses)
        return plan

    def _run_clause(self, index: str, run: list[str], last: bool, plan: _Plan) -> str:
        """A run's terms as a phrase (the last one also as a prefix, for typing); a Latin word
        the index lacks also matches the indexed words one edit away."""
        plan.marks.add(_surface(run))
        if script_of(run[0][0]) == "kanji":
            plan.marks.update(run)  # each word of a compound, where it stands alone
        clause = _phrase(run, prefix=last)
        if len(run) == 1 and _LATIN.match(run[0]) and len(run[0]) >= TYPO_MIN_LENGTH:
            vocabulary = self._latin_vocabulary(index)
            if run[0] not in vocabulary:
                near = sorted(term for term in vocabulary if within_one_edit(run[0], term))
                plan.marks.update(near)
                clause = "(" + " OR ".join([clause, *(_phrase([t]) for t in near[:10])]) + ")"
        return clause

    def _forget_if_changed_elsewhere(self) -> None:
        """Another process (the worker, another app process) wrote to the file: the settings
        (synonyms) and the word lists this one keeps may be out of date."""
        version = self._connection.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self._settings.clear()
            self._latin_terms.clear()

    def _search_sync(self, index: str, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        self._forget_if_changed_elsewhere()
        settings = self._load_settings(index)
        for name in [*query.filters, *query.facets]:
            if name not in settings.filterable:
                raise UnknownField(name)
        sort_field = query.sort.lstrip("-")
        if sort_field and sort_field not in settings.sortable:
            raise UnknownField(sort_field)
        plan = self._plan(index, settings, query.text)
        params: list[Any] = []
        if plan.match:
            weights = ", ".join(str(weight) for _, weight in settings.searchable)
            matched = (
                f'SELECT rowid AS doc, bm25("{index}_fts", {weights}) AS score '
                f'FROM "{index}_fts" WHERE "{index}_fts" MATCH ?'
            )
            params.append(plan.match)
        else:
            matched = f'SELECT rowid AS doc, 0.0 AS score FROM "{index}_doc"'
        # Each filter removes the matches without one of its values, one statement each: as
        # conditions of the match they made SQLite look the facets up per matching document.
        filters = []
        for name, values in query.filters.items():
            wanted = [str(value) for value in values][:50]
            if wanted:
                marks = ", ".join("?" for _ in wanted)
                filters.append((
                    "DELETE FROM temp.search_hits WHERE doc NOT IN "
                    f'(SELECT doc FROM "{index}_facet" WHERE field = ? AND value IN ({marks}))',
                    [name, *wanted],
                ))  # fmt: skip
        sort_join, sort_params = "", []
        if sort_field:
            direction = "DESC" if query.sort.startswith("-") else "ASC"
            sort_join = f'LEFT JOIN "{index}_sortkey" k ON k.field = ? AND k.doc = h.doc '
            sort_params = [sort_field]
            order = f"k.num {direction}, k.txt {direction}, h.score, d.rowid"
        else:
            order = "h.score, d.rowid DESC"
        db = self._connection
        try:
            # The match runs once, into a table in memory that the page, the total and the
            # facet counts read (as one statement each they ran it three times).
            db.execute("DELETE FROM temp.search_hits")
            db.execute(
                f"INSERT INTO temp.search_hits (doc, score) SELECT m.doc, m.score FROM ({matched}) m",
                params,
            )
            for statement, values in filters:
                db.execute(statement, values)
            rows = db.execute(
                f'SELECT d.id, d.fields, h.score FROM temp.search_hits h JOIN "{index}_doc" d '
                f"ON d.rowid = h.doc {sort_join}ORDER BY {order} LIMIT ? OFFSET ?",
                (*sort_params, query.per_page, query.offset),
            ).fetchall()
            total = db.execute("SELECT COUNT(*) FROM temp.search_hits").fetchone()[0]
            facets: dict[str, dict[str, int]] = {name: {} for name in query.facets}
            if query.facets:
                marks = ", ".join("?" for _ in query.facets)
                for row in db.execute(
                    f'SELECT f.field, f.value, COUNT(*) AS n FROM temp.search_hits h JOIN "{index}_facet" f '
                    f"ON f.doc = h.doc WHERE f.field IN ({marks}) GROUP BY f.field, f.value "
                    "ORDER BY n DESC, f.value",
                    query.facets,
                ):
                    facets[row["field"]][row["value"]] = row["n"]
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                return SearchResult([], 0, {name: {} for name in query.facets}, 0.0)
            raise
        finally:
            # Writing the hits table began a transaction: ending it lets the next search see
            # what other processes wrote since (an open one would keep this snapshot forever).
            db.commit()
        hits = []
        for row in rows:
            fields = json.loads(row["fields"])
            highlights = {
                name: highlight(field_text(fields.get(name)), plan.marks)
                for name, _ in settings.searchable
            }
            hits.append(SearchHit(row["id"], fields, highlights, -float(row["score"])))
        took = (time.perf_counter() - started) * 1000
        return SearchResult(hits, int(total), facets, took)

    async def search(self, index: str, query: SearchQuery) -> SearchResult:
        return await self._run(self._search_sync, _check_index(index), query)

    async def close(self) -> None:
        await self._run(self._connection.close)


@functools.lru_cache(maxsize=16)
def synonym_terms(
    synonyms: tuple[tuple[str, ...], ...],
) -> list[list[tuple[str, list[str]]]]:
    """Each synonym group's words with their terms, analysed once per set of synonyms rather
    than on every query."""
    return [[(word, terms_of(word)) for word in group] for group in synonyms]


def _surface(terms: list[str]) -> str:
    """The folded text a run's terms came from: kana pairs overlap (くら らう うど: くらうど),
    words follow each other."""
    if len(terms) > 1 and all(len(t) == 2 for t in terms) and script_of(terms[0][0]) != "kanji":
        return terms[0] + "".join(term[1] for term in terms[1:])
    return "".join(terms)
