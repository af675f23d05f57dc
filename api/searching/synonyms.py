"""Synonym groups, kept by staff: words that mean the same to the people who search (DX and
デジタルトランスフォーメーション). A change is saved, audited and given to the search backend
at once as index settings (no reindex, no downtime: the embedded backend applies them to the
next query, Meilisearch through a settings task).

A preview shows what the words of a group find, each alone and all together: once the group is
saved, searching any of its words finds what all of them find.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from api.audit import service as audit
from api.db import is_storable_id, transaction
from api.errors import NotFound, ValidationFailed
from api.principal import Principal
from api.searching.indexing import configure_indexes, stored_words
from api.searching.reference import INDEX_LABELS
from api.searching.service import run_search
from api.searching.tables import SearchSynonym
from search.base import SearchBackend, SearchQuery, SearchUnavailable

MAX_WORDS = 10
MAX_WORD_LENGTH = 40
MAX_GROUPS = 500
PREVIEW_TITLES = 5
PREVIEW_COUNTED = 200  # documents per word counted into what the group finds together
NOT_FOUND = "同義語のグループが見つかりません。"
_SEPARATORS = str.maketrans({",": "\n", "、": "\n", "，": "\n", "=": "\n", "＝": "\n"})


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    id: int
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words one per line, as the form edits them."""
        return "\n".join(self.words)


def parse_words(text: object) -> tuple[str, ...]:
    """The words of a group from the form: one per line (commas and 、 also separate), width
    and spaces normalised, duplicates dropped; refused in Japanese unless 2 to 10 words."""
    raw = unicodedata.normalize("NFKC", str(text or "")).translate(_SEPARATORS)
    words: list[str] = []
    seen: set[str] = set()
    for line in raw.splitlines():
        word = " ".join(line.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            words.append(word)
    problem = None
    if any(len(word) > MAX_WORD_LENGTH for word in words):
        problem = f"言葉はそれぞれ{MAX_WORD_LENGTH}文字以内で入力してください。"
    elif any(not character.isprintable() for word in words for character in word):
        problem = "言葉に使えない文字が含まれています。"
    elif len(words) < 2:
        problem = "同じ意味の言葉を2つ以上、1行に1つずつ入力してください。"
    elif len(words) > MAX_WORDS:
        problem = f"1つのグループの言葉は{MAX_WORDS}個までです。"
    if problem:
        raise ValidationFailed({"words": problem})
    return tuple(words)


async def list_groups() -> list[SynonymGroup]:
    rows = await SearchSynonym.select(SearchSynonym.id, SearchSynonym.words).order_by(
        SearchSynonym.id
    )
    return [SynonymGroup(row["id"], stored_words(row["words"])) for row in rows]


async def get_group(group_id: int) -> SynonymGroup:
    row = (
        await SearchSynonym.select(SearchSynonym.id, SearchSynonym.words)
        .where(SearchSynonym.id == group_id)
        .first()
        if is_storable_id(group_id)
        else None
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return SynonymGroup(row["id"], stored_words(row["words"]))


async def _check_words(words: tuple[str, ...], except_id: int | None = None) -> None:
    """A word belongs to one group: two groups sharing it would make one unclear group."""
    taken = {
        word.casefold(): group
        for group in await list_groups()
        if group.id != except_id
        for word in group.words
    }
    for word in words:
        if word.casefold() in taken:
            raise ValidationFailed(
                {
                    "words": f"「{word}」はすでに別のグループ（{'・'.join(taken[word.casefold()].words)}）にあります。"
                }
            )


async def create_group(
    principal: Principal, text: object, backend: SearchBackend | None
) -> SynonymGroup:
    words = parse_words(text)
    async with transaction():
        await _check_words(words)
        if await SearchSynonym.count() >= MAX_GROUPS:
            raise ValidationFailed({"words": f"グループは{MAX_GROUPS}個までです。"})
        rows = await SearchSynonym.insert(SearchSynonym(words="\n".join(words))).returning(
            SearchSynonym.id
        )
        group = SynonymGroup(int(rows[0]["id"]), words)
        await audit.record(
            principal, "search.synonyms.create", "search_synonym", group.id,
            target_label="・".join(words), after={"words": list(words)},
        )  # fmt: skip
    await _apply(backend)
    return group


async def update_group(
    principal: Principal, group_id: int, text: object, backend: SearchBackend | None
) -> SynonymGroup:
    words = parse_words(text)
    async with transaction():
        before = await get_group(group_id)
        await _check_words(words, except_id=group_id)
        await SearchSynonym.update({SearchSynonym.words: "\n".join(words)}).where(
            SearchSynonym.id == group_id
        )
        await audit.record(
            principal, "search.synonyms.update", "search_synonym", group_id,
            target_label="・".join(words), before={"words": list(before.words)},
            after={"words": list(words)},
        )  # fmt: skip
    await _apply(backend)
    return SynonymGroup(group_id, words)


async def delete_group(principal: Principal, group_id: int, backend: SearchBackend | None) -> None:
    async with transaction():
        before = await get_group(group_id)
        await SearchSynonym.delete().where(SearchSynonym.id == group_id)
        await audit.record(
            principal, "search.synonyms.delete", "search_synonym", group_id,
            target_label="・".join(before.words), before={"words": list(before.words)},
        )  # fmt: skip
    await _apply(backend)


async def _apply(backend: SearchBackend | None) -> None:
    """Give the groups to the backend now; when it is down, the next start (or the worker's
    next configuration) applies them, and the change itself is kept."""
    if backend is None:
        return
    try:
        await configure_indexes(backend)
    except SearchUnavailable:
        pass


@dataclass(frozen=True, slots=True)
class WordPreview:
    word: str
    counts: dict[str, int]  # index -> documents found
    titles: dict[str, list[str]]  # index -> the first titles


@dataclass(frozen=True, slots=True)
class Preview:
    words: tuple[str, ...]
    per_word: list[WordPreview]
    together: dict[str, int]  # index -> documents any word finds (what each finds once saved)
    capped: bool  # a word found more than PREVIEW_COUNTED: `together` is at least that

    @property
    def index_labels(self) -> dict[str, str]:
        return INDEX_LABELS


async def preview(text: object, backend: SearchBackend) -> Preview:
    """What each word finds today and what the group will find (no search is logged)."""
    words = parse_words(text)
    per_word: list[WordPreview] = []
    found: dict[str, set[str]] = {index: set() for index in INDEX_LABELS}
    for word in words:
        counts: dict[str, int] = {}
        titles: dict[str, list[str]] = {}
        for index in INDEX_LABELS:
            result = await run_search(
                backend, index, SearchQuery(text=word, per_page=PREVIEW_COUNTED)
            )
            counts[index] = result.total
            titles[index] = [str(hit.fields.get("title", "")) for hit in result.hits][
                :PREVIEW_TITLES
            ]
            found[index].update(hit.id for hit in result.hits)
        per_word.append(WordPreview(word, counts, titles))
    capped = any(count > PREVIEW_COUNTED for item in per_word for count in item.counts.values())
    return Preview(words, per_word, {index: len(ids) for index, ids in found.items()}, capped)
