"""The outbox of index updates: the content services note here, in their own transaction,
which documents changed (searching.indexing applies the notes). It imports no domain, so every
domain may call it."""

from __future__ import annotations

from api.articles.tables import Article
from api.searching.reference import CASE_STUDIES, SOLUTIONS
from api.searching.tables import SearchOutbox
from api.solutions.tables import Solution


async def changed(index: str, document_id: int | str) -> None:
    """Note that a document must be rebuilt (inside the caller's transaction, if any)."""
    await SearchOutbox.insert(SearchOutbox(index=index, document_id=str(document_id)))


async def changed_many(index: str, document_ids: list[int]) -> None:
    if document_ids:
        await SearchOutbox.insert(
            *[SearchOutbox(index=index, document_id=str(i)) for i in document_ids]
        )


async def organisation_changed(organisation_id: int) -> None:
    """An organisation's name, reading or status changed: its solutions and the case studies
    about it are rebuilt (a suspended organisation's solutions leave the index)."""
    solutions = await Solution.select(Solution.id).where(Solution.organisation == organisation_id)
    await changed_many(SOLUTIONS, [row["id"] for row in solutions])
    articles = await Article.select(Article.id).where(Article.organisation == organisation_id)
    await changed_many(CASE_STUDIES, [row["id"] for row in articles])
