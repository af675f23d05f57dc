"""The progress pages: officials read the schedule, the issues list and the minutes and see
no way to change them (and are refused if they try); staff add, change and remove entries
through forms that name every mistake next to its field and keep what was typed, and record
the minutes' approval."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.permissions import Role
from api.progress import issues, minutes, schedule
from api.progress.tables import MeetingMinutes, ProjectIssue, ScheduleItem
from tests.http.conftest import World, admin_principal, login_as, role_email
from tests.http.test_applications import csrf_data

ITEM = {
    "kind": "milestone", "title": "事例集の発行", "owner": "事務局", "starts_on": "",
    "due_on": "2027-03-15", "status": "not_started", "notes": "",
}  # fmt: skip
ISSUE = {
    "title": "アンケートの回収", "details": "", "owner": "事務局", "raised_on": "2026-10-01",
    "due_on": "", "status": "open", "actions": "", "decision": "", "decided_by": "",
    "decided_on": "",
}  # fmt: skip
MINUTES = {
    "title": "第8回 定例会議", "held_on": "2026-11-05", "report_month": "", "attendees": "",
    "body": "## 議題\n\n- 報告<script>alert(1)</script>",
}  # fmt: skip


def staff(world: World):
    return admin_principal(world.accounts[Role.STAFF])


async def test_officials_read_and_see_no_way_to_change(
    client: AsyncTestClient, world: World
) -> None:
    await schedule.create_item(staff(world), ITEM | {"due_on": "2026-11-30", "title": "遅れた作業"})
    issue_id = await issues.create_issue(staff(world), ISSUE)
    minutes_id = await minutes.create_minutes(staff(world), MINUTES)
    await login_as(client, role_email(Role.OFFICIAL))
    html = (await client.get("/reports/schedule?year=2026")).text
    assert "遅れた作業" in html and 'class="status status-warning">遅れ<' in html
    assert "遅れ: 1件" in html and "項目を追加する" not in html and "/edit" not in html
    listed = (await client.get("/reports/issues")).text
    assert "アンケートの回収" in listed and "課題を追加する" not in listed
    detail = (await client.get(f"/reports/issues/{issue_id}")).text
    assert "編集する" not in detail
    page = (await client.get(f"/reports/minutes/{minutes_id}")).text
    assert "<h2>議題</h2>" in page and "<script>alert" not in page
    assert "承認済みにする" not in page and "削除する" not in page
    for path in (
        "/reports/schedule/new",
        f"/reports/issues/{issue_id}/edit",
        "/reports/minutes/new",
    ):
        assert (await client.get(path)).status_code == 403, path
    for path, data in (
        ("/reports/schedule/new", ITEM),
        (f"/reports/issues/{issue_id}/delete", {"confirm": "yes"}),
        (f"/reports/minutes/{minutes_id}/approval", {"intent": "approve", "approved_by": "県"}),
    ):
        refused = await client.post(path, data=await csrf_data(client, data))
        assert refused.status_code == 403, path
    assert await ScheduleItem.count() == 1 and await ProjectIssue.count() == 1
    assert (await minutes.get_minutes(minutes_id)).approved_by == ""


async def test_staff_keep_the_schedule_and_mistakes_are_named_at_their_fields(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    empty = (await client.get("/reports/schedule?year=2026")).text
    assert "この年度のスケジュールはまだ登録されていません" in empty
    refused = await client.post(
        "/reports/schedule/new",
        data=await csrf_data(client, ITEM | {"title": "", "due_on": "3月末", "owner": "事務局<b>"}),
    )
    assert refused.status_code == 422
    assert 'id="error-title"' in refused.text and 'id="error-due_on"' in refused.text
    assert 'href="#field-due_on"' in refused.text
    assert 'value="3月末"' in refused.text and "事務局&lt;b&gt;" in refused.text
    assert await ScheduleItem.count() == 0
    created = await client.post("/reports/schedule/new", data=await csrf_data(client, ITEM))
    assert created.status_code == 303
    assert created.headers["location"] == "/reports/schedule?year=2026&done=created"
    html = (await client.get(created.headers["location"])).text
    assert "追加しました" in html and "事例集の発行" in html
    item_id = (await schedule.items_of_year(2026))[0].id
    form = (await client.get(f"/reports/schedule/{item_id}/edit")).text
    assert 'value="2027-03-15"' in form
    saved = await client.post(
        f"/reports/schedule/{item_id}/edit", data=await csrf_data(client, ITEM | {"status": "done"})
    )
    assert saved.status_code == 303
    done = (await client.get("/reports/schedule?year=2026&status=done")).text
    assert "完了の項目 1件" in done and "完了</span>" in done
    unconfirmed = await client.post(
        f"/reports/schedule/{item_id}/delete", data=await csrf_data(client, {})
    )
    assert unconfirmed.status_code == 422 and 'id="error-confirm"' in unconfirmed.text
    deleted = await client.post(
        f"/reports/schedule/{item_id}/delete", data=await csrf_data(client, {"confirm": "yes"})
    )
    assert deleted.status_code == 303 and await ScheduleItem.count() == 0


async def test_staff_keep_the_issues_list_a_page_at_a_time(
    client: AsyncTestClient, world: World
) -> None:
    for index in range(21):
        await issues.create_issue(staff(world), ISSUE | {"title": f"課題その{index}"})
    await login_as(client, role_email(Role.STAFF))
    first = (await client.get("/reports/issues")).text
    assert "未解決（未対応・対応中） 21件" in first and "全21件中 1 / 2 ページ" in first
    assert 'href="/reports/issues?status=unresolved&amp;page_number=2"' in first
    second = (await client.get("/reports/issues?status=unresolved&page_number=2")).text
    assert second.count('<th scope="row"><a href="/reports/issues/') == 1
    refused = await client.post(
        "/reports/issues/new", data=await csrf_data(client, ISSUE | {"decision": "延期する"})
    )
    assert refused.status_code == 422 and 'id="error-decided_by"' in refused.text
    assert "延期する</textarea>" in refused.text
    created = await client.post(
        "/reports/issues/new",
        data=await csrf_data(
            client,
            ISSUE | {"status": "resolved", "decision": "延期する", "decided_by": "県DX推進課"},
        ),
    )
    assert created.status_code == 303
    detail = (await client.get(created.headers["location"])).text
    assert "追加しました" in detail and "県DX推進課" in detail and "解決済み" in detail
    resolved = (await client.get("/reports/issues?status=resolved")).text
    assert "解決済み 1件" in resolved
    assert "未解決の課題はありません" not in (await client.get("/reports/issues")).text
    issue_id = int(created.headers["location"].split("/")[3].split("?")[0])
    deleted = await client.post(
        f"/reports/issues/{issue_id}/delete", data=await csrf_data(client, {"confirm": "yes"})
    )
    assert deleted.status_code == 303 and await ProjectIssue.count() == 21
    assert (await client.get(f"/reports/issues/{issue_id}")).status_code == 404


async def test_staff_write_approve_and_correct_minutes(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    refused = await client.post(
        "/reports/minutes/new", data=await csrf_data(client, MINUTES | {"body": "", "held_on": ""})
    )
    assert refused.status_code == 422
    assert 'id="error-body"' in refused.text and 'id="error-held_on"' in refused.text
    created = await client.post("/reports/minutes/new", data=await csrf_data(client, MINUTES))
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    page = (await client.get(path)).text
    assert "下書き" in page and "2026年11月の月次報告" in page
    no_name = await client.post(
        f"{path}/approval", data=await csrf_data(client, {"intent": "approve", "approved_by": ""})
    )
    assert no_name.status_code == 422 and 'id="error-approved_by"' in no_name.text
    approved = await client.post(
        f"{path}/approval",
        data=await csrf_data(client, {"intent": "approve", "approved_by": "県DX推進課 課長"}),
    )
    assert approved.status_code == 303
    page = (await client.get(approved.headers["location"])).text
    assert "承認を記録しました" in page and "承認を取り消す" in page and "編集する" not in page
    fixed = await client.post(f"{path}/edit", data=await csrf_data(client, MINUTES))
    assert fixed.status_code == 409 and "承認済みの議事録は変更できません" in fixed.text
    assert (await client.get(f"{path}/edit")).status_code == 409
    withdrawn = await client.post(
        f"{path}/approval", data=await csrf_data(client, {"intent": "withdraw"})
    )
    assert withdrawn.status_code == 303
    saved = await client.post(
        f"{path}/edit", data=await csrf_data(client, MINUTES | {"title": "第8回 定例会議 訂正"})
    )
    assert saved.status_code == 303
    assert "第8回 定例会議 訂正" in (await client.get("/reports/minutes?year=2026")).text
    deleted = await client.post(f"{path}/delete", data=await csrf_data(client, {"confirm": "yes"}))
    assert deleted.status_code == 303 and await MeetingMinutes.count() == 0


async def test_a_mistyped_year_is_explained(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    for path in ("/reports/schedule?year=1999", "/reports/minutes?year=abc"):
        response = await client.get(path)
        assert response.status_code == 422 and 'id="error-year"' in response.text, path
    assert (await client.get("/reports/schedule?status=<x>")).status_code == 200
    assert (await client.get("/reports/issues?status=nothing")).status_code == 200


async def progress_forms(world: World) -> dict[tuple[str, str], tuple[str, dict[str, str], Role]]:
    """A valid post for every unsafe progress page route, each with entries of its own (for the
    CSRF walk in test_csrf_headers): (url, form, role)."""
    actor = staff(world)
    item_id = await schedule.create_item(actor, ITEM)
    gone_item = await schedule.create_item(actor, ITEM)
    issue_id = await issues.create_issue(actor, ISSUE)
    gone_issue = await issues.create_issue(actor, ISSUE)
    minutes_id = await minutes.create_minutes(actor, MINUTES)
    to_approve = await minutes.create_minutes(actor, MINUTES)
    gone_minutes = await minutes.create_minutes(actor, MINUTES)
    confirm = {"confirm": "yes"}
    return {
        ("POST", "/reports/schedule/new"): ("/reports/schedule/new", ITEM, Role.STAFF),
        ("POST", "/reports/schedule/{item_id:int}/edit"): (
            f"/reports/schedule/{item_id}/edit", ITEM | {"owner": "県"}, Role.STAFF,
        ),
        ("POST", "/reports/schedule/{item_id:int}/delete"): (
            f"/reports/schedule/{gone_item}/delete", confirm, Role.STAFF,
        ),
        ("POST", "/reports/issues/new"): ("/reports/issues/new", ISSUE, Role.STAFF),
        ("POST", "/reports/issues/{issue_id:int}/edit"): (
            f"/reports/issues/{issue_id}/edit", ISSUE | {"owner": "県"}, Role.STAFF,
        ),
        ("POST", "/reports/issues/{issue_id:int}/delete"): (
            f"/reports/issues/{gone_issue}/delete", confirm, Role.STAFF,
        ),
        ("POST", "/reports/minutes/new"): ("/reports/minutes/new", MINUTES, Role.STAFF),
        ("POST", "/reports/minutes/{minutes_id:int}/edit"): (
            f"/reports/minutes/{minutes_id}/edit", MINUTES | {"title": "訂正"}, Role.STAFF,
        ),
        ("POST", "/reports/minutes/{minutes_id:int}/approval"): (
            f"/reports/minutes/{to_approve}/approval",
            {"intent": "approve", "approved_by": "県DX推進課"}, Role.STAFF,
        ),
        ("POST", "/reports/minutes/{minutes_id:int}/delete"): (
            f"/reports/minutes/{gone_minutes}/delete", confirm, Role.STAFF,
        ),
    }  # fmt: skip


async def test_hostile_values_get_a_page_never_a_500(client: AsyncTestClient, world: World) -> None:
    """Every field of every progress form: too long, control characters and markup get a
    Japanese error page (or are kept as plain text) and never a server error."""
    from tests.http.test_hostile_input import CONTROL, INJECTIONS, LONG, _assert_page

    await login_as(client, role_email(Role.STAFF))
    for path, form, model in (
        ("/reports/schedule/new", ITEM, ScheduleItem),
        ("/reports/issues/new", ISSUE, ProjectIssue),
        ("/reports/minutes/new", MINUTES, MeetingMinutes),
    ):
        for key in form:
            for value in (LONG, *CONTROL):
                before = await model.count()
                response = await client.post(
                    path, data=await csrf_data(client, form | {key: value})
                )
                if response.status_code == 303:  # an optional field left empty by a lone NUL
                    continue
                _assert_page(response, 422)
                assert 'class="error-summary"' in response.text, (path, key)
                assert await model.count() == before, (path, key)
            for value in INJECTIONS:
                response = await client.post(
                    path, data=await csrf_data(client, form | {key: value})
                )
                assert response.status_code in (303, 422), (path, key, response.status_code)
                assert "<script>alert" not in response.text
    listed = (await client.get("/reports/issues?status=all")).text
    assert "<img src=x" not in listed and "&lt;img src=x" in listed
