"""Recordings: uploading in parts with resume after an interruption (at several points,
including between the last part and completion), content checks, the publishing rule, who
watches what, view counts per month, abandoned uploads, deletion and the storage check."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api import clock
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.events import service as events
from api.members.reference import MembershipStatus
from api.permissions import Role
from api.principal import Principal
from api.recordings import service as recordings
from api.recordings.reference import PART_SIZE
from api.recordings.service import RecordingInput
from api.recordings.tables import Recording, RecordingMonthlyView
from api.settings import Settings
from storage import open_store
from storage.local import LocalObjectStore
from tests.conftest import make_account
from tests.factories import make_organisation
from tests.service.test_events import event_input, signed_in

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
CAPTIONS = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n皆さん、こんにちは。\n"


def video(size: int, head: bytes = MP4_HEAD) -> bytes:
    return head + bytes(size - len(head))


def parts_of(data: bytes) -> list[bytes]:
    return [data[i : i + PART_SIZE] for i in range(0, len(data), PART_SIZE)]


@pytest.fixture
async def world(settings: Settings, db: None) -> dict[str, Any]:
    active = await make_organisation(1)
    suspended = await make_organisation(2, status=MembershipStatus.SUSPENDED)
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER}, organisation_id=active)
    await make_account(
        settings, "suspended@example.jp", {Role.MEMBER_USER}, organisation_id=suspended
    )
    await make_account(settings, "editor@example.jp", {Role.EDITOR})
    staff = await signed_in(settings, "staff@example.jp")
    event = await events.create_event(staff, event_input())
    return {
        "staff": staff,
        "event": event.id,
        "store": open_store(settings.storage_url, settings.data_dir),
    }


async def uploaded(
    world: dict[str, Any], data: bytes, name: str = "seminar.mp4"
) -> recordings.RecordingView:
    staff, store = world["staff"], world["store"]
    view = await recordings.begin_upload(
        staff, store, world["event"], "生成AI活用セミナー", name, len(data)
    )
    for number, part in enumerate(parts_of(data), start=1):
        await recordings.upload_part(staff, store, view.id, number, part)
    return await recordings.complete_upload(staff, store, view.id)


async def test_a_recording_arrives_in_parts_and_becomes_a_draft(world: dict[str, Any]) -> None:
    data = video(PART_SIZE * 2 + 1000)
    view = await uploaded(world, data)
    assert view.state == "draft" and view.size == len(data) and view.content_type == "video/mp4"
    store = world["store"]
    assert (await store.stat(view.storage_key)).size == len(data)
    seam = b"".join([c async for c in store.open(view.storage_key, offset=PART_SIZE - 4, length=8)])
    assert seam == data[PART_SIZE - 4 : PART_SIZE + 4]
    assert await store.pending_uploads("recordings/") == []


@pytest.mark.parametrize("stop_after", [0, 1, 2, 3])
async def test_an_interrupted_upload_resumes_where_it_stopped(
    world: dict[str, Any], stop_after: int
) -> None:
    """Stopped before any part, after some, or after the last part but before completion; the
    process restarts (a new store object) and the browser asks where to go on."""
    staff = world["staff"]
    data = video(PART_SIZE * 2 + 1000)
    parts = parts_of(data)
    view = await recordings.begin_upload(
        staff, world["store"], world["event"], "録画", "a.mp4", len(data)
    )
    for number in range(1, stop_after + 1):
        await recordings.upload_part(staff, world["store"], view.id, number, parts[number - 1])
    restarted = LocalObjectStore(world["store"].root)
    progress = await recordings.upload_progress(staff, restarted, view.id)
    assert progress.received == list(range(1, stop_after + 1))
    assert progress.bytes_received == sum(len(p) for p in parts[:stop_after])
    assert progress.next_part == (stop_after + 1 if stop_after < 3 else None)
    if stop_after < 3:
        with pytest.raises(Conflict):
            await recordings.complete_upload(staff, restarted, view.id)
    while (
        number := (await recordings.upload_progress(staff, restarted, view.id)).next_part
    ) is not None:
        await recordings.upload_part(staff, restarted, view.id, number, parts[number - 1])
    done = await recordings.complete_upload(staff, restarted, view.id)
    assert done.state == "draft"
    assert await restarted.read_all(done.storage_key) == data


async def test_the_first_part_is_checked_by_its_content(world: dict[str, Any]) -> None:
    staff, store = world["staff"], world["store"]
    pdf = video(PART_SIZE + 10, head=b"%PDF-1.4\n")
    view = await recordings.begin_upload(staff, store, world["event"], "録画", "talk.mp4", len(pdf))
    with pytest.raises(ValidationFailed) as caught:
        await recordings.upload_part(staff, store, view.id, 1, pdf[:PART_SIZE])
    assert "動画ではありません" in caught.value.errors["file"]
    assert await Recording.count() == 0 and await store.pending_uploads() == []
    mp4_as_webm = video(PART_SIZE + 10)
    view = await recordings.begin_upload(
        staff, store, world["event"], "録画", "talk.webm", len(mp4_as_webm)
    )
    with pytest.raises(ValidationFailed):
        await recordings.upload_part(staff, store, view.id, 1, mp4_as_webm[:PART_SIZE])
    with pytest.raises(ValidationFailed) as caught:
        await recordings.begin_upload(staff, store, world["event"], "", "talk.avi", 0)
    assert set(caught.value.errors) == {"title", "file"}


async def test_parts_must_have_their_size_and_number(world: dict[str, Any]) -> None:
    staff, store = world["staff"], world["store"]
    data = video(PART_SIZE + 10)
    view = await recordings.begin_upload(staff, store, world["event"], "録画", "a.mp4", len(data))
    for number, part in ((1, data[:100]), (2, data[PART_SIZE:] + b"x"), (3, b"x"), (0, b"x")):
        with pytest.raises(ValidationFailed):
            await recordings.upload_part(staff, store, view.id, number, part)


async def test_only_the_secretariat_uploads(settings: Settings, world: dict[str, Any]) -> None:
    for email in ("member@example.jp", "editor@example.jp"):
        with pytest.raises(PermissionDenied):
            await recordings.begin_upload(
                await signed_in(settings, email),
                world["store"],
                world["event"],
                "録画",
                "a.mp4",
                10,
            )


async def test_publishing_needs_captions_and_a_transcript_or_an_exemption(
    world: dict[str, Any],
) -> None:
    staff = world["staff"]
    view = await uploaded(world, video(PART_SIZE + 10))
    with pytest.raises(ValidationFailed):
        await recordings.publish(staff, view.id)
    broken = RecordingInput.from_mapping(
        {"title": "録画", "captions": "WEBVTT\n\n00:01 --> 00:02\nx\n"}
    )
    with pytest.raises(ValidationFailed) as caught:
        await recordings.update_recording(staff, view.id, broken)
    assert caught.value.errors["captions"].startswith("字幕（WebVTT）の3行目: ")
    described = RecordingInput.from_mapping(
        {
            "title": "生成AI活用セミナー",
            "captions": CAPTIONS,
            "transcript": "皆さん、こんにちは。",
            "chapters": "0:00 はじめに\n12:30 事例紹介\n1:02:03 質疑応答",
        }
    )
    saved = await recordings.update_recording(staff, view.id, described)
    assert [(c.start, c.label) for c in saved.chapters] == [
        (0, "0:00"),
        (750, "12:30"),
        (3723, "1:02:03"),
    ]
    published = await recordings.publish(staff, view.id)
    assert published.published and published.published_at is not None
    with pytest.raises(ValidationFailed):  # a published one stays accessible
        await recordings.update_recording(
            staff, view.id, RecordingInput.from_mapping({"title": "録画"})
        )
    other = await uploaded(world, video(PART_SIZE + 20))
    exempt = RecordingInput.from_mapping(
        {"title": "録画", "exemption_reason": "音声のない記録映像のため"}
    )
    await recordings.update_recording(staff, other.id, exempt)
    assert (await recordings.publish(staff, other.id)).published


def test_chapters_name_the_wrong_line() -> None:
    for text, words in (
        ("0:00 はじめに\nあいさつ", "2行目"),
        ("5:00 a\n4:00 b", "時刻の順"),
        ("1:75 a", "59まで"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            recordings.parse_chapters(text)
        assert words in caught.value.errors["chapters"]


async def test_members_of_active_organisations_watch_published_recordings(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    view = await uploaded(world, video(PART_SIZE + 10))
    member = await signed_in(settings, "member@example.jp")
    with pytest.raises(NotFound):  # a draft is the secretariat's
        await recordings.recording_to_watch(member, view.id)
    assert (await recordings.recording_to_watch(staff, view.id)).state == "draft"
    await recordings.update_recording(
        staff,
        view.id,
        RecordingInput.from_mapping({"title": "録画", "captions": CAPTIONS, "transcript": "本文"}),
    )
    await recordings.publish(staff, view.id)
    assert (await recordings.recording_to_watch(member, view.id)).published
    for email in ("suspended@example.jp", "editor@example.jp"):
        with pytest.raises(NotFound):
            await recordings.recording_to_watch(await signed_in(settings, email), view.id)
    nobody = Principal(account_id=999, email="x@example.jp", display_name="x", roles=frozenset())
    with pytest.raises(NotFound):
        await recordings.recording_to_watch(nobody, view.id)


async def test_views_are_counted_per_recording_and_month(world: dict[str, Any]) -> None:
    view = await uploaded(world, video(PART_SIZE + 10))
    await recordings.count_view(view.id)
    await recordings.count_view(view.id)
    next_month = clock.now() + timedelta(days=40)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: next_month)
        await recordings.count_view(view.id)
    rows = await RecordingMonthlyView.select(RecordingMonthlyView.views).order_by(
        RecordingMonthlyView.month
    )
    assert [row["views"] for row in rows] == [2, 1]


async def test_uploads_abandoned_for_a_day_are_cleaned_up(
    settings: Settings, world: dict[str, Any]
) -> None:
    from api.jobs.worker import Worker

    staff, store = world["staff"], world["store"]
    data = video(PART_SIZE + 10)
    stale = await recordings.begin_upload(staff, store, world["event"], "放置", "a.mp4", len(data))
    await recordings.upload_part(staff, store, stale.id, 1, data[:PART_SIZE])
    stray = await store.create_upload("recordings/2026/" + "f" * 32 + ".mp4", "video/mp4")
    assert await recordings.clean_abandoned_uploads(store) == 0  # not a day old yet
    fresh = await recordings.begin_upload(
        staff, store, world["event"], "進行中", "b.mp4", len(data)
    )
    later = clock.now() + timedelta(days=1, minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: later)
        await Recording.update({Recording.created_at: clock.now()}).where(Recording.id == fresh.id)
        await Worker(settings).housekeeping()  # the hourly housekeeping does it (same store)
    assert [row["id"] for row in await Recording.select(Recording.id)] == [fresh.id]
    assert stray not in {u.upload_id for u in await store.pending_uploads()}


async def test_deleting_removes_the_video_and_the_storage_check_finds_strays(
    world: dict[str, Any],
) -> None:
    staff, store = world["staff"], world["store"]
    kept = await uploaded(world, video(PART_SIZE + 10))
    gone = await uploaded(world, video(PART_SIZE + 20))
    await recordings.delete_recording(staff, store, gone.id)
    assert gone.storage_key not in await store.keys("recordings/")
    await store.put("recordings/2026/" + "a" * 32 + ".mp4", io.BytesIO(b"x"), 1, "video/mp4")
    await store.delete(kept.storage_key)
    report = await recordings.storage_check(store)
    assert report.objects_without_record == ["recordings/2026/" + "a" * 32 + ".mp4"]
    assert report.records_without_object == [(kept.id, kept.storage_key)]


async def test_the_archive_lists_published_recordings_for_members(
    settings: Settings, world: dict[str, Any]
) -> None:
    from api.pagination import PageRequest
    from api.recordings.service import ArchiveFilter

    staff = world["staff"]
    draft = await uploaded(world, video(PART_SIZE + 10))
    shown = await uploaded(world, video(PART_SIZE + 20))
    await recordings.update_recording(
        staff, shown.id,
        RecordingInput.from_mapping({"title": "生成AIの基礎", "speakers": "熊本 太郎", "exemption_reason": "試験"}),
    )  # fmt: skip
    await recordings.publish(staff, shown.id)
    member = await signed_in(settings, "member@example.jp")
    page = PageRequest.of(1, 20)
    listed = await recordings.list_recordings(member, ArchiveFilter(), page)
    assert [v.id for v in listed.items] == [shown.id] and listed.items[0].event_title
    assert (await recordings.list_recordings(member, ArchiveFilter(q="熊本"), page)).total == 1
    assert (await recordings.list_recordings(member, ArchiveFilter(q="大阪"), page)).total == 0
    year = (await events.get_event_for_staff(staff, world["event"])).fiscal_year
    assert (
        await recordings.list_recordings(member, ArchiveFilter(fiscal_year=year), page)
    ).total == 1
    assert (
        await recordings.list_recordings(member, ArchiveFilter(fiscal_year=year - 5), page)
    ).total == 0
    everything = await recordings.list_recordings(
        staff, ArchiveFilter(event_id=world["event"]), page
    )
    assert {v.id for v in everything.items} == {draft.id, shown.id}
    with pytest.raises(PermissionDenied):
        await recordings.list_recordings(
            await signed_in(settings, "suspended@example.jp"), ArchiveFilter(), page
        )


def real_video(container: str, seconds: int, *, index_at_end: bool = False) -> bytes:
    """A small real video (PyAV): MP4 (H.264) with its index first or last, or WebM (VP8)."""
    import os
    import tempfile

    import av
    from PIL import Image

    fd, path = tempfile.mkstemp(suffix=f".{container}")
    os.close(fd)
    try:
        options = {} if index_at_end or container != "mp4" else {"movflags": "+faststart"}
        with av.open(path, mode="w", options=options) as output:
            codec = "libx264" if container == "mp4" else "libvpx"
            stream = output.add_stream(codec, rate=5)
            stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
            for index in range(seconds * 5):
                frame = av.VideoFrame.from_image(Image.new("RGB", (64, 64), (index * 8, 90, 160)))
                for packet in stream.encode(frame):
                    output.mux(packet)
            for packet in stream.encode():
                output.mux(packet)
        return Path(path).read_bytes()
    finally:
        os.unlink(path)


@pytest.mark.parametrize(
    ("container", "index_at_end", "codec"),
    [("mp4", False, "h264"), ("mp4", True, "h264"), ("webm", False, "vp8")],
)
async def test_the_duration_and_codec_are_read_from_the_stored_video(
    world: dict[str, Any], container: str, index_at_end: bool, codec: str
) -> None:
    view = await uploaded(
        world, real_video(container, 4, index_at_end=index_at_end), f"talk.{container}"
    )
    assert view.duration_seconds == 4 and view.video_codec == codec
    assert view.plays_everywhere


def box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def mp4_with(sample_entry: bytes, handler: bytes = b"vide") -> bytes:
    """A hand-made MP4 header: a movie of 90 s (time scale 1000) with one track."""
    mvhd = box(
        b"mvhd", bytes(12) + (1000).to_bytes(4, "big") + (90_000).to_bytes(4, "big") + bytes(80)
    )
    hdlr = box(b"hdlr", bytes(8) + handler + bytes(13))
    stsd = box(b"stsd", bytes(4) + (1).to_bytes(4, "big") + box(sample_entry, bytes(78)))
    trak = box(b"trak", box(b"mdia", hdlr + box(b"minf", box(b"stbl", stsd))))
    return MP4_HEAD + box(b"moov", mvhd + trak) + box(b"mdat", bytes(64))


async def test_a_codec_not_every_browser_plays_is_recognised() -> None:
    from api.recordings.probe import mp4_facts

    data = mp4_with(b"hvc1")

    async def read(offset: int, length: int) -> bytes:
        return data[offset : offset + length]

    facts = await mp4_facts(read, len(data))
    assert facts.duration == 90 and facts.codec == "hevc"
    audio_only = mp4_with(b"mp4a", handler=b"soun")
    facts = await mp4_facts(lambda o, n: _async(audio_only[o : o + n]), len(audio_only))
    assert facts.codec == ""


async def _async(value: bytes) -> bytes:
    return value


async def test_a_video_whose_duration_cannot_be_read_still_uploads(world: dict[str, Any]) -> None:
    view = await uploaded(world, video(PART_SIZE + 10))
    assert view.state == "draft" and view.duration_seconds is None


async def test_the_probe_reads_box_headers_not_the_whole_file() -> None:
    from api.recordings.probe import mp4_facts

    data = real_video("mp4", 3, index_at_end=True)
    reads: list[tuple[int, int]] = []

    async def read(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return data[offset : offset + length]

    assert round((await mp4_facts(read, len(data))).duration or 0) == 3
    assert sum(length for _, length in reads) < 1000, reads


@pytest.mark.parametrize(
    "data",
    [
        MP4_HEAD,  # only the file type box
        MP4_HEAD + b"\x00\x00\x00\x08moov",  # a movie box with no header
        MP4_HEAD + b"\x00\x00\x00\x01mdat" + b"\xff" * 8,  # a size beyond the file
        b"\x1a\x45\xdf\xa3\x9f" + b"\x42\x82\x84webm" + bytes(30),  # EBML, no Segment
        b"\x1a\x45\xdf\xa3" + b"\x00" * 20,  # an invalid EBML number
    ],
)
async def test_a_header_without_a_duration_gives_none(world: dict[str, Any], data: bytes) -> None:
    from api.recordings.probe import VideoFacts, probe_video

    store = world["store"]
    await store.put("recordings/probe.bin", io.BytesIO(data), len(data), "video/mp4")
    assert await probe_video(store, "recordings/probe.bin", len(data)) == VideoFacts(None, "")


async def categories() -> list[int]:
    from api.solutions.taxonomy import ensure_default_categories, list_categories

    await ensure_default_categories()
    return [c.id for c in await list_categories()]


async def test_a_theme_is_one_of_the_dx_categories_and_filters_the_archive(
    settings: Settings, world: dict[str, Any]
) -> None:
    from api.pagination import PageRequest
    from api.recordings.service import ArchiveFilter
    from api.solutions import taxonomy

    staff = world["staff"]
    first, second = (await categories())[:2]
    view = await uploaded(world, video(PART_SIZE + 10))
    values = {"title": "AI活用", "exemption_reason": "試験"}
    with pytest.raises(ValidationFailed) as refused:
        await recordings.update_recording(
            staff,
            view.id,
            RecordingInput.from_mapping({**values, "theme": "999999", "chapters": "x"}),
        )
    assert set(refused.value.errors) == {"theme", "chapters"}  # every wrong field at once
    saved = await recordings.update_recording(
        staff, view.id, RecordingInput.from_mapping({**values, "theme": str(first)})
    )
    assert saved.theme_id == first and saved.theme_name
    await recordings.publish(staff, view.id)
    member = await signed_in(settings, "member@example.jp")
    page = PageRequest.of(1, 20)
    assert (
        await recordings.list_recordings(member, ArchiveFilter(theme_id=first), page)
    ).total == 1
    assert (
        await recordings.list_recordings(member, ArchiveFilter(theme_id=second), page)
    ).total == 0
    # A retired theme stays on the recording that has it, and cannot be deleted while it does.
    await taxonomy.update_category(staff, first, name=saved.theme_name, position=0, active=False)
    again = await recordings.update_recording(
        staff, view.id, RecordingInput.from_mapping({**values, "theme": str(first)})
    )
    assert again.theme_id == first
    with pytest.raises(Conflict):
        await taxonomy.delete_category(staff, first)
    cleared = await recordings.update_recording(staff, view.id, RecordingInput.from_mapping(values))
    assert cleared.theme_id is None


async def test_a_poster_is_an_image_kept_as_one_webp_and_goes_with_the_recording(
    world: dict[str, Any],
) -> None:
    from tests.service.test_media import jpeg_with_gps, pdf_bytes

    staff, store = world["staff"], world["store"]
    view = await uploaded(world, video(PART_SIZE + 10))
    with pytest.raises(ValidationFailed) as refused:
        await recordings.set_poster(staff, store, view.id, "poster.pdf", io.BytesIO(pdf_bytes()))
    assert refused.value.errors == {"file": recordings.POSTER_REFUSAL}
    first = await recordings.set_poster(
        staff, store, view.id, "poster.jpg", io.BytesIO(jpeg_with_gps(1600, 900))
    )
    assert first.poster_key.endswith("-1280.webp")
    stored = b"".join([c async for c in store.open(first.poster_key)])
    assert stored[8:12] == b"WEBP" and b"Canon" not in stored  # metadata dropped
    assert set(await store.keys("recordings/posters/")) == {first.poster_key}
    second = await recordings.set_poster(
        staff, store, view.id, "p.jpg", io.BytesIO(jpeg_with_gps(640, 360))
    )
    assert set(await store.keys("recordings/posters/")) == {second.poster_key}  # the old one went
    assert (await recordings.storage_check(store)).objects_without_record == []
    with pytest.raises(PermissionDenied):
        await recordings.remove_poster(
            Principal(0, "e@example.jp", "編集者", frozenset({Role.EDITOR})), store, view.id
        )
    removed = await recordings.remove_poster(staff, store, view.id)
    assert removed.poster_key == "" and await store.keys("recordings/posters/") == []
    await recordings.set_poster(staff, store, view.id, "p.png", io.BytesIO(jpeg_with_gps(320, 180)))
    await recordings.delete_recording(staff, store, view.id)
    assert await store.keys("recordings/") == []
