"""The recordings API and media routes: a resumable upload through HTTP, field errors (captions
with their line), publishing, who may reach every recording URL, range requests for seeking
(first bytes, a middle range, the last bytes, several ranges, impossible ones) and view counts
(per page opened, not per range request)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.permissions import Role
from api.recordings.reference import PART_SIZE
from api.recordings.tables import RecordingMonthlyView
from tests.http.conftest import World, login_as, role_email
from tests.http.test_events_api import staff_event
from tests.http.test_platform import api_headers, assert_problem
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
    url = f"/recordings/{recording_id}/video"
    whole = await client.get(url)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert whole.content == DATA
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
    assert await RecordingMonthlyView.count() == 0  # range requests are not views
    await client.get(f"/api/v1/recordings/{recording_id}")
    rows = await RecordingMonthlyView.select(RecordingMonthlyView.views)
    assert [row["views"] for row in rows] == [1]


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
    assert "催し: 生成AI活用セミナー" in player.text
    assert [
        row["views"] for row in await RecordingMonthlyView.select(RecordingMonthlyView.views)
    ] == [1]
    await login_as(client, role_email(Role.EDITOR))
    assert (await client.get(f"/platform/recordings/{recording_id}")).status_code == 403
