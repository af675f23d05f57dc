"""What every installation starts with, production included: the static pages, the solution
categories and the search synonyms. Run once by the migrating process; editors' and staff's
later changes are kept."""

from __future__ import annotations

from api.articles.default_pages import ensure_default_pages
from api.searching.indexing import ensure_default_synonyms, queue_everything
from api.solutions.taxonomy import ensure_default_categories


async def ensure_defaults() -> None:
    await ensure_default_pages()
    await ensure_default_categories()
    if await ensure_default_synonyms():
        # The first start with search (a new database, or one from before it): every document
        # is queued once, and the worker builds the indexes.
        await queue_everything()
