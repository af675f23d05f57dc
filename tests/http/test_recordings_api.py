"""The recordings API and media routes: a resumable upload through HTTP, field errors (captions
with their line), publishing, who may reach every recording URL, range requests for seeking
(first bytes, a middle range, the last bytes, several ranges, impossible ones) and view counts
(per page opened, not per range request)."""

from __future__ import annotations

import io
from typing import Any

from litestar.testing import AsyncTestClient

from api.permissions import Role
from api.recordings.reference import PART_SIZE
from api.recordings.tables import RecordingMonthlyView
from tests.http.conftest import World, login_as, role_email
from tests.http.test_events_api import staff_event
from tests.http.test_platform import api_headers, assert_problem
from tests.service.test_media import png_bytes
from tests.service.test_recordings import CAPTIONS, parts_of, video

DATA = video(PART_SIZE + 5000)


async def upload_through_api(client: AsyncTestClient, world: World, data: bytes = DATA) -> int:
    event = await staff_event(world)
    await login_as(client, role_email(Role.STAFF))
    headers = api_headers(client)
    begun = await client.post(
        "/api/v1/recordings/uploads",
        json={
            "event_id": event.id,
            "title": "生成AI活用セミナー",
            "file_name": "seminar.mp4",
            "size": len(data),
        },
        headers=headers,
    )
    assert begun.status_code == 201, begun.text
    recording_id = begun.json()["recording_id"]
    assert begun.json()["next_part"] == 1 and begun.json()["total_parts"] == 2
    parts = parts_of(data)
    first = await client.put(
        f"/api/v1/recordings/{recording_id}/upload/parts/1", content=parts[0], headers=headers
    )
    assert first.status_code == 200, first.text
    # The tab closes here; later the page asks where to go on.
    resumed = (await client.get(f"/api/v1/recordings/{recording_id}/upload")).json()
    assert resumed["received"] == [1] and resumed["next_part"] == 2
    await client.put(
        f"/api/v1/recordings/{recording_id}/upload/parts/2", content=parts[1], headers=headers
    )
    done = await client.post(
        f"/api/v1/recordings/{recording_id}/upload/completion", headers=headers
    )
    assert done.status_code == 200 and done.json()["state"] == "draft", done.text
    return recording_id


async def publish(client: AsyncTestClient, recording_id: int) -> None:
    headers = api_headers(client)
    bad = await client.put(
        f"/api/v1/recordings/{recording_id}",
        json={"title": "録画", "captions": "WEBVTT\n\n00:01 --> 00:02\nx\n"},
        headers=headers,
    )
    assert assert_problem(bad, 422)["errors"]["captions"].startswith("字幕（WebVTT）の3行目: ")
    assert_problem(
        await client.post(f"/api/v1/recordings/{recording_id}/publication", headers=headers), 422
    )
    described = await client.put(
        f"/api/v1/recordings/{recording_id}",
        json={
            "title": "生成AI活用セミナー",
            "captions": CAPTIONS,
            "transcript": "皆さん、こんにちは。",
            "chapters": "0:00 はじめに\n0:30 事例",
        },
        headers=headers,
    )
    assert described.status_code == 200, described.text
    published = await client.post(f"/api/v1/recordings/{recording_id}/publication", headers=headers)
    assert published.json()["state"] == "published"


async def test_upload_resume_describe_and_publish_through_the_api(
    client: AsyncTestClient, world: World
) -> None:
    recording_id = await upload_through_api(client, world)
    await publish(client, recording_id)
    await login_as(client, role_email(Role.MEMBER_USER))
    listed = (await client.get("/api/v1/recordings")).json()
    assert [item["id"] for item in listed["items"]] == [recording_id]
    detail = (await client.get(f"/api/v1/recordings/{recording_id}")).json()
    assert detail["transcript"] == "皆さん、こんにちは。" and detail["chapters"][1] == {
        "start": 30,
        "title": "事例",
    }


