"""The documents of the indexes, built from the database (its source of truth): a listed
solution, a published case study. Anything else has no document, so an update for it removes
its entry; who may see a document is decided here and again when results are read."""

from __future__ import annotations

from typing import Any

from api.articles.markdown import plain_text
from api.articles.tables import Article, ArticleTheme
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.members.tables import Organisation
from api.searching.reference import CASE_STUDIES, SOLUTIONS
from api.solutions import service as solutions
from search.base import Document


async def _readings(organisation_ids: set[int]) -> dict[int, str]:
    if not organisation_ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name_kana).where(
        Organisation.id.is_in(sorted(organisation_ids))
    )
    return {row["id"]: row["name_kana"] for row in rows}


async def solution_documents(ids: list[int]) -> dict[str, Document]:
    """The entries of the listed solutions among ids, by document id."""
    views = await solutions.listed_views(ids)
    readings = await _readings({view.organisation_id for view in views})
    documents = {}
    for view in views:
        municipalities = list(KUMAMOTO_MUNICIPALITIES) if view.all_kumamoto else view.municipalities
        documents[str(view.id)] = Document(str(view.id), {
            "title": view.title, "org": view.organisation_name,
            "org_kana": readings.get(view.organisation_id, ""),
            "categories": view.category_names, "summary": view.summary,
            "body": plain_text(view.description),
            "category": [str(category_id) for category_id, _ in view.categories],
            "industry": list(view.industries), "municipality": municipalities,
            "subsidy": "1" if view.subsidy_eligible else "0", "price_model": view.price_model,
            "updated": view.updated_at.timestamp(),
        })  # fmt: skip
    return documents


async def case_study_documents(ids: list[int]) -> dict[str, Document]:
    """The entries of the published case studies among ids, by document id."""
    if not ids:
        return {}
    rows = await Article.select(
        Article.id, Article.title, Article.summary, Article.body_markdown,
        Article.organisation_name, Article.organisation, Article.industry, Article.municipality,
        Article.published_at,
    ).where(Article.id.is_in(ids), Article.kind == "case_study", Article.state == "published")  # fmt: skip
    themes: dict[int, list[tuple[int, str]]] = {}
    if rows:
        for theme in await ArticleTheme.select(
            ArticleTheme.article, ArticleTheme.theme, ArticleTheme.theme.name.as_alias("name")
        ).where(ArticleTheme.article.is_in([row["id"] for row in rows])):
            themes.setdefault(theme["article"], []).append((theme["theme"], theme["name"]))
    readings = await _readings({row["organisation"] for row in rows if row["organisation"]})
    documents = {}
    for row in rows:
        own = themes.get(row["id"], [])
        documents[str(row["id"])] = Document(str(row["id"]), {
            "title": row["title"], "org": row["organisation_name"],
            "org_kana": readings.get(row["organisation"] or 0, ""),
            "themes": [name for _, name in own], "summary": row["summary"],
            "body": plain_text(row["body_markdown"]),
            "theme": [str(theme_id) for theme_id, _ in own],
            "industry": [row["industry"]] if row["industry"] in INDUSTRY_LABELS else [],
            "municipality": [row["municipality"]] if row["municipality"] else [],
            "published": row["published_at"].timestamp() if row["published_at"] else 0.0,
        })  # fmt: skip
    return documents


async def published_case_study_ids() -> list[int]:
    rows = await Article.select(Article.id).where(
        Article.kind == "case_study", Article.state == "published"
    )
    return sorted(row["id"] for row in rows)


BUILDERS: dict[str, Any] = {SOLUTIONS: solution_documents, CASE_STUDIES: case_study_documents}
ALL_IDS: dict[str, Any] = {SOLUTIONS: solutions.listed_ids, CASE_STUDIES: published_case_study_ids}
