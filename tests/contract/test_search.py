"""The search port's contract, with what Japanese users type: every backend must pass it.

The embedded backend (SQLite FTS5 with lindera) runs it always; the Meilisearch backend joins
when the search issue's second part adds it (it needs a server: SEARCH_URL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from search.analysis import analyse, normalise, terms_of
from search.base import (
    Document,
    IndexSettings,
    SearchBackend,
    SearchQuery,
    UnknownField,
    digest,
)
from search.embedded import EmbeddedSearch, within_one_edit

INDEX = "solutions_test"
SETTINGS = IndexSettings(
    searchable=(("title", 3.0), ("org", 2.0), ("org_kana", 2.0), ("summary", 1.5), ("body", 1.0)),
    filterable=("category", "municipality", "kind"),
    sortable=("published", "title"),
    synonyms=(
        ("DX", "デジタルトランスフォーメーション"),
        ("AI", "人工知能"),
        ("補助金", "助成金"),
        ("EC", "ネット販売"),
    ),
)


def doc(id_: str, title: str, **fields: object) -> Document:
    base: dict[str, object] = {
        "title": title, "org": "", "org_kana": "", "summary": "", "body": "",
        "category": [], "municipality": "熊本市", "kind": "solution", "published": 0,
    }  # fmt: skip
    base.update(fields)
    return Document(id_, base)  # type: ignore[arg-type]


DOCUMENTS = [
    doc("farm", "スマート農業の導入支援", org="株式会社阿蘇アグリ", org_kana="アソアグリ",
        summary="センサーで圃場を見守ります", category=["農業", "IoT・センサー"],
        municipality="阿蘇市", published=3),
    doc("soft", "クラウド会計の導入", org="株式会社熊本ソフト", org_kana="クマモトソフト",
        summary="電子帳簿保存法に対応", category=["会計・人事"], published=5),
    doc("dx", "中小企業のDX推進セミナー", org="熊本DX研究所", summary="DXの進め方",
        category=["人材育成"], published=4),
    doc("kintone", "kintoneで業務アプリを作る", org="有限会社天草システム",
        org_kana="アマクサシステム", summary="ノーコードで業務改善", category=["業務効率化"],
        municipality="天草市", published=2),
    doc("inspect", "設備点検サービス", org="八代エンジニアリング合同会社",
        summary="工場の設備点検をタブレットで", category=["生産管理", "IoT・センサー"],
        municipality="八代市", published=1),
    doc("ai", "AIによる需要予測", org="熊本データ株式会社", summary="人工知能で在庫を最適化",
        category=["データ分析・AI"], published=6),
    doc("grant", "補助金申請の相談窓口", org="熊本商工会", summary="申請書の書き方を支援",
        category=["コンサルティング"], published=7),
    doc("ec", "ネット販売の始め方", org="球磨ウェブ株式会社", summary="ECサイトを開設",
        category=["販売・顧客管理"], municipality="人吉市", published=8),
    doc("server", "サーバー保守", org="株式会社菊池ネット", summary="サーバの監視と保守",
        category=["セキュリティ"], municipality="菊池市", published=9),
    doc("xss", "<script>alert(1)</script>の対策", org="セキュア熊本株式会社",
        summary="脆弱性診断 & 対策", category=["セキュリティ"], published=10),
]  # fmt: skip


class SearchContract:
    """Subclasses provide a `backend` fixture; every backend must pass these tests."""

    @pytest.fixture
    async def index(self, backend: SearchBackend) -> AsyncIterator[SearchBackend]:
        await backend.configure(INDEX, SETTINGS)
        await backend.clear(INDEX)
        await backend.upsert(INDEX, DOCUMENTS)
        yield backend

    async def ids(self, backend: SearchBackend, text: str, **query: object) -> list[str]:
        result = await backend.search(INDEX, SearchQuery(text=text, per_page=50, **query))  # type: ignore[arg-type]
        return [hit.id for hit in result.hits]

    async def test_a_part_of_a_compound_word_finds_it(self, index: SearchBackend) -> None:
        assert await self.ids(index, "農業") == ["farm"]
        assert await self.ids(index, "点検") == ["inspect"]
        assert await self.ids(index, "会計") == ["soft"]

    async def test_legal_forms_are_folded(self, index: SearchBackend) -> None:
        for text in ("（株）熊本ソフト", "㈱熊本ソフト", "(株)熊本ソフト", "株式会社熊本ソフト"):
            assert await self.ids(index, text) == ["soft"], text
        assert await self.ids(index, "（有）天草システム") == ["kintone"]
        assert await self.ids(index, "熊本ソフト") == ["soft"]  # a part of the name

    async def test_a_kana_reading_finds_the_name_in_kanji(self, index: SearchBackend) -> None:
        assert await self.ids(index, "くまもとそふと") == ["soft"]
        assert await self.ids(index, "アソアグリ") == ["farm"]
        assert await self.ids(index, "あまくさ") == ["kintone"]

    async def test_hiragana_katakana_and_widths_find_the_same(self, index: SearchBackend) -> None:
        assert await self.ids(index, "くらうど") == await self.ids(index, "クラウド") == ["soft"]
        assert await self.ids(index, "ｸﾗｳﾄﾞ") == ["soft"]
        assert sorted(await self.ids(index, "ＤＸ")) == sorted(await self.ids(index, "dx"))
        assert "dx" in await self.ids(index, "ＤＸ")
        # A long vowel mark at the end is optional: サーバー and サーバ meet.
        assert await self.ids(index, "サーバ") == await self.ids(index, "サーバー") == ["server"]

    async def test_a_synonym_finds_its_partner(self, index: SearchBackend) -> None:
        assert "dx" in await self.ids(index, "デジタルトランスフォーメーション")
        assert await self.ids(index, "人工知能") == ["ai"]
        assert "ai" in await self.ids(index, "AI")
        assert await self.ids(index, "助成金") == ["grant"]
        assert "ec" in await self.ids(index, "EC")

    async def test_synonyms_change_without_reindexing(self, index: SearchBackend) -> None:
        assert await self.ids(index, "農作業") == []
        await index.configure(
            INDEX, IndexSettings(
                SETTINGS.searchable, SETTINGS.filterable, SETTINGS.sortable,
                (*SETTINGS.synonyms, ("農作業", "農業")),
            ),
        )  # fmt: skip
        assert await self.ids(index, "農作業") == ["farm"]

    async def test_a_misspelt_latin_word_finds_the_word(self, index: SearchBackend) -> None:
        assert await self.ids(index, "kintoen") == ["kintone"]
        assert await self.ids(index, "kintne") == ["kintone"]
        assert await self.ids(index, "kntn") == []  # short words get no typo tolerance

    async def test_the_last_word_matches_as_a_prefix_while_typing(
        self, index: SearchBackend
    ) -> None:
        assert await self.ids(index, "kint") == ["kintone"]
        assert await self.ids(index, "クラウ") == ["soft"]
        assert await self.ids(index, "設備点") == ["inspect"]

    async def test_every_word_must_match(self, index: SearchBackend) -> None:
        assert await self.ids(index, "導入 会計") == ["soft"]
        assert await self.ids(index, "導入 点検") == []

    async def test_title_weighs_more_than_the_body(self, index: SearchBackend) -> None:
        # セミナー stands in one title and nowhere else; DX in a title, an org and a summary.
        assert (await self.ids(index, "DX"))[0] == "dx"

    async def test_filters_and_facet_counts_are_exact(self, index: SearchBackend) -> None:
        result = await index.search(
            INDEX, SearchQuery(text="", filters={"category": ("IoT・センサー",)},
                               facets=("category", "municipality")),
        )  # fmt: skip
        assert {hit.id for hit in result.hits} == {"farm", "inspect"} and result.total == 2
        assert result.facets["category"] == {"IoT・センサー": 2, "農業": 1, "生産管理": 1}
        assert result.facets["municipality"] == {"阿蘇市": 1, "八代市": 1}
        both = await index.search(
            INDEX, SearchQuery(filters={"category": ("IoT・センサー",),
                                        "municipality": ("八代市", "人吉市")}),
        )  # fmt: skip
        assert [hit.id for hit in both.hits] == ["inspect"]
        everything = await index.search(INDEX, SearchQuery(facets=("municipality",)))
        assert everything.total == len(DOCUMENTS)
        assert sum(everything.facets["municipality"].values()) == len(DOCUMENTS)
        with pytest.raises(UnknownField):
            await index.search(INDEX, SearchQuery(filters={"org": ("x",)}))

    async def test_sort_and_pages(self, index: SearchBackend) -> None:
        newest = await index.search(INDEX, SearchQuery(sort="-published", per_page=3))
        assert [hit.id for hit in newest.hits] == ["xss", "server", "ec"] and newest.total == 10
        second = await index.search(INDEX, SearchQuery(sort="-published", per_page=3, page=2))
        assert [hit.id for hit in second.hits] == ["grant", "ai", "soft"]
        with pytest.raises(UnknownField):
            await index.search(INDEX, SearchQuery(sort="summary"))

    async def test_highlights_wrap_the_matched_words_and_escape_the_rest(
        self, index: SearchBackend
    ) -> None:
        [hit] = (await index.search(INDEX, SearchQuery(text="農業"))).hits
        assert hit.highlights["title"] == "スマート<mark>農業</mark>の導入支援"
        [hit] = (await index.search(INDEX, SearchQuery(text="（株）熊本ソフト"))).hits
        assert hit.highlights[
            "org"
        ] == "<mark>株式会社</mark><mark>熊本</mark><mark>ソフト</mark>" or (
            hit.highlights["org"] == "<mark>株式会社熊本ソフト</mark>"
        )
        [hit] = (await index.search(INDEX, SearchQuery(text="クラウ"))).hits  # typing
        assert hit.highlights["title"] == "<mark>クラウ</mark>ド会計の導入"
        [hit] = (await index.search(INDEX, SearchQuery(text="AI"))).hits[:1]
        assert "<mark>AI</mark>による" in hit.highlights["title"]
        [hit] = (await index.search(INDEX, SearchQuery(text="対策"))).hits
        assert hit.highlights["title"] == (
            "&lt;script&gt;alert(1)&lt;/script&gt;の<mark>対策</mark>"
        )
        assert "&amp;" in hit.highlights["summary"]

    async def test_queries_with_search_syntax_are_only_words(self, index: SearchBackend) -> None:
        for hostile in ('"', '農業"', "NEAR(a b)", "* OR *", "a AND", "^", "熊本 -", "(((", "'"):
            result = await index.search(INDEX, SearchQuery(text=hostile))
            assert result.total >= 0
        assert await self.ids(index, "存在しない言葉") == []

    async def test_deleted_and_replaced_documents(self, index: SearchBackend) -> None:
        await index.delete(INDEX, ["farm", "no-such-id"])
        assert await self.ids(index, "農業") == []
        await index.upsert(INDEX, [doc("soft", "勤怠管理の導入", org="株式会社熊本ソフト")])
        assert await self.ids(index, "会計") == []
        assert await self.ids(index, "勤怠") == ["soft"]
        assert "farm" not in await index.document_ids(INDEX)
        assert len(await index.document_ids(INDEX)) == len(DOCUMENTS) - 1

    async def test_a_staging_index_replaces_the_index_whole(self, index: SearchBackend) -> None:
        staging = f"{INDEX}_next"
        await index.configure(staging, SETTINGS)
        await index.clear(staging)
        fresh = doc("new", "新しい索引の文書")
        await index.upsert(staging, [fresh])
        assert await self.ids(index, "新しい") == []  # searches see the old index meanwhile
        await index.replace(INDEX, staging)
        assert await self.ids(index, "新しい") == ["new"]
        assert await self.ids(index, "農業") == []
        assert await index.digests(INDEX) == {"new": digest(fresh.fields)}
        await index.configure(staging, SETTINGS)  # the staging name is free for the next one
        assert await index.document_ids(staging) == set()


class TestEmbeddedSearch(SearchContract):
    @pytest.fixture
    async def backend(self, tmp_path: Path) -> AsyncIterator[SearchBackend]:
        backend = EmbeddedSearch(tmp_path / "search.sqlite3")
        yield backend
        await backend.close()

    async def test_changes_made_by_another_process_are_seen(
        self, tmp_path: Path, index: SearchBackend
    ) -> None:
        """The worker writes to the same file: new synonyms and new words count at once."""
        assert await self.ids(index, "kintoen") == ["kintone"]  # the word list is now kept
        other = EmbeddedSearch(tmp_path / "search.sqlite3")
        try:
            await other.configure(
                INDEX, IndexSettings(SETTINGS.searchable, SETTINGS.filterable, SETTINGS.sortable,
                                     (*SETTINGS.synonyms, ("農作業", "農業"))),
            )  # fmt: skip
            await other.upsert(INDEX, [doc("salesforce", "salesforce導入")])
        finally:
            await other.close()
        assert await self.ids(index, "農作業") == ["farm"]
        assert await self.ids(index, "salesfrce") == ["salesforce"]

    async def test_settings_survive_a_restart(self, tmp_path: Path, index: SearchBackend) -> None:
        again = EmbeddedSearch(tmp_path / "search.sqlite3")
        try:
            assert await self.ids(again, "助成金") == ["grant"]
        finally:
            await again.close()


def test_normalisation_keeps_where_each_character_came_from() -> None:
    text, origin = normalise("ＤＸ㈱ｶﾞ")
    assert text == "dx株式会社ガ"
    assert origin == [0, 1, 2, 2, 2, 2, 3]
    [legal] = [t for t in analyse("（株）熊本") if t.text == "株式会社"]
    assert (legal.start, legal.end) == (0, 3)


def test_terms_suit_each_script() -> None:
    assert terms_of("設備点検") == ["設備", "点検"]
    assert terms_of("クラウド") == terms_of("くらうど") == ["くら", "らう", "うど"]
    assert terms_of("kintone導入") == ["kintone", "導入"]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [("kintoen", "kintone", True), ("kintne", "kintone", True), ("kintonee", "kintone", True),
     ("kintaxe", "kintone", False), ("abc", "abc", True), ("office", "ofice", True)],
)  # fmt: skip
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near
