"""The secretariat's event pages: the list and the form (errors at the fields), publishing and
cancelling, participants and their exports, check-in (htmx and without), mail to registrants
with a preview and a count, anonymisation, and the attendance report for officials; members
and editors are refused."""

from __future__ import annotations

import csv
import io

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.events import service as events
from api.events.tables import Event, EventRegistration
from api.mail.tables import OutboxMail
from api.permissions import Role
from api.settings import Settings
from tests.http.conftest import World, admin_principal, login_as, role_email
from tests.http.test_applications import csrf_data
from tests.http.test_events_api import staff_event
from tests.service.test_events import event_input, person


def form_of(**overrides: str) -> dict[str, str]:
    data = event_input(**overrides)
    return {
        "kind": data.kind, "title": data.title, "summary": data.summary,
        "description": data.description, "starts_at": data.starts_at_text,
        "ends_at": data.ends_at_text, "venue_name": data.venue_name,
        "venue_address": data.venue_address, "access_notes": data.access_notes,
        "online_url": data.online_url, "capacity_onsite": data.capacity_onsite_text,
        "capacity_online": data.capacity_online_text,
        "registration_opens_at": data.registration_opens_at_text,
        "registration_closes_at": data.registration_closes_at_text,
        "audience": data.audience, "speakers": data.speakers,
    }  # fmt: skip


async def test_only_the_secretariat_reaches_the_console_pages(
    client: AsyncTestClient, world: World
) -> None:
    view = await staff_event(world)
    paths = ["/console/events", "/console/events/new", f"/console/events/{view.id}",
             f"/console/events/{view.id}/participants", f"/console/events/{view.id}/check-in",
             f"/console/events/{view.id}/mail", f"/console/events/{view.id}/participants.csv"]  # fmt: skip
    for role in (Role.MEMBER_ADMIN, Role.EDITOR, Role.OFFICIAL):
        await login_as(client, role_email(role))
        for path in paths:
            assert (await client.get(path)).status_code == 403, (role, path)
    await login_as(client, role_email(Role.STAFF))
    for path in paths:
        assert (await client.get(path)).status_code == 200, path