async def test_a_first_part_that_is_no_video_is_refused(
    client: AsyncTestClient, world: World
) -> None:
    event = await staff_event(world)
    await login_as(client, role_email(Role.STAFF))
    headers = api_headers(client)
    data = video(PART_SIZE + 10, head=b"%PDF-1.4\n")
    begun = await client.post(
        "/api/v1/recordings/uploads",
        json={"event_id": event.id, "title": "録画", "file_name": "a.mp4", "size": len(data)},
        headers=headers,
    )
    recording_id = begun.json()["recording_id"]
    refused = await client.put(
        f"/api/v1/recordings/{recording_id}/upload/parts/1",
        content=data[:PART_SIZE],
        headers=headers,
    )
    assert "動画ではありません" in assert_problem(refused, 422)["errors"]["file"]
    assert_problem(await client.get(f"/api/v1/recordings/{recording_id}/upload"), 404)


async def test_every_recording_url_for_every_role(client: AsyncTestClient, world: World) -> None:
    recording_id = await upload_through_api(client, world)
    await publish(client, recording_id)
    urls = ["/api/v1/recordings", f"/api/v1/recordings/{recording_id}",
            f"/recordings/{recording_id}/video", f"/recordings/{recording_id}/captions.vtt"]  # fmt: skip
    expected: dict[Role | None, int] = {
        Role.MEMBER_USER: 200, Role.MEMBER_ADMIN: 200, Role.STAFF: 200, Role.ADMIN: 200,
        Role.EDITOR: 403, Role.OFFICIAL: 403, None: 403,
    }  # fmt: skip
    for role, status in expected.items():
        await login_as(client, role_email(role))
        for url in urls:
            got = (await client.get(url)).status_code
            assert got == status, (role, url, got)
    client.cookies.clear()
    for url in urls:
        assert (await client.get(url)).status_code == 401, url


async def test_range_requests_for_seeking_and_views_per_page(
    client: AsyncTestClient, world: World
) -> None:
    recording_id = await upload_through_api(client, world)
    await publish(client, recording_id)
    await login_as(client, role_email(Role.MEMBER_USER))
    url = (await client.get(f"/api/v1/recordings/{recording_id}")).json()["video_url"]
    assert url == f"/recordings/{recording_id}/video.mp4"  # a crawler sees a video file
    whole = await client.get(url)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert whole.content == DATA and whole.headers["content-type"] == "video/mp4"
    # The address handed out before the extension still answers.
    assert (await client.get(f"/recordings/{recording_id}/video")).content == DATA
    cases: list[tuple[str, int, int]] = [
        ("bytes=0-99", 0, 99),
        (f"bytes={PART_SIZE - 50}-{PART_SIZE + 49}", PART_SIZE - 50, PART_SIZE + 49),
        ("bytes=-100", len(DATA) - 100, len(DATA) - 1),
    ]
    for header, first, last in cases:
        part = await client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{len(DATA)}"
        assert part.content == DATA[first : last + 1]
    for header in ("bytes=0-1,5-6", f"bytes={len(DATA)}-", "bytes=9-3"):
        refused = await client.get(url, headers={"Range": header})
        assert (
            refused.status_code == 416
            and refused.headers["content-range"] == f"bytes */{len(DATA)}"
        )
    assert [row["views"] for row in await RecordingMonthlyView.select()] == [1]  # the API read
    await client.get(f"/api/v1/recordings/{recording_id}")
    rows = await RecordingMonthlyView.select(RecordingMonthlyView.views)
    assert [row["views"] for row in rows] == [2]  # range requests are not views


async def test_drafts_are_the_secretariats(client: AsyncTestClient, world: World) -> None:
    recording_id = await upload_through_api(client, world)
    await login_as(client, role_email(Role.MEMBER_USER))
    for url in (f"/api/v1/recordings/{recording_id}", f"/recordings/{recording_id}/video"):
        assert (await client.get(url)).status_code == 404
    assert (await client.get("/api/v1/recordings")).json()["total"] == 0


