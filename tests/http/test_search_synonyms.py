"""The synonym editor over HTTP: staff only, add with a preview first, Japanese errors next to
the field with nothing saved, change, delete with a confirmation, and the search follows."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from api.permissions import Role
from api.searching.tables import SearchSynonym
from tests.http.conftest import World, login_as, role_email
from tests.http.test_applications import csrf_data

LIST = "/console/search/synonyms"


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_keep_the_synonyms(client: AsyncTestClient, world: World, role: Role) -> None:
    await login_as(client, role_email(role))
    page = await client.get(LIST)
    assert page.status_code == 200 and "同義語のグループはまだありません" in page.text

    preview = await client.post(
        LIST, data=await csrf_data(client, {"words": "農作業\n農業", "intent": "preview"})
    )
    assert preview.status_code == 200
    assert "プレビュー: 農作業・農業" in preview.text
    assert await SearchSynonym.count() == 0  # a preview saves nothing
    assert "農作業\n農業</textarea>" in preview.text  # the words stay in the form

    created = await client.post(
        LIST, data=await csrf_data(client, {"words": "農作業、農業", "intent": "save"}),
        follow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 303 and created.headers["location"] == f"{LIST}?done=created"
    listing = await client.get(created.headers["location"])
    assert "同義語のグループを追加しました" in listing.text and "農作業・農業" in listing.text
    group_id = (await SearchSynonym.select(SearchSynonym.id).first())["id"]

    changed = await client.post(
        f"{LIST}/{group_id}", data=await csrf_data(client, {"words": "農作業\n農業\n農事"}),
        follow_redirects=False,
    )  # fmt: skip
    assert changed.status_code == 303
    assert "変更を保存しました" in (await client.get(changed.headers["location"])).text
    row = await SearchSynonym.select(SearchSynonym.words).first()
    assert row["words"] == "農作業\n農業\n農事"

    unconfirmed = await client.post(f"{LIST}/{group_id}/delete", data=await csrf_data(client, {}))
    assert unconfirmed.status_code == 422 and "確認のチェックを入れてください" in unconfirmed.text
    assert await SearchSynonym.count() == 1
    deleted = await client.post(
        f"{LIST}/{group_id}/delete", data=await csrf_data(client, {"confirm": "yes"}),
        follow_redirects=False,
    )  # fmt: skip
    assert deleted.status_code == 303 and await SearchSynonym.count() == 0
    assert (await client.get(f"{LIST}/{group_id}")).status_code == 404


async def test_bad_words_are_explained_next_to_the_field(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    for words, message in (("農業", "2つ以上"), ("農業\n" + "あ" * 41, "40文字以内")):
        response = await client.post(
            LIST, data=await csrf_data(client, {"words": words, "intent": "save"})
        )
        assert response.status_code == 422
        assert message in response.text and 'aria-invalid="true"' in response.text
        assert 'id="error-words"' in response.text
    assert await SearchSynonym.count() == 0
    escaped = await client.post(
        LIST, data=await csrf_data(client, {"words": "<script>x</script>\n農業", "intent": "save"})
    )
    assert escaped.status_code == 303 or "<script>x" not in escaped.text
    assert "&lt;script&gt;x&lt;/script&gt;・農業" in (await client.get(LIST)).text


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.EDITOR, Role.MEMBER_USER, None])
async def test_others_cannot(client: AsyncTestClient, world: World, role: Role | None) -> None:
    await login_as(client, role_email(role))
    assert (await client.get(LIST)).status_code == 403
    response = await client.post(LIST, data=await csrf_data(client, {"words": "a\nb"}))
    assert response.status_code == 403 and await SearchSynonym.count() == 0


async def test_anonymous_visitors_are_asked_to_log_in(
    client: AsyncTestClient, world: World
) -> None:
    assert (await client.get(LIST)).status_code == 401
