"""The search port (DESIGN.md section 3): one SearchBackend interface (base.py), Japanese text
analysis shared by indexing and querying (analysis.py), snippets (snippets.py), the embedded
backend on SQLite FTS5 (embedded.py) and the Meilisearch backend (meili.py). It knows nothing
about the domain.
"""

from __future__ import annotations

from pathlib import Path

from search.base import SearchBackend, SearchUnavailable


def open_search(search_url: str, data_dir: Path, api_key: str = "") -> SearchBackend:
    """The backend SEARCH_URL names: Meilisearch at an http(s) address, or empty for the
    embedded index under DATA_DIR."""
    if not search_url:
        from search.embedded import EmbeddedSearch

        return EmbeddedSearch(data_dir / "search.sqlite3")
    from search.meili import MeiliSearch

    return MeiliSearch(search_url, api_key)


__all__ = ["SearchBackend", "SearchUnavailable", "open_search"]
