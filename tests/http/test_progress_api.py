"""The progress API: staff keep the schedule, the issues list and the minutes through
/api/v1/progress with scope reports:write; officials read and cannot change; mistakes come
back as 422 naming each field in Japanese, approved minutes as 409."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.permissions import Role
from api.progress.tables import MeetingMinutes, ProjectIssue, ScheduleItem
from tests.http.conftest import World
from tests.http.test_kpi_reports import token_headers

ITEM = {"title": "事例集の発行", "owner": "事務局", "due_on": "2027-03-15", "kind": "milestone"}
ISSUE = {"title": "会員のログインが少ない", "owner": "事務局", "raised_on": "2026-10-01"}
MINUTES = {"held_on": "2026-11-05", "title": "第7回 定例会議", "body": "## 決定事項\n\n- 継続"}


async def test_staff_keep_the_schedule(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    created = await client.post("/api/v1/progress/schedule", json=ITEM, headers=staff)
    assert created.status_code == 201, created.text
    item = created.json()
    assert (item["fiscal_year"], item["kind_label"], item["current_status"]) == (
        2026, "マイルストーン", "not_started",
    )  # fmt: skip
    changed = await client.put(
        f"/api/v1/progress/schedule/{item['id']}", json=ITEM | {"status": "done"}, headers=staff
    )
    assert changed.status_code == 200 and changed.json()["done_on"] is not None
    listed = (await client.get("/api/v1/progress/schedule?fiscal_year=2026", headers=staff)).json()
    assert [i["id"] for i in listed["items"]] == [item["id"]]
    assert listed["counts"]["done"] == 1
    removed = await client.delete(f"/api/v1/progress/schedule/{item['id']}", headers=staff)
    assert removed.status_code == 204 and await ScheduleItem.count() == 0
    missing = await client.get(f"/api/v1/progress/schedule/{item['id']}", headers=staff)
    assert missing.status_code == 404


async def test_mistakes_are_named_and_unknown_fields_refused(
    client: AsyncTestClient, world: World
) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    refused = await client.post(
        "/api/v1/progress/schedule",
        json={"title": "", "owner": "事務局", "due_on": "来月", "status": "late"},
        headers=staff,
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"title", "due_on", "status"}
    unknown = await client.post(
        "/api/v1/progress/issues", json=ISSUE | {"priority": "高"}, headers=staff
    )
    assert unknown.status_code == 400
    resolved = await client.post(
        "/api/v1/progress/issues", json=ISSUE | {"status": "resolved"}, headers=staff
    )
    assert resolved.status_code == 422 and "status" in resolved.json()["errors"]
    assert await ScheduleItem.count() == 0 and await ProjectIssue.count() == 0


async def test_staff_keep_the_issues_list(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    created = (await client.post("/api/v1/progress/issues", json=ISSUE, headers=staff)).json()
    decided = ISSUE | {"status": "resolved", "decision": "案内を送る", "decided_by": "県DX推進課"}
    changed = await client.put(
        f"/api/v1/progress/issues/{created['id']}", json=decided, headers=staff
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status_label"] == "解決済み" and changed.json()["decided_on"]
    unresolved = (await client.get("/api/v1/progress/issues", headers=staff)).json()
    assert unresolved["total"] == 0
    everything = (await client.get("/api/v1/progress/issues?status=all", headers=staff)).json()
    assert [i["number"] for i in everything["items"]] == [f"課題{created['id']}"]


async def test_staff_write_and_approve_minutes(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    created = (await client.post("/api/v1/progress/minutes", json=MINUTES, headers=staff)).json()
    assert created["report_month"] == "2026-11" and "<h2>決定事項</h2>" in created["body_html"]
    path = f"/api/v1/progress/minutes/{created['id']}"
    no_name = await client.put(f"{path}/approval", json={"approved": True}, headers=staff)
    assert no_name.status_code == 422 and "approved_by" in no_name.json()["errors"]
    approved = await client.put(
        f"{path}/approval", json={"approved": True, "approved_by": "県DX推進課"}, headers=staff
    )
    assert approved.json()["status_label"] == "承認済み"
    fixed = await client.put(path, json=MINUTES | {"title": "変更"}, headers=staff)
    assert fixed.status_code == 409
    assert (await client.delete(path, headers=staff)).status_code == 409
    await client.put(f"{path}/approval", json={"approved": False}, headers=staff)
    assert (await client.delete(path, headers=staff)).status_code == 204


async def test_officials_read_and_cannot_change(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    item = (await client.post("/api/v1/progress/schedule", json=ITEM, headers=staff)).json()
    entry = (await client.post("/api/v1/progress/issues", json=ISSUE, headers=staff)).json()
    found = (await client.post("/api/v1/progress/minutes", json=MINUTES, headers=staff)).json()
    official = await token_headers(world, Role.OFFICIAL, ["reports:read", "reports:write"])
    for path in (
        f"/api/v1/progress/schedule/{item['id']}",
        f"/api/v1/progress/issues/{entry['id']}",
        f"/api/v1/progress/minutes/{found['id']}",
    ):
        assert (await client.get(path, headers=official)).status_code == 200
        assert (await client.delete(path, headers=official)).status_code == 403
    refused = [
        await client.post("/api/v1/progress/schedule", json=ITEM, headers=official),
        await client.put(
            f"/api/v1/progress/issues/{entry['id']}", json=ISSUE | {"title": "x"}, headers=official
        ),
        await client.put(
            f"/api/v1/progress/minutes/{found['id']}/approval",
            json={"approved": True, "approved_by": "県"}, headers=official,
        ),
    ]  # fmt: skip
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert await ScheduleItem.count() == 1 and await ProjectIssue.count() == 1
    stored = await MeetingMinutes.select(MeetingMinutes.approved_by).first()
    assert stored == {"approved_by": ""}
    member = await token_headers(world, Role.MEMBER_ADMIN, ["reports:read"])
    assert (await client.get("/api/v1/progress/schedule", headers=member)).status_code == 403