async def test_staff_create_fix_errors_publish_and_cancel(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    new = await client.get("/console/events/new")
    assert 'type="datetime-local"' in new.text
    bad = await client.post(
        "/console/events/new",
        data=await csrf_data(client, form_of(title="", capacity_onsite="0", capacity_online="0")),
    )
    assert (
        bad.status_code == 422
        and 'id="error-title"' in bad.text
        and 'href="#field-capacity_onsite"' in bad.text
    )
    assert await Event.count() == 0
    created = await client.post("/console/events/new", data=await csrf_data(client, form_of()))
    assert created.status_code == 303
    overview = await client.get(created.headers["location"])
    assert "下書きとして作成しました" in overview.text
    event_id = (await Event.select(Event.id).first())["id"]
    edited = await client.post(
        f"/console/events/{event_id}/edit",
        data=await csrf_data(client, form_of(title="名称を変えたセミナー")),
    )
    assert edited.status_code == 303
    published = await client.post(
        f"/console/events/{event_id}/publish", data=await csrf_data(client, {})
    )
    assert published.status_code == 303
    assert "名称を変えたセミナー" in (await client.get("/events")).text
    no_reason = await client.post(
        f"/console/events/{event_id}/cancel", data=await csrf_data(client, {"reason": ""})
    )
    assert no_reason.status_code == 422 and 'id="error-reason"' in no_reason.text
    done = await client.post(
        f"/console/events/{event_id}/cancel", data=await csrf_data(client, {"reason": "会場の都合"})
    )
    assert done.status_code == 303
    assert (await Event.select(Event.state).first())["state"] == "cancelled"


async def test_participants_exports_and_check_in(
    client: AsyncTestClient, settings: Settings, world: World
) -> None:
    view = await staff_event(world, capacity_onsite="1", capacity_online="5")
    first = await events.register(
        settings,
        None,
        view.id,
        person(1, name="菊池 花子", name_kana="キクチ ハナコ", accessibility_needs="車椅子"),
    )
    await events.register(settings, None, view.id, person(2))  # waiting
    await login_as(client, role_email(Role.STAFF))
    listed = await client.get(f"/console/events/{view.id}/participants", params={"q": "きくち"})
    assert (
        "菊池 花子" in listed.text and "参加 太郎2" not in listed.text and "車椅子" in listed.text
    )
    exported = await client.get(f"/console/events/{view.id}/participants.csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "受付番号" and len(rows) == 3
    book = await client.get(f"/console/events/{view.id}/participants.xlsx")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.max_row == 3

    page = await client.get(f"/console/events/{view.id}/check-in", params={"q": "キクチ"})
    assert "出席にする" in page.text
    fragment = await client.post(
        f"/console/events/{view.id}/check-in/{first.registration.id}",
        data=await csrf_data(client, {"attended": "1", "q": "キクチ"}),
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "出席 1人／登録 1人" in fragment.text and "出席済み（取り消す）" in fragment.text
    plain = await client.post(
        f"/console/events/{view.id}/check-in/{first.registration.id}",
        data=await csrf_data(client, {"attended": "0", "q": "キクチ"}),
    )
    assert plain.status_code == 303 and "q=" in plain.headers["location"]
    row = await EventRegistration.select(EventRegistration.attended_at).where(
        EventRegistration.id == first.registration.id
    )
    assert row[0]["attended_at"] is None


async def test_mail_to_registrants_shows_a_preview_and_a_count_before_sending(
    client: AsyncTestClient, settings: Settings, world: World
) -> None:
    view = await staff_event(world, capacity_onsite="1", capacity_online="0")
    await events.register(settings, None, view.id, person(1))
    await events.register(settings, None, view.id, person(2))  # waiting
    await login_as(client, role_email(Role.STAFF))
    before = await OutboxMail.count()
    values = {
        "recipients": "all",
        "subject": "会場変更のお知らせ",
        "body": "会場が3階に変わりました。",
    }
    preview = await client.post(
        f"/console/events/{view.id}/mail", data=await csrf_data(client, values)
    )
    assert preview.status_code == 200 and "2人に送信する" in preview.text
    assert await OutboxMail.count() == before
    empty = await client.post(
        f"/console/events/{view.id}/mail", data=await csrf_data(client, {**values, "body": ""})
    )
    assert empty.status_code == 422 and 'id="error-body"' in empty.text
    sent = await client.post(
        f"/console/events/{view.id}/mail", data=await csrf_data(client, {**values, "send": "1"})
    )
    assert sent.status_code == 303
    subjects = await OutboxMail.select(OutboxMail.to_address).where(
        OutboxMail.subject == "会場変更のお知らせ"
    )
    assert sorted(r["to_address"] for r in subjects) == ["person1@example.jp", "person2@example.jp"]


async def test_officials_read_the_attendance_report_and_its_exports(
    client: AsyncTestClient, settings: Settings, world: World
) -> None:
    view = await staff_event(world, title="報告用セミナー")
    await events.register(settings, None, view.id, person(1))
    await login_as(client, role_email(Role.OFFICIAL))
    report = await client.get("/reports/events", params={"year": str(view.fiscal_year)})
    assert report.status_code == 200 and "報告用セミナー" in report.text
    exported = await client.get("/reports/events.csv", params={"year": str(view.fiscal_year)})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][0] == "報告用セミナー" and rows[1][3] == "1"
    assert (await client.get("/reports/events.xlsx")).status_code == 200
    await login_as(client, role_email(Role.MEMBER_USER))
    assert (await client.get("/reports/events")).status_code == 403


async def test_materials_are_checked_by_content_and_read_like_their_event(
    client: AsyncTestClient, world: World
) -> None:
    from tests.service.test_media import office_bytes, pdf_bytes, png_bytes

    view = await staff_event(world, title="資料つきセミナー", audience="members")
    await login_as(client, role_email(Role.STAFF))
    url = f"/console/events/{view.id}/materials"
    wrong = await client.post(
        url, data=await csrf_data(client, {"title": "写真"}),
        files={"material_file": ("slides.pdf", png_bytes(), "application/pdf")},
    )  # fmt: skip
    assert wrong.status_code == 422 and 'id="error-material_file"' in wrong.text
    added = await client.post(
        url, data=await csrf_data(client, {"title": "講演資料"}),
        files={"material_file": ("slides.pdf", pdf_bytes(2048), "application/octet-stream")},
    )  # fmt: skip
    assert added.status_code == 303
    await client.post(
        url, data=await csrf_data(client, {"title": ""}),
        files={"material_file": ("プログラム.docx", office_bytes(), "application/octet-stream")},
    )  # fmt: skip
    listed = (await client.get(f"/api/v1/events/{view.id}/materials")).json()
    assert listed[0]["link_text"] == "講演資料（PDF、2KB）"
    assert listed[1]["link_text"].startswith("プログラム.docx（Word、")
    pdf = listed[0]
    await login_as(client, role_email(Role.MEMBER_USER))
    page = await client.get(f"/events/{view.id}")
    assert "講演資料（PDF、2KB）" in page.text
    download = await client.get(pdf["url"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["content-type"].startswith("application/pdf")
    client.cookies.clear()
    assert (await client.get(pdf["url"])).status_code == 404  # members only
    await login_as(client, role_email(Role.STAFF))
    deleted = await client.post(f"{url}/{pdf['id']}/delete", data=await csrf_data(client, {}))
    assert deleted.status_code == 303
    assert len((await client.get(f"/api/v1/events/{view.id}/materials")).json()) == 1


async def test_the_check_in_counts_refresh_on_their_own(
    client: AsyncTestClient, settings: Settings, world: World
) -> None:
    view = await staff_event(world)
    result = await events.register(settings, None, view.id, person(1))
    await login_as(client, role_email(Role.STAFF))
    page = await client.get(f"/console/events/{view.id}/check-in")
    assert f'data-hx-get="/console/events/{view.id}/check-in/counts"' in page.text
    await events.check_in(
        admin_principal(world.accounts[Role.STAFF]), view.id, result.registration.id, True
    )
    counts = await client.get(
        f"/console/events/{view.id}/check-in/counts", headers={"HX-Request": "true"}
    )
    assert (
        counts.status_code == 200
        and "出席 1人／登録 1人" in counts.text
        and "<html" not in counts.text
    )
