"""The category taxonomy of the solutions directory, kept by the secretariat.

A category in use (by a solution, or as a recording's theme) is retired (hidden from forms and
filters, kept where it is used) rather than deleted; an unused one can be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.audit.service import record
from api.db import Where, is_storable_id, transaction
from api.errors import Conflict, NotFound, ValidationFailed
from api.principal import Principal
from api.recordings.tables import Recording
from api.searching.outbox import changed_many
from api.searching.reference import SOLUTIONS
from api.solutions.reference import DEFAULT_CATEGORIES, FACET_CATEGORY, MAX_CATEGORY_NAME
from api.solutions.tables import SolutionCategory, SolutionTag
from api.text import clean, required_text_problem

NOT_FOUND = "指定されたカテゴリは見つかりませんでした。"


@dataclass(frozen=True, slots=True)
class CategoryView:
    id: int
    name: str
    position: int
    active: bool
    solution_count: int = 0


def _view(row: dict[str, Any], counts: dict[int, int] | None = None) -> CategoryView:
    return CategoryView(
        id=row["id"],
        name=row["name"],
        position=row["position"],
        active=bool(row["active"]),
        solution_count=(counts or {}).get(row["id"], 0),
    )


async def list_categories(
    *, include_retired: bool = False, with_counts: bool = False
) -> list[CategoryView]:
    """Categories in their order (two queries with counts, one without)."""
    # Written out: every directory page and form reads the categories.
    where = Where() if include_retired else Where().add("active = {}", True)
    rows = await SolutionCategory.raw(
        f"SELECT id, name, position, active FROM solution_category WHERE {where.sql} "  # noqa: S608
        "ORDER BY position, id",
        *where.values,
    )
    counts: dict[int, int] = {}
    if with_counts and rows:
        tag_rows = await SolutionTag.select(SolutionTag.value).where(
            SolutionTag.facet == FACET_CATEGORY
        )
        for tag in tag_rows:
            if tag["value"].isdigit():
                counts[int(tag["value"])] = counts.get(int(tag["value"]), 0) + 1
    return [_view(row, counts) for row in rows]


async def ensure_default_categories() -> int:
    """Seed the taxonomy of a new installation (an empty table); returns how many were made."""
    async with transaction():
        if await SolutionCategory.exists():
            return 0
        await SolutionCategory.insert(
            *[
                SolutionCategory(name=name, position=position)
                for position, name in enumerate(DEFAULT_CATEGORIES)
            ]
        )
    return len(DEFAULT_CATEGORIES)


async def _get(category_id: int) -> dict[str, Any]:
    rows = []
    if is_storable_id(category_id):
        rows = await SolutionCategory.select().where(SolutionCategory.id == category_id)
    if not rows:
        raise NotFound(NOT_FOUND)
    return rows[0]


async def _name_problem(name: str, excluding: int | None = None) -> str | None:
    problem = required_text_problem(name, "カテゴリ名", MAX_CATEGORY_NAME)
    if problem:
        return problem
    query = SolutionCategory.exists().where(SolutionCategory.name == name)
    if excluding is not None:
        query = query.where(SolutionCategory.id != excluding)
    if await query:
        return "同じ名前のカテゴリがすでにあります。"
    return None


async def create_category(actor: Principal, name: object) -> CategoryView:
    text = clean(name, MAX_CATEGORY_NAME)
    async with transaction():
        problem = await _name_problem(text)
        if problem:
            raise ValidationFailed({"name": problem})
        last = (
            await SolutionCategory.select(SolutionCategory.position)
            .order_by(SolutionCategory.position, ascending=False)
            .first()
        )
        rows = await SolutionCategory.insert(
            SolutionCategory(name=text, position=(last["position"] + 1) if last else 0)
        ).returning(SolutionCategory.id)
        category_id = rows[0]["id"]
        await record(actor, "solutions.category_create", "solution_category", category_id,
                     target_label=text)  # fmt: skip
        return _view(await _get(category_id))


async def update_category(
    actor: Principal, category_id: int, *, name: object, position: object, active: bool
) -> CategoryView:
    text = clean(name, MAX_CATEGORY_NAME)
    errors: dict[str, str] = {}
    try:
        order = int(clean(position, 10))
        if not 0 <= order <= 9999:
            raise ValueError
    except ValueError:
        errors["position"] = "表示順は0から9999までの数字で入力してください。"
        order = 0
    async with transaction():
        before = await _get(category_id)
        problem = await _name_problem(text, excluding=category_id)
        if problem:
            errors["name"] = problem
        if errors:
            raise ValidationFailed(errors)
        await SolutionCategory.update(
            {
                SolutionCategory.name: text,
                SolutionCategory.position: order,
                SolutionCategory.active: active,
            }
        ).where(SolutionCategory.id == category_id)
        after = await _get(category_id)
        tagged = await SolutionTag.select(SolutionTag.solution).where(
            (SolutionTag.facet == FACET_CATEGORY) & (SolutionTag.value == str(category_id))
        )
        await changed_many(SOLUTIONS, [row["solution"] for row in tagged])  # names are searched
        await record(
            actor, "solutions.category_update", "solution_category", category_id,
            target_label=text, before=before, after=after,
        )  # fmt: skip
        return _view(after)


async def delete_category(actor: Principal, category_id: int) -> None:
    async with transaction():
        before = await _get(category_id)
        in_use = await SolutionTag.exists().where(
            (SolutionTag.facet == FACET_CATEGORY) & (SolutionTag.value == str(category_id))
        ) or await Recording.exists().where(Recording.theme == category_id)
        if in_use:
            raise Conflict(
                "このカテゴリはソリューションまたは録画のテーマに使われているため削除できません。"
                "「使用しない」にすると一覧と入力欄から外れます。"
            )
        await SolutionCategory.delete().where(SolutionCategory.id == category_id)
        await record(actor, "solutions.category_delete", "solution_category", category_id,
                     target_label=before["name"], before=before)  # fmt: skip