async def test_the_archive_and_the_player_page(client: AsyncTestClient, world: World) -> None:
    recording_id = await upload_through_api(client, world)
    await publish(client, recording_id)
    await login_as(client, role_email(Role.MEMBER_USER))
    archive = await client.get("/platform/recordings")
    assert (
        archive.status_code == 200 and f'href="/platform/recordings/{recording_id}"' in archive.text
    )
    assert (
        "条件に合う録画はありません"
        in (await client.get("/platform/recordings", params={"q": "大阪"})).text
    )
    player = await client.get(f"/platform/recordings/{recording_id}")
    assert player.status_code == 200
    assert '<track kind="captions" srclang="ja"' in player.text
    assert 'data-seek="30"' in player.text and "皆さん、こんにちは。" in player.text
    assert f'src="/recordings/{recording_id}/video.mp4"' in player.text
    assert f'href="/recordings/{recording_id}/video.mp4#t=30"' in player.text
    assert "<dt>催し</dt><dd>生成AI活用セミナー</dd>" in player.text
    assert [
        row["views"] for row in await RecordingMonthlyView.select(RecordingMonthlyView.views)
    ] == [1]
    await login_as(client, role_email(Role.EDITOR))
    assert (await client.get(f"/platform/recordings/{recording_id}")).status_code == 403


async def test_the_secretariats_list_editor_and_upload_page(
    client: AsyncTestClient, world: World
) -> None:
    from tests.http.test_applications import csrf_data

    recording_id = await upload_through_api(client, world)
    listed = await client.get("/console/recordings")
    assert listed.status_code == 200 and f'href="/console/recordings/{recording_id}"' in listed.text
    upload = await client.get("/console/recordings/new")
    assert (
        upload.status_code == 200
        and 'id="upload-progress"' in upload.text
        and "upload." in upload.text
    )
    editor = await client.get(f"/console/recordings/{recording_id}")
    assert editor.status_code == 200 and "非公開（準備中）" in editor.text
    bad = await client.post(
        f"/console/recordings/{recording_id}",
        data=await csrf_data(
            client, {"title": "録画", "captions": "WEBVTT\n\n00:01 --> 00:02\nx\n"}
        ),
    )
    assert bad.status_code == 422 and "3行目" in bad.text and 'id="error-captions"' in bad.text
    refused = await client.post(
        f"/console/recordings/{recording_id}/publish", data=await csrf_data(client, {})
    )
    assert refused.status_code == 422
    saved = await client.post(
        f"/console/recordings/{recording_id}",
        data=await csrf_data(client, {"title": "録画", "captions": CAPTIONS, "transcript": "本文"}),
    )
    assert saved.status_code == 303
    published = await client.post(
        f"/console/recordings/{recording_id}/publish", data=await csrf_data(client, {})
    )
    assert published.status_code == 303
    deleted = await client.post(
        f"/console/recordings/{recording_id}/delete", data=await csrf_data(client, {})
    )
    assert (
        deleted.status_code == 303 and (await client.get("/api/v1/recordings")).json()["total"] == 0
    )
    await login_as(client, role_email(Role.MEMBER_ADMIN))
    for path in ("/console/recordings", "/console/recordings/new"):
        assert (await client.get(path)).status_code == 403


async def test_an_interrupted_upload_is_offered_for_resuming(
    client: AsyncTestClient, world: World
) -> None:
    event = await staff_event(world)
    await login_as(client, role_email(Role.STAFF))
    begun = await client.post(
        "/api/v1/recordings/uploads",
        json={
            "event_id": event.id,
            "title": "中断した録画",
            "file_name": "a.mp4",
            "size": len(DATA),
        },
        headers=api_headers(client),
    )
    recording_id = begun.json()["recording_id"]
    await client.put(
        f"/api/v1/recordings/{recording_id}/upload/parts/1",
        content=parts_of(DATA)[0],
        headers=api_headers(client),
    )
    listed = await client.get("/console/recordings")
    assert (
        f"/console/recordings/new?resume={recording_id}" in listed.text
        and "アップロード中" in listed.text
    )
    page = await client.get("/console/recordings/new", params={"resume": str(recording_id)})
    assert f'data-resume="{recording_id}"' in page.text and "8.0MB" in page.text


