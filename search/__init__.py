"""The search port (DESIGN.md section 3): one SearchBackend interface (base.py), Japanese text
analysis shared by indexing and querying (analysis.py), and the embedded backend on SQLite FTS5
(embedded.py). It knows nothing about the domain; the Meilisearch backend, the indexing outbox
and the search pages come with the rest of the search issues.
"""

from __future__ import annotations

from pathlib import Path

from search.base import SearchBackend, SearchUnavailable


def open_search(search_url: str, data_dir: Path) -> SearchBackend:
    """The backend SEARCH_URL names: empty for the embedded index under DATA_DIR."""
    if not search_url:
        from search.embedded import EmbeddedSearch

        return EmbeddedSearch(data_dir / "search.sqlite3")
    raise ValueError(
        "SEARCH_URL: Meilisearch は検索の次の段階で使えるようになります。"
        "いまは SEARCH_URL を空にして組み込みの検索を使ってください。"
    )


__all__ = ["SearchBackend", "SearchUnavailable", "open_search"]
