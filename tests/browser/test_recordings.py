"""The recordings archive and the player page in the browser with axe-core and the Nu Html
Checker; the chapters work with the keyboard alone. The recording is uploaded through the API
(in parts, as the upload page will) and deleted again, so the demo data stays as it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.recordings.reference import PART_SIZE
from tests.browser.conftest import MEMBER, STAFF, PageAudit, login
from tests.browser.test_keyboard import focused, tab_to
from tests.service.test_media import png_bytes
from tests.service.test_recordings import CAPTIONS, parts_of, video


def _csrf(context: Any) -> dict[str, str]:
    token = next(c["value"] for c in context.cookies() if c["name"] == "kdx_csrf")
    return {"X-CSRF-Token": token}


@pytest.fixture
def published_recording(new_context: Any) -> Iterator[int]:
    context = new_context()
    page = context.new_page()
    login(page, *STAFF)
    page.goto("/console/events")  # a page with a form: the CSRF cookie is set
    api = context.request
    event_id = api.get("/api/v1/events/managed").json()["items"][0]["id"]
    data = video(PART_SIZE + 4096)
    begun = api.post(
        "/api/v1/recordings/uploads", headers=_csrf(context),
        data={"event_id": event_id, "title": "ブラウザ試験の録画", "file_name": "test.mp4", "size": len(data)},
    )  # fmt: skip
    assert begun.status == 201, begun.text()
    recording_id = begun.json()["recording_id"]
    for number, part in enumerate(parts_of(data), start=1):
        sent = api.put(
            f"/api/v1/recordings/{recording_id}/upload/parts/{number}",
            headers={**_csrf(context), "Content-Type": "application/octet-stream"}, data=part,
        )  # fmt: skip
        assert sent.status == 200, sent.text()
    assert api.post(
        f"/api/v1/recordings/{recording_id}/upload/completion", headers=_csrf(context)
    ).ok
    described = api.put(
        f"/api/v1/recordings/{recording_id}", headers=_csrf(context),
        data={"title": "ブラウザ試験の録画", "speakers": "熊本 太郎", "captions": CAPTIONS,
              "transcript": "皆さん、こんにちは。本日は生成AIの使い方をお話しします。",
              "chapters": "0:00 はじめに\n0:30 事例紹介"},
    )  # fmt: skip
    assert described.ok, described.text()
    assert api.post(f"/api/v1/recordings/{recording_id}/publication", headers=_csrf(context)).ok
    yield recording_id
    assert api.delete(f"/api/v1/recordings/{recording_id}", headers=_csrf(context)).status == 204


def test_the_archive_and_the_player_with_the_keyboard(
    page: Any, audit: PageAudit, published_recording: int
) -> None:
    login(page, *MEMBER)
    audit.visit(page, "/platform/recordings", label="/platform/recordings")
    assert page.get_by_role("link", name="ブラウザ試験の録画").is_visible()
    audit.visit(
        page, f"/platform/recordings/{published_recording}", label="/platform/recordings/<id>"
    )
    assert page.locator("video#player track[kind=captions]").count() == 1
    tab_to(page, "a[data-seek='30']", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'player'")
    assert focused(page, "el.id") == "player"
    assert "/platform/recordings/" in page.url  # the page stayed: the player moved instead
    tab_to(page, ".transcript-text", limit=60)  # the transcript scrolls with the keyboard
    audit.finish()


def test_the_upload_page_with_its_progress_and_an_error(page: Any, audit: PageAudit) -> None:
    login(page, *STAFF)
    audit.visit(page, "/console/recordings", label="/console/recordings")
    audit.visit(page, "/console/recordings/new", label="/console/recordings/new")
    page.locator("#field-event_id").select_option(index=1)
    page.locator("#field-title").fill("ブラウザ試験のアップロード")
    not_a_video = video(PART_SIZE + 100, head=b"%PDF-1.4\n")
    page.locator("#field-video").set_input_files(
        {"name": "slides.mp4", "mimeType": "video/mp4", "buffer": not_a_video}
    )
    parts_sent: list[str] = []
    page.on(
        "request",
        lambda r: parts_sent.append(r.url.rsplit("/", 1)[1]) if "/upload/parts/" in r.url else None,
    )
    page.get_by_role("button", name="アップロードする").click()
    error = page.locator("#upload-error")
    error.wait_for(state="visible")
    assert "動画ではありません" in error.inner_text()
    # Part 1 (checked by its content) went alone: no later part raced it to an "aborted" answer.
    assert parts_sent == ["1"]
    audit.check(page, "/console/recordings/new (error)")
    page.locator("#field-video").set_input_files(
        {"name": "seminar.mp4", "mimeType": "video/mp4", "buffer": video(PART_SIZE + 100)}
    )
    with page.expect_navigation(url="**/console/recordings/*?done=uploaded"):
        page.get_by_role("button", name="アップロードする").click()
    assert page.locator("#upload-progress").count() == 0
    assert "アップロードが完了しました" in page.locator("main").inner_text()
    audit.check(page, "/console/recordings/<id> (editor)")
    poster = page.locator("#field-poster_file")
    poster.set_input_files({"name": "p.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4\n"})
    with page.expect_navigation():
        page.get_by_role("button", name="ポスター画像を登録する").click()
    assert "JPEG・PNG・WebP" in page.locator("#error-poster_file").inner_text()
    audit.check(page, "/console/recordings/<id> (poster error)")
    page.locator("#field-poster_file").set_input_files(
        {"name": "p.png", "mimeType": "image/png", "buffer": png_bytes(640, 360, "RGB")}
    )
    with page.expect_navigation(url="**/console/recordings/*?done=poster"):
        page.get_by_role("button", name="ポスター画像を登録する").click()
    preview = page.get_by_role("img", name="現在のポスター画像")
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 640
    audit.check(page, "/console/recordings/<id> (poster)")
    with page.expect_navigation():
        page.get_by_role("button", name="この録画を削除する（動画も消えます）").click()
    assert page.url.endswith("/console/recordings")
    audit.finish()