async def recording_forms(settings: Any, world: World) -> dict[tuple[str, str], tuple[Any, ...]]:
    """A valid post for every unsafe recordings page route, each with a recording of its own
    (for the CSRF walk in test_csrf_headers): (url, form, role, writes[, files])."""
    from api.recordings import service as recordings
    from storage import open_store
    from tests.http.conftest import admin_principal

    staff = admin_principal(world.accounts[Role.STAFF])
    store = open_store(settings.storage_url, settings.data_dir)
    event = await staff_event(world, title="録画フォーム用の催し")

    small = video(2000)  # one part: the walk needs recordings, not large ones

    async def one(title: str) -> int:
        view = await recordings.begin_upload(staff, store, event.id, title, "a.mp4", len(small))
        await recordings.upload_part(staff, store, view.id, 1, small)
        done = await recordings.complete_upload(staff, store, view.id)
        await recordings.update_recording(
            staff,
            done.id,
            recordings.RecordingInput.from_mapping({"title": title, "exemption_reason": "試験"}),
        )
        return done.id

    saved, published, deleted = await one("保存用"), await one("公開用"), await one("削除用")
    with_poster, poster = await one("ポスター削除用"), png_bytes(320, 180, "RGB")
    await recordings.set_poster(staff, store, with_poster, "p.png", io.BytesIO(poster))
    base = "/console/recordings"
    return {
        ("POST", "/console/recordings/{recording_id:int}/poster"): (
            f"{base}/{saved}/poster", {}, Role.STAFF, True,
            {"poster_file": ("poster.png", poster, "image/png")},
        ),
        ("POST", "/console/recordings/{recording_id:int}/poster/delete"): (
            f"{base}/{with_poster}/poster/delete", {}, Role.STAFF, True,
        ),
        ("POST", "/console/recordings/{recording_id:int}"): (
            f"{base}/{saved}", {"title": "保存後", "exemption_reason": "試験"}, Role.STAFF, True,
        ),
        ("POST", "/console/recordings/{recording_id:int}/publish"): (
            f"{base}/{published}/publish", {}, Role.STAFF, True,
        ),
        ("POST", "/console/recordings/{recording_id:int}/delete"): (
            f"{base}/{deleted}/delete", {}, Role.STAFF, True,
        ),
    }  # fmt: skip


async def test_on_s3_members_are_sent_to_a_presigned_url_that_expires_in_minutes(
    settings: Any, db: None, world: World
) -> None:
    import os
    from dataclasses import replace
    from urllib.parse import parse_qs, urlparse

    import httpx
    from moto.server import ThreadedMotoServer

    from api.recordings import service as recordings
    from storage import open_store
    from tests.contract.test_storage import _free_port
    from tests.http.conftest import admin_principal
    from web.app import create_app

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        url = f"s3://test:testsecret@127.0.0.1:{port}/kdx-{os.urandom(4).hex()}?secure=false&region=ap-northeast-1"
        s3_settings = replace(settings, storage_url=url)
        store = open_store(url, settings.data_dir)
        staff = admin_principal(world.accounts[Role.STAFF])
        event = await staff_event(world)
        view = await recordings.begin_upload(staff, store, event.id, "S3の録画", "a.mp4", len(DATA))
        for number, part in enumerate(parts_of(DATA), start=1):
            await recordings.upload_part(staff, store, view.id, number, part)
        await recordings.complete_upload(staff, store, view.id)
        await recordings.update_recording(
            staff,
            view.id,
            recordings.RecordingInput.from_mapping(
                {"title": "S3の録画", "exemption_reason": "試験"}
            ),
        )
        await recordings.publish(staff, view.id)
        async with AsyncTestClient(
            app=create_app(s3_settings, migrate_on_start=False)
        ) as s3_client:
            s3_client.follow_redirects = False
            await login_as(s3_client, role_email(Role.MEMBER_USER))
            answer = await s3_client.get(f"/recordings/{view.id}/video")
            assert (
                answer.status_code == 302 and answer.headers["cache-control"] == "private, no-store"
            )
            location = answer.headers["location"]
            assert parse_qs(urlparse(location).query)["X-Amz-Expires"] == ["300"]
            async with httpx.AsyncClient() as http:
                fetched = await http.get(location, headers={"Range": "bytes=0-99"})
            assert fetched.status_code == 206 and fetched.content == DATA[:100]
    finally:
        server.stop()


