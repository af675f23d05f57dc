"""Synonym groups kept by staff: parsed and refused in Japanese, one group per word, audited,
applied to the index at once (no reindex), and a preview of what a group will find."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.audit.tables import AuditEntry
from api.errors import NotFound, ValidationFailed
from api.permissions import Role
from api.principal import Principal
from api.searching import indexing, synonyms
from api.searching.reference import CASE_STUDIES, SOLUTIONS
from api.searching.tables import SearchSynonym
from api.settings import Settings
from search.base import Document, SearchBackend, SearchQuery
from search.embedded import EmbeddedSearch
from tests.conftest import make_account

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
async def staff(settings: Settings) -> Principal:
    account = await make_account(settings, "staff@example.jp", {Role.STAFF})
    return Principal(account_id=account.id, email=account.email, display_name="事務局",
                     roles=frozenset({Role.STAFF}))  # fmt: skip


def solution(id_: str, title: str, body: str = "") -> Document:
    return Document(id_, {
        "title": title, "org": "", "org_kana": "", "categories": "", "summary": "",
        "body": body, "category": [], "industry": [], "municipality": [], "subsidy": "0",
        "price_model": "", "updated": 1,
    })  # fmt: skip


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[SearchBackend]:
    search = EmbeddedSearch(tmp_path / "search.sqlite3")
    await indexing.configure_indexes(search)
    await search.upsert(SOLUTIONS, [
        solution("1", "農作業の記録アプリ"), solution("2", "スマート農業の導入支援"),
        solution("3", "会計ソフト"),
    ])  # fmt: skip
    yield search
    await search.close()


async def ids(backend: SearchBackend, text: str) -> set[str]:
    return {hit.id for hit in (await backend.search(SOLUTIONS, SearchQuery(text=text))).hits}


def test_words_are_parsed_one_per_line_or_by_commas() -> None:
    assert synonyms.parse_words("ＤＸ\n デジタル  変革 \n\nDX") == ("DX", "デジタル 変革")
    assert synonyms.parse_words("農作業、農業,農事") == ("農作業", "農業", "農事")
    for bad, message in (
        ("", "2つ以上"), ("農業", "2つ以上"), ("農業\n農業", "2つ以上"),
        ("\n".join(f"語{i}" for i in range(11)), "10個まで"),
        ("農業\n" + "あ" * 41, "40文字以内"), ("農業\n農\x00作業", "使えない文字"),
    ):  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            synonyms.parse_words(bad)
        assert message in caught.value.errors["words"], bad


async def test_a_new_group_applies_at_once_and_is_audited(
    backend: SearchBackend, staff: Principal
) -> None:
    assert await ids(backend, "農作業") == {"1"}
    group = await synonyms.create_group(staff, "農作業\n農業", backend)
    assert await ids(backend, "農作業") == {"1", "2"}  # no reindex
    assert await ids(backend, "農業") == {"1", "2"}
    entry = await AuditEntry.select().where(AuditEntry.action == "search.synonyms.create").first()
    assert entry is not None and entry["target_id"] == str(group.id)
    assert "農作業" in entry["target_label"]

    await synonyms.update_group(staff, group.id, "農作業\n会計", backend)
    assert await ids(backend, "農作業") == {"1", "3"}
    await synonyms.delete_group(staff, group.id, backend)
    assert await ids(backend, "農作業") == {"1"}
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action)]
    assert actions.count("search.synonyms.update") == 1
    assert actions.count("search.synonyms.delete") == 1
    with pytest.raises(NotFound):
        await synonyms.get_group(group.id)


async def test_a_word_belongs_to_one_group(backend: SearchBackend, staff: Principal) -> None:
    first = await synonyms.create_group(staff, "農作業\n農業", backend)
    with pytest.raises(ValidationFailed) as caught:
        await synonyms.create_group(staff, "のうぎょう\n農業", backend)
    assert "「農業」はすでに別のグループ（農作業・農業）にあります" in caught.value.errors["words"]
    assert await SearchSynonym.count() == 1
    await synonyms.update_group(staff, first.id, "農業\n農作業\n農事", backend)  # its own words


async def test_a_preview_shows_each_word_and_the_group_together(backend: SearchBackend) -> None:
    preview = await synonyms.preview("農作業\n農業", backend)
    assert [item.word for item in preview.per_word] == ["農作業", "農業"]
    assert preview.per_word[0].counts == {SOLUTIONS: 1, CASE_STUDIES: 0}
    assert preview.per_word[1].titles[SOLUTIONS] == ["スマート農業の導入支援"]
    assert preview.together == {SOLUTIONS: 2, CASE_STUDIES: 0} and not preview.capped
    assert await SearchSynonym.count() == 0  # a preview saves nothing


async def test_the_default_groups_are_listed_for_editing(backend: SearchBackend) -> None:
    await indexing.ensure_default_synonyms()
    groups = await synonyms.list_groups()
    assert groups[0].words == ("DX", "デジタルトランスフォーメーション")
    assert groups[0].text == "DX\nデジタルトランスフォーメーション"
