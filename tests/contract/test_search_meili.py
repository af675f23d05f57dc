"""The Meilisearch backend: its settings, documents, searches and task handling against a fake
client that records every call (always), and the whole search contract against a real server
when SEARCH_URL is set (skipped otherwise, with the reason)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError

from search.base import Document, SearchQuery, SearchUnavailable, UnknownField, digest
from search.meili import SEARCHABLE_PREFIX, MeiliSearch, SearchTaskFailed, matching_text
from tests.contract.test_search import SETTINGS, SearchContract

INDEX = "solutions_test"


@dataclass
class Task:
    uid: int
    status: str = "succeeded"
    type: str = "settingsUpdate"
    index_uid: str = INDEX
    error: dict[str, Any] | None = None


@dataclass
class TaskInfo:
    task_uid: int


@dataclass
class Page:
    results: list[dict[str, Any]]
    total: int


@dataclass
class FakeIndex:
    client: FakeClient
    uid: str

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            if self.client.unreachable:  # as the client's HTTP call fails
                raise MeilisearchCommunicationError("connection refused")
            self.client.calls.append((self.uid, name, args, kwargs))
            if name == "search":
                return self.client.search_response
            if name == "get_documents":
                offset, limit = args[0]["offset"], args[0]["limit"]
                rows = self.client.documents[offset : offset + limit]
                return Page([dict(row) for row in rows], len(self.client.documents))
            if name == "get_settings":
                return self.client.stored_settings
            return self.client.task()

        return record


@dataclass
class FakeClient:
    """Records calls; tasks succeed unless `failures` names their uid."""

    calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    failures: dict[int, dict[str, Any]] = field(default_factory=dict)
    waited: list[int] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    search_response: dict[str, Any] = field(default_factory=dict)
    stored_settings: dict[str, Any] = field(default_factory=dict)
    unreachable: bool = False
    next_uid: int = 0

    def task(self) -> TaskInfo:
        self.next_uid += 1
        return TaskInfo(self.next_uid)

    def index(self, uid: str) -> FakeIndex:
        return FakeIndex(self, uid)  # no HTTP call, as in the client

    def create_index(self, uid: str, options: dict[str, Any]) -> TaskInfo:
        self.calls.append((uid, "create_index", (options,), {}))
        return self.task()

    def swap_indexes(self, pairs: list[dict[str, Any]]) -> TaskInfo:
        self.calls.append(("", "swap_indexes", (pairs,), {}))
        return self.task()

    def delete_index(self, uid: str) -> TaskInfo:
        self.calls.append((uid, "delete_index", (), {}))
        return self.task()

    def wait_for_task(self, uid: int, timeout_in_ms: int = 5000) -> Task:
        self.waited.append(uid)
        error = self.failures.get(uid)
        return Task(uid, "failed" if error else "succeeded", error=error)

    def named(self, name: str) -> list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
        return [call for call in self.calls if call[1] == name]


@pytest.fixture
def fake() -> FakeClient:
    return FakeClient()


@pytest.fixture
async def backend(fake: FakeClient) -> MeiliSearch:
    meili = MeiliSearch("http://meili.invalid", client=fake)
    await meili.configure(INDEX, SETTINGS)
    return meili


async def test_settings_declare_fields_japanese_synonyms_and_typo_tolerance(
    backend: MeiliSearch, fake: FakeClient
) -> None:
    [(uid, _, (options,), _)] = fake.named("create_index")
    assert uid == INDEX and options == {"primaryKey": "id"}
    [(_, _, (body,), _)] = fake.named("update_settings")
    assert body["searchableAttributes"] == [
        SEARCHABLE_PREFIX + name for name in ("title", "org", "org_kana", "summary", "body")
    ]  # in the order of importance: Meilisearch's attribute ranking rule
    assert body["filterableAttributes"] == ["category", "municipality", "kind"]
    assert body["sortableAttributes"] == ["published", "title"]
    assert body["localizedAttributes"] == [
        {"attributePatterns": [SEARCHABLE_PREFIX + "*"], "locales": ["jpn"]}
    ]
    assert body["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 255}
    # Synonyms in the form queries are sent in (lower case, katakana), both ways.
    assert body["synonyms"]["dx"] == ["デジタルトランスフォーメーション"]
    assert body["synonyms"]["デジタルトランスフォーメーション"] == ["dx"]
    assert body["synonyms"]["助成金"] == ["補助金"]
    assert "の" in body["stopWords"]
    assert fake.waited == [1, 2]  # both tasks waited for


async def test_an_index_that_exists_is_fine_but_a_failed_task_is_loud(fake: FakeClient) -> None:
    fake.failures[1] = {"code": "index_already_exists", "message": "exists"}
    meili = MeiliSearch("http://meili.invalid", client=fake)
    await meili.configure(INDEX, SETTINGS)  # the index was there: settings still applied
    fake.failures[4] = {"code": "invalid_settings_synonyms", "message": "bad synonyms"}
    with pytest.raises(SearchTaskFailed, match="invalid_settings_synonyms bad synonyms"):
        await meili.configure(INDEX, SETTINGS)
    fake.failures[5] = {"code": "missing_document_id", "message": "no id"}
    with pytest.raises(SearchTaskFailed, match="missing_document_id"):
        await meili.upsert(INDEX, [Document("a", {"title": "x"})])


async def test_an_index_not_set_up_yet_is_a_lookup_error_as_in_the_embedded_backend(
    fake: FakeClient,
) -> None:
    class Response:
        status_code = 404
        text = '{"message": "Index `solutions_test` not found.", "code": "index_not_found"}'

    def missing(*args: Any, **kwargs: Any) -> Any:
        raise MeilisearchApiError("not found", Response())  # type: ignore[arg-type]

    meili = MeiliSearch("http://meili.invalid", client=fake)
    fake.index = lambda uid: type("Missing", (), {"get_settings": missing})()  # type: ignore[method-assign]
    with pytest.raises(LookupError):
        await meili.search(INDEX, SearchQuery(text="農業"))


async def test_an_unreachable_server_is_unavailable(fake: FakeClient) -> None:
    meili = MeiliSearch("http://meili.invalid", client=fake)
    fake.unreachable = True
    with pytest.raises(SearchUnavailable):
        await meili.search(INDEX, SearchQuery(text="農業"))


async def test_documents_carry_normalised_copies_and_their_digest(
    backend: MeiliSearch, fake: FakeClient
) -> None:
    fields = {"title": "クラウド会計", "org": "㈱熊本ソフト", "org_kana": "くまもとそふと",
              "summary": "ＤＸ", "body": "", "category": ["会計"], "municipality": "熊本市",
              "kind": "solution", "published": 3}  # fmt: skip
    await backend.upsert(INDEX, [Document("soft", fields)])
    [(_, _, (bodies, primary_key), _)] = fake.named("add_documents")
    [body] = bodies
    assert primary_key == "id" and body["id"] == "soft" and body["title"] == "クラウド会計"
    assert body[SEARCHABLE_PREFIX + "org"] == "株式会社熊本ソフト"
    assert body[SEARCHABLE_PREFIX + "org_kana"] == "クマモトソフト"  # hiragana as katakana
    assert body[SEARCHABLE_PREFIX + "summary"] == "dx"
    assert body["kdx_digest"] == digest(fields)
    many = [Document(str(n), {"title": str(n)}) for n in range(2500)]
    await backend.upsert(INDEX, many)
    assert [len(call[2][0]) for call in fake.named("add_documents")[1:]] == [1000, 1000, 500]


async def test_a_search_asks_for_exact_totals_filters_facets_and_sort(
    backend: MeiliSearch, fake: FakeClient
) -> None:
    fake.search_response = {
        "hits": [{"id": "soft", "title": "クラウド会計の<導入>", "summary": "", "org": "",
                  "org_kana": "", "body": "", "kdx_s_title": "x", "kdx_digest": "d",
                  "_rankingScore": 0.9}],
        "totalHits": 1, "processingTimeMs": 3,
        "facetDistribution": {"category": {"会計": 1}},
    }  # fmt: skip
    query = SearchQuery(
        text="くらうど", filters={"category": ("会計", 'a"b'), "municipality": ("熊本市",)},
        facets=("category",), sort="-published", page=2, per_page=10,
    )  # fmt: skip
    result = await backend.search(INDEX, query)
    [(_, _, (text, params), _)] = fake.named("search")
    assert text == "クラウド"  # folded as the documents' copies are
    assert params["page"] == 2 and params["hitsPerPage"] == 10 and params["locales"] == ["jpn"]
    assert params["filter"] == [
        ['category = "会計"', 'category = "a\\"b"'], ['municipality = "熊本市"'],
    ]  # fmt: skip
    assert params["facets"] == ["category"] and params["sort"] == ["published:desc"]
    [hit] = result.hits
    assert hit.id == "soft" and "kdx_s_title" not in hit.fields and "kdx_digest" not in hit.fields
    assert hit.highlights["title"] == "<mark>クラウド</mark>会計の&lt;導入&gt;"
    assert result.total == 1 and result.facets == {"category": {"会計": 1}} and hit.score == 0.9
    with pytest.raises(UnknownField):
        await backend.search(INDEX, SearchQuery(filters={"org": ("x",)}))
    with pytest.raises(UnknownField):
        await backend.search(INDEX, SearchQuery(sort="summary"))


async def test_a_rebuilt_index_is_swapped_in_whole(backend: MeiliSearch, fake: FakeClient) -> None:
    await backend.configure(f"{INDEX}_next", SETTINGS)
    await backend.replace(INDEX, f"{INDEX}_next")
    swap = fake.named("swap_indexes")
    assert swap == [("", "swap_indexes", ([{"indexes": [INDEX, f"{INDEX}_next"]}],), {})]
    assert fake.named("delete_index") == [(f"{INDEX}_next", "delete_index", (), {})]
    assert fake.waited[-2:] == [fake.next_uid - 1, fake.next_uid]  # the swap, then the delete


async def test_ids_and_digests_are_read_page_by_page(
    backend: MeiliSearch, fake: FakeClient
) -> None:
    fake.documents = [{"id": str(n), "kdx_digest": f"d{n}"} for n in range(1500)]
    assert len(await backend.document_ids(INDEX)) == 1500
    assert (await backend.digests(INDEX))["1499"] == "d1499"
    offsets = [call[2][0]["offset"] for call in fake.named("get_documents")]
    assert offsets == [0, 1000, 0, 1000]


async def test_a_process_that_did_not_configure_reads_the_settings_back(fake: FakeClient) -> None:
    fake.stored_settings = {
        "searchableAttributes": ["kdx_s_title", "kdx_s_body"],
        "filterableAttributes": ["category"], "sortableAttributes": ["published"],
        "synonyms": {"dx": ["デジタル"], "デジタル": ["dx"]},
    }  # fmt: skip
    fake.search_response = {"hits": [], "totalHits": 0, "processingTimeMs": 1}
    meili = MeiliSearch("http://meili.invalid", client=fake)
    await meili.search(INDEX, SearchQuery(text="dx", filters={"category": ("a",)}))
    with pytest.raises(UnknownField):
        await meili.search(INDEX, SearchQuery(filters={"municipality": ("a",)}))
    assert len(fake.named("get_settings")) == 1  # read once, then kept


def test_matching_text_folds_what_users_type() -> None:
    assert matching_text("ｸﾗｳﾄﾞ") == matching_text("くらうど") == "クラウド"
    assert matching_text("（株）熊本") == "株式会社熊本"


@pytest.mark.skipif(
    not os.environ.get("SEARCH_URL"),
    reason="SEARCH_URL is not set: the Meilisearch run of the contract needs a server "
    "(README: 'Search with Meilisearch')",
)
class TestMeiliSearchServer(SearchContract):
    """The whole contract against a real server (its indexes solutions_test*, emptied first)."""

    @pytest.fixture
    async def backend(self) -> AsyncIterator[MeiliSearch]:
        meili = MeiliSearch(os.environ["SEARCH_URL"], os.environ.get("SEARCH_API_KEY", ""))
        yield meili
        await meili.close()
