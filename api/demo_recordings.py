"""Demo recordings for the embedded mode: two short videos of the seminars already held, made at
first start (frames drawn with Pillow, encoded to MP4 by PyAV, whose wheel carries the codecs;
nothing is downloaded), with WebVTT captions, chapters and a transcript, published to members.
A restart only looks."""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass

from api.accounts.tables import Account
from api.events.tables import Event
from api.permissions import Role
from api.principal import Principal
from api.recordings import service
from api.recordings.tables import Recording
from api.settings import Settings
from storage import open_store

SECONDS = 12
FPS = 10
WIDTH, HEIGHT = 320, 180


@dataclass(frozen=True, slots=True)
class DemoRecording:
    event_title: str  # the demo event it records (api.demo_events)
    title: str
    speakers: str
    colour: tuple[int, int, int]
    lines: tuple[str, str, str]  # what is said in each third of the video


DEMO_RECORDINGS: tuple[DemoRecording, ...] = (
    DemoRecording(
        "はじめてのDX推進セミナー", "【録画】はじめてのDX推進セミナー", "天草 玲子（中小企業診断士）",
        (0, 80, 143),
        ("皆さん、こんにちは。本日はDXの進め方をお話しします。",
         "まず、業務の棚卸しから始めましょう。",
         "小さく始めて、効果を確かめながら広げていきます。"),
    ),
    DemoRecording(
        "クラウド会計・電子帳簿保存法セミナー", "【録画】クラウド会計・電子帳簿保存法セミナー",
        "八代 修（税理士）", (30, 107, 58),
        ("電子帳簿保存法の要点を確認します。",
         "請求書の電子保存には検索の要件があります。",
         "クラウド会計を使うと、記帳と保存をまとめて進められます。"),
    ),
)  # fmt: skip


def _stamp(seconds: float) -> str:
    return f"00:00:{int(seconds):02d}.{int(seconds * 1000) % 1000:03d}"


def captions_of(plan: DemoRecording) -> str:
    third = SECONDS / 3
    cues = [
        f"{_stamp(i * third)} --> {_stamp((i + 1) * third - 0.1)}\n{line}"
        for i, line in enumerate(plan.lines)
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def video_of(plan: DemoRecording) -> bytes:
    """A 12-second 320x180 H.264 MP4 (moov first, so players start at once): a moving bar and
    a clock drawn on the demo's colour."""
    import av
    from PIL import Image, ImageDraw

    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        container = av.open(path, mode="w", options={"movflags": "+faststart"})
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for index in range(SECONDS * FPS):
            image = Image.new("RGB", (WIDTH, HEIGHT), plan.colour)
            draw = ImageDraw.Draw(image)
            x = 10 + index * (WIDTH - 70) // (SECONDS * FPS)
            draw.rectangle([x, 70, x + 50, 120], fill=(255, 191, 71))
            draw.text((10, 10), f"Kumamoto DX  {index / FPS:4.1f}s", fill=(255, 255, 255))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        container.close()
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


async def load_demo_recordings(settings: Settings) -> int:
    """Create the missing demo recordings; returns how many were created."""
    titles = [plan.title for plan in DEMO_RECORDINGS]
    existing = {
        row["title"]
        for row in await Recording.select(Recording.title).where(Recording.title.is_in(titles))
    }
    if existing >= set(titles):
        return 0
    events = {
        row["title"]: row["id"]
        for row in await Event.select(Event.id, Event.title).where(
            Event.title.is_in([plan.event_title for plan in DEMO_RECORDINGS])
        )
    }
    staff = await Account.select(Account.id).where(Account.email == "staff@example.jp").first()
    actor = Principal(
        account_id=staff["id"] if staff else 0, email="staff@example.jp", display_name="デモ",
        roles=frozenset({Role.STAFF}),
    )  # fmt: skip
    store = open_store(settings.storage_url, settings.data_dir)
    created = 0
    for plan in DEMO_RECORDINGS:
        if plan.title in existing or plan.event_title not in events:
            continue
        data = await asyncio.to_thread(video_of, plan)
        view = await service.begin_upload(
            actor, store, events[plan.event_title], plan.title, "demo.mp4", len(data)
        )
        await service.upload_part(actor, store, view.id, 1, data)
        await service.complete_upload(actor, store, view.id)
        described = service.RecordingInput.from_mapping(
            {
                "title": plan.title, "speakers": plan.speakers,
                "description": "コンソーシアムのセミナーの録画（デモ）です。",
                "chapters": "0:00 はじめに\n0:04 本題\n0:08 まとめ",
                "captions": captions_of(plan), "transcript": "\n".join(plan.lines),
            }
        )  # fmt: skip
        await service.update_recording(actor, view.id, described)
        await service.publish(actor, view.id)  # the duration was read from the video
        created += 1
    return created