async def test_a_poster_and_a_theme_from_the_console_and_the_api(
    client: AsyncTestClient, world: World
) -> None:
    from api.solutions import taxonomy
    from tests.http.test_applications import csrf_data

    await taxonomy.ensure_default_categories()
    theme = (await taxonomy.list_categories())[3]
    recording_id = await upload_through_api(client, world)
    await publish(client, recording_id)
    editor = f"/console/recordings/{recording_id}"
    assert f'<option value="{theme.id}">{theme.name}</option>' in (await client.get(editor)).text
    # A file that is not an image: the error stands next to the poster field, nothing stored.
    refused = await client.post(
        f"{editor}/poster",
        data=await csrf_data(client, {}),
        files={"poster_file": ("poster.jpg", b"%PDF-1.4\n", "image/jpeg")},
    )
    assert refused.status_code == 422 and 'id="error-poster_file"' in refused.text
    added = await client.post(
        f"{editor}/poster",
        data=await csrf_data(client, {}),
        files={"poster_file": ("poster.png", png_bytes(640, 360, "RGB"), "image/png")},
    )
    assert added.status_code == 303 and added.headers["location"] == f"{editor}?done=poster"
    described = await client.put(
        f"/api/v1/recordings/{recording_id}",
        json={"title": "生成AI活用セミナー", "captions": CAPTIONS, "transcript": "本文",
              "theme_id": theme.id},
        headers=api_headers(client),
    )  # fmt: skip
    assert described.json()["theme_name"] == theme.name
    assert described.json()["poster_url"] == f"/recordings/{recording_id}/poster"

    await login_as(client, role_email(Role.MEMBER_USER))
    image = await client.get(f"/recordings/{recording_id}/poster")
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    assert image.content[8:12] == b"WEBP"
    player = (await client.get(f"/platform/recordings/{recording_id}")).text
    assert f'poster="/recordings/{recording_id}/poster"' in player and theme.name in player
    archive = await client.get("/platform/recordings", params={"theme": str(theme.id)})
    assert f'<option value="{theme.id}" selected>{theme.name}</option>' in archive.text
    assert f'href="/platform/recordings/{recording_id}"' in archive.text
    other = await client.get("/platform/recordings", params={"theme": str(theme.id + 1)})
    assert "条件に合う録画はありません" in other.text
    event_id = (await client.get(f"/api/v1/recordings/{recording_id}")).json()["event_id"]
    by_event = await client.get("/platform/recordings", params={"event": str(event_id)})
    assert f'href="/platform/recordings/{recording_id}"' in by_event.text
    for hostile in ("1; DROP TABLE recording", "99999999999999", "-1", "<script>"):
        assert (
            await client.get("/platform/recordings", params={"event": hostile, "theme": hostile})
        ).status_code == 200
    await login_as(client, role_email(Role.EDITOR))
    assert (await client.get(f"/recordings/{recording_id}/poster")).status_code == 403

    await login_as(client, role_email(Role.STAFF))
    headers = api_headers(client)
    removed = await client.delete(f"/api/v1/recordings/{recording_id}/poster", headers=headers)
    assert removed.status_code == 204
    assert (await client.get(f"/recordings/{recording_id}/poster")).status_code == 404
    again = await client.put(
        f"/api/v1/recordings/{recording_id}/poster",
        files={"file": ("p.png", png_bytes(320, 180, "RGB"), "image/png")},
        headers=headers,
    )
    assert again.status_code == 200 and again.json()["poster_url"]


async def test_the_editor_warns_of_a_codec_not_every_browser_plays(
    settings: Any, client: AsyncTestClient, world: World
) -> None:
    from api.recordings import service as recordings
    from storage import open_store
    from tests.http.conftest import admin_principal
    from tests.service.test_recordings import mp4_with, real_video

    staff = admin_principal(world.accounts[Role.STAFF])
    store = open_store(settings.storage_url, settings.data_dir)
    event = await staff_event(world)
    ids = {}
    for name, data in (("hevc", mp4_with(b"hvc1")), ("h264", real_video("mp4", 2))):
        view = await recordings.begin_upload(staff, store, event.id, name, "a.mp4", len(data))
        await recordings.upload_part(staff, store, view.id, 1, data)
        ids[name] = (await recordings.complete_upload(staff, store, view.id)).id
    await login_as(client, role_email(Role.STAFF))
    hevc = (await client.get(f"/console/recordings/{ids['hevc']}")).text
    assert "H.265 (HEVC)" in hevc and "一部のブラウザーで再生できません" in hevc
    assert "1:30" in hevc  # the duration from the movie header
    h264 = (await client.get(f"/console/recordings/{ids['h264']}")).text
    assert "H.264 (AVC)" in h264 and "再生できません" not in h264
