"""JSON shapes of the recordings API: recordings, upload progress and the archive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from api.pagination import Page
from api.recordings.reference import PART_SIZE
from api.recordings.service import RecordingView, UploadProgress


class ChapterOut(msgspec.Struct):
    start: Annotated[int, msgspec.Meta(description="開始位置（秒）")]
    title: str


class RecordingOut(msgspec.Struct):
    id: int
    event_id: int
    event_title: str
    title: str
    theme_id: int | None
    theme_name: str
    speakers: list[str]
    description: str
    duration_seconds: int | None
    video_codec: Annotated[
        str, msgspec.Meta(description="映像の形式（h264, vp8, vp9, av1, hevc ...）。不明なら空")
    ]
    chapters: list[ChapterOut]
    state: Annotated[str, msgspec.Meta(description="uploading, draft, published")]
    content_type: str
    size: int
    has_captions: bool
    has_transcript: bool
    exemption_reason: str
    published_at: datetime | None
    video_url: str
    captions_url: str
    poster_url: str | None

    @classmethod
    def of(cls, view: RecordingView) -> RecordingOut:
        return cls(
            id=view.id, event_id=view.event_id, event_title=view.event_title, title=view.title,
            theme_id=view.theme_id, theme_name=view.theme_name,
            speakers=[line for line in view.speakers.splitlines() if line.strip()],
            description=view.description, duration_seconds=view.duration_seconds,
            video_codec=view.video_codec,
            chapters=[ChapterOut(c.start, c.title) for c in view.chapters], state=view.state,
            content_type=view.content_type, size=view.size, has_captions=bool(view.captions),
            has_transcript=bool(view.transcript), exemption_reason=view.exemption_reason,
            published_at=view.published_at, video_url=view.video_url,
            captions_url=f"/recordings/{view.id}/captions.vtt",
            poster_url=f"/recordings/{view.id}/poster" if view.poster_key else None,
        )  # fmt: skip


class RecordingDetailOut(RecordingOut):
    """A recording to watch: the transcript too."""

    transcript: str = ""

    @classmethod
    def detail(cls, view: RecordingView) -> RecordingDetailOut:
        return cls(**msgspec.structs.asdict(RecordingOut.of(view)), transcript=view.transcript)


class RecordingPage(msgspec.Struct):
    items: list[RecordingOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, result: Page[RecordingView]) -> RecordingPage:
        return cls(
            items=[RecordingOut.of(view) for view in result.items], total=result.total,
            page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip


class UploadIn(msgspec.Struct):
    event_id: int
    title: str
    file_name: Annotated[str, msgspec.Meta(description="元のファイル名（.mp4 または .webm）")]
    size: Annotated[int, msgspec.Meta(description="ファイルの大きさ（バイト）")]


class ProgressOut(msgspec.Struct):
    recording_id: int
    part_size: Annotated[int, msgspec.Meta(description="部分の大きさ（最後の部分だけ短い）")]
    total_parts: int
    received: Annotated[list[int], msgspec.Meta(description="受け取り済みの部分の番号")]
    next_part: Annotated[
        int | None, msgspec.Meta(description="次に送る部分（すべて受け取ったら null）")
    ]
    bytes_received: int
    size: int

    @classmethod
    def of(cls, progress: UploadProgress) -> ProgressOut:
        return cls(
            recording_id=progress.recording_id, part_size=PART_SIZE,
            total_parts=progress.total_parts, received=progress.received,
            next_part=progress.next_part, bytes_received=progress.bytes_received,
            size=progress.size,
        )  # fmt: skip


class RecordingIn(msgspec.Struct):
    title: str
    speakers: str = ""
    description: str = ""
    chapters: Annotated[str, msgspec.Meta(description="1行に1つ「0:05:00 はじめに」")] = ""
    captions: Annotated[
        str, msgspec.Meta(description="WebVTT（検証し、誤りは行番号つきで返します）")
    ] = ""
    transcript: str = ""
    exemption_reason: Annotated[
        str, msgspec.Meta(description="字幕・文字起こしなしで公開する理由")
    ] = ""
    theme_id: Annotated[
        int | None, msgspec.Meta(description="テーマ（ソリューションのカテゴリのid）。なしはnull")
    ] = None

    def values(self) -> dict[str, Any]:
        """The form's names (theme as text, as a select sends it)."""
        values = msgspec.structs.asdict(self)
        theme = values.pop("theme_id")
        return {**values, "theme": "" if theme is None else str(theme)}
