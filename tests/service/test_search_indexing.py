"""Keeping the search indexes true: every change reaches them through the outbox written in its
own transaction (a crash before indexing loses nothing; a backend that is down makes the
updates wait), visibility holds in the index and again when results are read, and reindex and
search-check compare the indexes with the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.articles import service as articles
from api.articles.service import ArticleInput
from api.db import transaction
from api.errors import PermissionDenied
from api.jobs.worker import Worker
from api.members import service as members
from api.permissions import Role
from api.searching import indexing
from api.searching.reference import CASE_STUDIES, SOLUTIONS
from api.searching.service import CaseStudySearch, SolutionSearch, search_case_studies
from api.searching.service import search_solutions as run_solution_search
from api.searching.tables import SearchOutbox
from api.settings import Settings
from api.solutions import service as solutions
from api.solutions import taxonomy
from search.base import SearchBackend, SearchQuery, SearchUnavailable
from search.embedded import EmbeddedSearch
from tests.conftest import make_account
from tests.service.test_solutions import signed_in, solution_input
from tests.service.test_solutions import world as solutions_world

world = solutions_world  # the directory's organisations and accounts


@pytest.fixture
async def backend(tmp_path: Path, world: dict[str, int]) -> Any:
    search = EmbeddedSearch(tmp_path / "search.sqlite3")
    await indexing.configure_indexes(search)
    yield search
    await search.close()


async def found(backend: SearchBackend, settings: Settings, text: str) -> list[str]:
    member = await signed_in(settings, "kikuchi@example.jp")
    page = await run_solution_search(member, backend, SolutionSearch(q=text))
    return [item.item.title for item in page.items]


async def indexed_ids(backend: SearchBackend, index: str = SOLUTIONS) -> set[str]:
    return await backend.document_ids(index)


async def test_a_change_and_its_outbox_row_commit_together(
    settings: Settings, backend: SearchBackend
) -> None:
    aso = await signed_in(settings, "aso@example.jp")
    with pytest.raises(RuntimeError):
        async with transaction():
            await solutions.create_solution(aso, await solution_input(title="消える勤怠管理"))
            raise RuntimeError("the request failed after the write")
    assert await SearchOutbox.count() == 0  # rolled back with the solution
    created = await solutions.create_solution(aso, await solution_input())
    assert [r["document_id"] for r in await SearchOutbox.select(SearchOutbox.document_id)] == [
        str(created.id)
    ]
    # A crash now (before the worker ran) loses nothing: another process applies the row.
    assert await indexed_ids(backend) == set()
    later = EmbeddedSearch(Path(backend._connection.execute("PRAGMA database_list").fetchone()[2]))
    try:
        assert await indexing.apply_all(later) == 1
        assert await SearchOutbox.count() == 0
        assert await found(later, settings, "勤怠") == ["クラウド勤怠管理"]
    finally:
        await later.close()


async def test_every_change_that_matters_reaches_the_index(
    settings: Settings, backend: SearchBackend, world: dict[str, int]
) -> None:
    aso = await signed_in(settings, "aso@example.jp")
    staff = await signed_in(settings, "staff@example.jp")
    view = await solutions.create_solution(aso, await solution_input())
    await indexing.apply_all(backend)
    assert await found(backend, settings, "勤怠") == ["クラウド勤怠管理"]
    await solutions.update_solution(
        aso, view.id,
        await solution_input(title="クラウド給与計算", summary="給与計算をクラウドで行えます。"),
    )  # fmt: skip
    await indexing.apply_all(backend)
    assert await found(backend, settings, "勤怠") == []
    assert await found(backend, settings, "給与") == ["クラウド給与計算"]
    # The provider hides it, staff moderate it: gone from the index; back when shown again.
    await solutions.set_provider_hidden(aso, view.id, True)
    await indexing.apply_all(backend)
    assert await indexed_ids(backend) == set()
    await solutions.set_provider_hidden(aso, view.id, False)
    await solutions.moderate(staff, view.id, "確認中です")
    await indexing.apply_all(backend)
    assert await indexed_ids(backend) == set()
    await solutions.lift_moderation(staff, view.id)
    await indexing.apply_all(backend)
    assert await indexed_ids(backend) == {str(view.id)}
    # The organisation's reading is searched (テスト1 for the first test organisation), and
    # suspending it takes its solutions out.
    assert await found(backend, settings, "てすと1") == ["クラウド給与計算"]
    await members.suspend(staff, world["aso"], members.today().isoformat())
    await indexing.apply_all(backend)
    assert await indexed_ids(backend) == set()
    await members.reactivate(staff, world["aso"])
    await indexing.apply_all(backend)
    assert await indexed_ids(backend) == {str(view.id)}
    # A category renamed: its new name is searched.
    category = int(view.categories[0][0])
    await taxonomy.update_category(staff, category, name="業務の効率化", position=0, active=True)
    await indexing.apply_all(backend)
    assert await found(backend, settings, "業務の効率化") == ["クラウド給与計算"]
    await solutions.delete_solution(aso, view.id)
    await indexing.apply_all(backend)
    assert await indexed_ids(backend) == set()


async def test_results_are_read_back_through_the_directorys_rules(
    settings: Settings, backend: SearchBackend
) -> None:
    """An entry whose removal still waits in the outbox is never shown."""
    aso = await signed_in(settings, "aso@example.jp")
    view = await solutions.create_solution(aso, await solution_input())
    await indexing.apply_all(backend)
    await solutions.set_provider_hidden(aso, view.id, True)  # not applied yet
    assert await indexed_ids(backend) == {str(view.id)}
    assert await found(backend, settings, "勤怠") == []
    member = await signed_in(settings, "official@example.jp")
    with pytest.raises(PermissionDenied):  # officials do not read the directory
        await run_solution_search(member, backend, SolutionSearch(q="勤怠"))


class DownBackend(EmbeddedSearch):
    """A backend that cannot be reached until it is told it is back."""

    down = True

    async def upsert(self, index: str, documents: list[Any]) -> None:
        if self.down:
            raise SearchUnavailable("connection refused")
        await super().upsert(index, documents)


async def test_updates_wait_while_the_backend_is_down(
    settings: Settings, tmp_path: Path, world: dict[str, int]
) -> None:
    aso = await signed_in(settings, "aso@example.jp")
    await solutions.create_solution(aso, await solution_input())
    backend = DownBackend(tmp_path / "down.sqlite3")
    await indexing.configure_indexes(backend)
    try:
        with pytest.raises(SearchUnavailable):
            await indexing.apply_updates(backend)
        assert await SearchOutbox.count() == 1  # kept for later
        # The worker goes on with its other work and tries the index again later.
        worker = Worker(settings, handlers={})
        worker._search, worker._search_ready = backend, True
        assert await worker.index_updates() == 0
        backend.down = False
        worker._search_retry_at = 0.0
        assert await worker.index_updates() == 1
        assert await SearchOutbox.count() == 0
        assert await found(backend, settings, "勤怠") == ["クラウド勤怠管理"]
    finally:
        await backend.close()


async def test_reindex_swaps_in_a_complete_index_and_changes_meanwhile_wait(
    settings: Settings, backend: SearchBackend
) -> None:
    aso = await signed_in(settings, "aso@example.jp")
    first = await solutions.create_solution(aso, await solution_input(title="勤怠管理A"))
    second = await solutions.create_solution(aso, await solution_input(title="勤怠管理B"))
    await SearchOutbox.delete(force=True)  # as if the outbox had been lost
    report = await indexing.check(backend, SOLUTIONS)
    assert report.missing == sorted([str(first.id), str(second.id)], key=int)
    assert not report.clean
    steps: list[tuple[int, int]] = []
    count = await indexing.reindex(backend, SOLUTIONS, lambda d, t: steps.append((d, t)))
    assert count == 2 and steps[-1] == (2, 2)
    assert (await indexing.check(backend, SOLUTIONS)).clean
    # A change made while a rebuild runs waits behind the rebuild's row, then applies.
    await solutions.update_solution(aso, first.id, await solution_input(title="勤怠管理C"))
    rebuilding = SearchOutbox(index=SOLUTIONS, document_id=indexing.REBUILDING)
    await rebuilding.save()
    assert await indexing.apply_updates(backend) == 0  # it waits while the rebuild runs
    stale = await indexing.check(backend, SOLUTIONS)
    assert stale.stale == [str(first.id)] and stale.pending == 2
    await SearchOutbox.delete().where(SearchOutbox.id == rebuilding.id)
    assert await indexing.apply_updates(backend) == 1
    assert (await indexing.check(backend, SOLUTIONS)).clean
    extra = SearchQuery(text="勤怠管理")
    assert (await backend.search(SOLUTIONS, extra)).total == 2


async def test_case_studies_enter_when_published_and_leave_when_unpublished(
    settings: Settings, backend: SearchBackend
) -> None:
    await make_account(settings, "editor@example.jp", {Role.EDITOR})
    editor = await signed_in(settings, "editor@example.jp")
    staff = await signed_in(settings, "staff@example.jp")
    data = ArticleInput(
        kind="case_study", slug="aso-farm", title="阿蘇の農場でスマート農業", summary="センサー導入",
        body_markdown="## 背景\n\n水田の見回りを減らしました。\n", organisation_name="株式会社阿蘇テック",
        industry="A", municipality="阿蘇市",
    )  # fmt: skip
    draft = await articles.create_article(editor, data)
    await indexing.apply_all(backend)
    assert await indexed_ids(backend, CASE_STUDIES) == set()  # a draft is not searched
    await articles.publish_now(staff, draft.id)
    await indexing.apply_all(backend)
    page = await search_case_studies(None, backend, CaseStudySearch(q="農業"))
    assert [item.item.slug for item in page.items] == ["aso-farm"]
    assert "<mark>農業</mark>" in page.items[0].highlights["title"]
    assert page.facets["industry"] == {"A": 1}
    await articles.unpublish(staff, draft.id)
    await indexing.apply_all(backend)
    assert (await search_case_studies(None, backend, CaseStudySearch(q="農業"))).total == 0


async def test_the_first_start_with_search_queues_every_document_once(
    settings: Settings, backend: SearchBackend
) -> None:
    """A database from before search: its solutions reach the index without any change."""
    from api.defaults import ensure_defaults
    from api.searching.tables import SearchSynonym

    aso = await signed_in(settings, "aso@example.jp")
    view = await solutions.create_solution(aso, await solution_input())
    await SearchOutbox.delete(force=True)
    await SearchSynonym.delete(force=True)
    await ensure_defaults()
    assert await indexing.apply_all(backend) == 1
    assert await indexed_ids(backend) == {str(view.id)}
    await ensure_defaults()  # later starts queue nothing
    assert await SearchOutbox.count() == 0
