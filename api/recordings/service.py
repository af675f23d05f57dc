"""Recordings: the secretariat uploads event recordings in parts (resumable), describes them
and publishes them to members once they are accessible.

Rules kept here for every caller (JSON routes and pages alike):
- Only the secretariat uploads, edits, publishes and deletes; members of an active organisation
  (and the secretariat) watch published recordings; nobody else learns that one exists.
- A video arrives in parts of exactly PART_SIZE (the last shorter), so an upload interrupted by
  a closed tab, a lost network or a restart resumes at the first missing part. The first part
  is checked by its content (MP4 or WebM, agreeing with the file name); the server holds one
  part at a time, never the whole file.
- Publishing needs captions and a transcript, or a recorded reason for an exemption.
- Uploads left unfinished for a day are aborted and their records removed.
- Views are counted per recording and month, when the player page is opened.
- The duration is read from the stored video when the upload completes; a poster is an image
  checked by its content and kept as one WebP still.
- A theme is one of the DX categories staff keep for the solutions directory (one vocabulary
  for members browsing either).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from api import clock
from api.audit.service import record
from api.dates import fiscal_year_span, month_of
from api.db import contains, is_storable_id, transaction
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.events import service as events
from api.media import images
from api.media.service import discard, store_checked
from api.members.directory import SECRETARIAT
from api.members.service import own_organisation_id
from api.pagination import Page, PageRequest
from api.principal import Principal
from api.recordings.captions import CaptionsInvalid, parse_captions
from api.recordings.probe import probe_video
from api.recordings.reference import (
    ABANDONED_AFTER,
    EXTENSION_OF_TYPE,
    MAX_CHAPTERS,
    MAX_EXEMPTION,
    MAX_RECORDING_BYTES,
    MAX_TEXT,
    MAX_TITLE,
    MAX_TRANSCRIPT,
    PART_SIZE,
    POSTER_TYPES,
    STATE_LABELS,
    VIDEO_CODECS,
    VIDEO_TYPES,
    RecordingState,
)
from api.recordings.tables import Recording, RecordingMonthlyView
from api.solutions.taxonomy import list_categories
from api.text import clean, lookup_text, required_text_problem, text_problem
from storage import ObjectNotFound, ObjectStore, new_key
from storage.base import UploadNotFound

NOT_FOUND = "お探しの録画は見つかりませんでした。"
POSTER_REFUSAL = "ポスター画像はJPEG・PNG・WebPの画像を選んでください。"
POSTER_FORMATS = ("jpeg", "png", "webp")  # as images.sniff names them
PREFIX = "recordings"


def time_label(seconds: int) -> str:
    """A position or length as players show it: 1:02:03, or 12:30 under an hour."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclass(frozen=True, slots=True)
class Chapter:
    start: int  # seconds
    title: str

    @property
    def label(self) -> str:
        return time_label(self.start)


@dataclass(frozen=True, slots=True)
class RecordingView:
    id: int
    event_id: int
    title: str
    speakers: str
    description: str
    duration_seconds: int | None
    chapters: list[Chapter]
    captions: str
    transcript: str
    exemption_reason: str
    state: str
    storage_key: str
    content_type: str
    file_name: str
    size: int
    created_at: datetime
    updated_at: datetime
    uploaded_at: datetime | None
    published_at: datetime | None
    upload_id: str = field(default="", repr=False)
    event_title: str = ""
    theme_id: int | None = None
    theme_name: str = ""
    poster_key: str = ""
    video_codec: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def video_url(self) -> str:
        """The video's address, ending in its type's extension: a browser or crawler that
        opens it knows it for a video file before it asks."""
        extension = EXTENSION_OF_TYPE.get(self.content_type, "mp4")
        return f"/recordings/{self.id}/video.{extension}"

    @property
    def codec_label(self) -> str:
        return VIDEO_CODECS.get(self.video_codec, (self.video_codec, False))[0]

    @property
    def plays_everywhere(self) -> bool:
        """Whether every current browser plays the video's codec (staff are told otherwise)."""
        return VIDEO_CODECS.get(self.video_codec, ("", False))[1]

    @property
    def duration_label(self) -> str:
        return time_label(self.duration_seconds) if self.duration_seconds else ""

    @property
    def published(self) -> bool:
        return self.state == RecordingState.PUBLISHED

    @property
    def total_parts(self) -> int:
        return max(1, -(-self.size // PART_SIZE))

    @property
    def accessible(self) -> bool:
        return bool(self.captions and self.transcript) or bool(self.exemption_reason)


def _chapters(text: str) -> list[Chapter]:
    try:
        items = json.loads(text or "[]")
    except ValueError:
        return []
    return [
        Chapter(int(item["start"]), str(item["title"])) for item in items if isinstance(item, dict)
    ]


def _view(row: dict[str, Any]) -> RecordingView:
    return RecordingView(
        id=row["id"], event_id=row["event"], title=row["title"], speakers=row["speakers"],
        description=row["description"], duration_seconds=row["duration_seconds"],
        chapters=_chapters(row["chapters"]), captions=row["captions"],
        transcript=row["transcript"], exemption_reason=row["exemption_reason"],
        state=row["state"], storage_key=row["storage_key"], content_type=row["content_type"],
        file_name=row["file_name"], size=int(row["size"]), created_at=row["created_at"],
        updated_at=row["updated_at"], uploaded_at=row["uploaded_at"],
        published_at=row["published_at"], upload_id=row["upload_id"],
        event_title=row.get("event_title") or "", theme_id=row["theme"],
        theme_name=row.get("theme_name") or "", poster_key=row["poster_key"],
        video_codec=row["video_codec"],
    )  # fmt: skip


def _require_secretariat(actor: Principal) -> None:
    if not actor.roles & SECRETARIAT:
        raise PermissionDenied("録画の管理は事務局のみが行えます。")


def _select() -> Any:
    """Every column, the event's title and the theme's name (one statement)."""
    return Recording.select(
        *Recording.all_columns(),
        Recording.event.title.as_alias("event_title"),
        Recording.theme.name.as_alias("theme_name"),
    )


async def _row(recording_id: int, *clauses: Any) -> RecordingView:
    rows = []
    if is_storable_id(recording_id):
        rows = await _select().where(Recording.id == recording_id, *clauses)
    if not rows:
        raise NotFound(NOT_FOUND)
    return _view(rows[0])


async def get_for_staff(actor: Principal, recording_id: int) -> RecordingView:
    _require_secretariat(actor)
    return await _row(recording_id)


# --- uploading in parts ----------------------------------------------------------------------


def video_type_of(file_name: str) -> tuple[str, str]:
    """(extension, content type) the file name claims; ValidationFailed when not mp4 or webm."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in VIDEO_TYPES:
        raise ValidationFailed(
            {"file": "録画はMP4またはWebMのファイル（.mp4・.webm）を選んでください。"}
        )
    return extension, VIDEO_TYPES[extension][0]


def sniff_video(first_bytes: bytes) -> str:
    """The extension the first bytes announce (mp4, webm) or "": ISO BMFF starts with a box
    whose type is ftyp; WebM is EBML (1A 45 DF A3) whose DocType is webm."""
    if len(first_bytes) >= 12 and first_bytes[4:8] == b"ftyp":
        return "mp4"
    if first_bytes[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in first_bytes[:64]:
        return "webm"
    return ""


async def begin_upload(
    actor: Principal,
    store: ObjectStore,
    event_id: int,
    title: object,
    file_name: object,
    size: object,
) -> RecordingView:
    """A new recording of an event, its video to arrive in parts (see upload_part)."""
    _require_secretariat(actor)
    await events.get_event_for_staff(actor, event_id)
    name = clean(file_name, 255)
    errors: dict[str, str] = {}
    text = clean(title, MAX_TITLE)
    if problem := required_text_problem(text, "題名", MAX_TITLE):
        errors["title"] = problem
    try:
        extension, content_type = video_type_of(name)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        extension, content_type = "", ""
    length = size if isinstance(size, int) else int(size) if str(size).isdigit() else 0
    if not 0 < length <= MAX_RECORDING_BYTES:
        errors["file"] = errors.get("file") or (
            f"録画のファイルは{MAX_RECORDING_BYTES // 1024**3}GBまでです。空のファイルは選べません。"
        )
    if errors:
        raise ValidationFailed(errors)
    key = new_key(f"{PREFIX}/{clock.now().year}", extension)
    upload_id = await store.create_upload(key, content_type, part_size=PART_SIZE)
    now = clock.now()
    try:
        async with transaction():
            rows = await Recording.insert(
                Recording(
                    event=event_id, title=text, state=RecordingState.UPLOADING, storage_key=key,
                    content_type=content_type, file_name=name, size=length, upload_id=upload_id,
                    created_by=actor.account_id, created_at=now, updated_at=now,
                )
            ).returning(Recording.id)  # fmt: skip
            await record(actor, "recording.upload_begin", "recording", rows[0]["id"], target_label=text,
                         after={"file": name, "size": length})  # fmt: skip
    except BaseException:
        await store.abort_upload(key, upload_id)
        raise
    return await _row(rows[0]["id"])


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """Where an upload stands: the parts stored, the next one to send, the bytes received."""

    recording_id: int
    received: list[int]
    total_parts: int
    bytes_received: int
    size: int

    @property
    def next_part(self) -> int | None:
        missing = sorted(set(range(1, self.total_parts + 1)) - set(self.received))
        return missing[0] if missing else None

    @property
    def complete(self) -> bool:
        return self.next_part is None


async def _uploading(actor: Principal, recording_id: int) -> RecordingView:
    _require_secretariat(actor)
    view = await _row(recording_id)
    if view.state != RecordingState.UPLOADING:
        raise Conflict("この録画のアップロードは終わっています。")
    return view


async def upload_progress(
    actor: Principal, store: ObjectStore, recording_id: int
) -> UploadProgress:
    """What an interrupted upload has stored: the browser resumes at next_part."""
    view = await _uploading(actor, recording_id)
    try:
        parts = await store.list_parts(view.storage_key, view.upload_id)
    except UploadNotFound:
        raise Conflict(
            "このアップロードは中止されました。もう一度最初からアップロードしてください。"
        ) from None
    return UploadProgress(
        view.id, [p.number for p in parts], view.total_parts, sum(p.size for p in parts), view.size
    )


def _expected_size(view: RecordingView, number: int) -> int:
    if number < view.total_parts:
        return PART_SIZE
    return view.size - PART_SIZE * (view.total_parts - 1)


async def upload_part(
    actor: Principal, store: ObjectStore, recording_id: int, number: int, data: bytes | bytearray
) -> UploadProgress:
    """Store one part (a part sent again replaces it). The first is checked by its content."""
    view = await _uploading(actor, recording_id)
    if not 1 <= number <= view.total_parts:
        raise ValidationFailed({"part": f"部分の番号は1から{view.total_parts}までです。"})
    if len(data) != _expected_size(view, number):
        raise ValidationFailed(
            {
                "part": f"{number}番目の部分は{_expected_size(view, number):,}バイトのはずですが、{len(data):,}バイトでした。"
            }
        )
    if number == 1:
        found = sniff_video(data[:4096])
        expected = view.file_name.rsplit(".", 1)[-1].lower()
        if found != expected:
            await abort_upload(actor, store, recording_id)
            raise ValidationFailed(
                {
                    "file": "ファイルの中身がMP4またはWebMの動画ではありません（拡張子と中身が一致しません）。"
                }
            )
    try:
        await store.upload_part(view.storage_key, view.upload_id, number, data)
    except UploadNotFound:
        raise Conflict(
            "このアップロードは中止されました。もう一度最初からアップロードしてください。"
        ) from None
    return await upload_progress(actor, store, recording_id)


async def complete_upload(actor: Principal, store: ObjectStore, recording_id: int) -> RecordingView:
    """Join the parts once every one is stored; the recording becomes a draft."""
    view = await _uploading(actor, recording_id)
    progress = await upload_progress(actor, store, recording_id)
    if not progress.complete:
        raise Conflict(
            f"まだ受け取っていない部分があります（{progress.next_part}番目から送ってください）。"
        )
    parts = await store.list_parts(view.storage_key, view.upload_id)
    stored = await store.complete_upload(view.storage_key, view.upload_id, parts)
    if stored.size != view.size:
        await store.delete(view.storage_key)
        raise Conflict("受け取った大きさが申告と違います。もう一度アップロードしてください。")
    facts = await probe_video(store, view.storage_key, stored.size)
    duration = round(facts.duration) if facts.duration else None
    async with transaction():
        await Recording.update(
            {
                Recording.duration_seconds: duration,
                Recording.video_codec: facts.codec,
                Recording.state: RecordingState.DRAFT,
                Recording.upload_id: "",
                Recording.uploaded_at: clock.now(),
                Recording.updated_at: clock.now(),
            }
        ).where(Recording.id == recording_id)
        await record(actor, "recording.upload_complete", "recording", recording_id, target_label=view.title,
                     after={"size": stored.size, "duration_seconds": duration,
                            "video_codec": facts.codec})  # fmt: skip
    return await _row(recording_id)


async def abort_upload(actor: Principal, store: ObjectStore, recording_id: int) -> None:
    """Give an upload up: its parts and its record go."""
    view = await _uploading(actor, recording_id)
    await store.abort_upload(view.storage_key, view.upload_id)
    async with transaction():
        await Recording.delete().where(Recording.id == recording_id)
        await record(
            actor, "recording.upload_abort", "recording", recording_id, target_label=view.title
        )


async def clean_abandoned_uploads(store: ObjectStore) -> int:
    """Abort uploads left unfinished for a day (records and parts), and parts no record names."""
    cutoff = clock.now() - ABANDONED_AFTER
    rows = await Recording.select(Recording.id, Recording.storage_key, Recording.upload_id).where(
        Recording.state == RecordingState.UPLOADING, Recording.created_at < cutoff
    )
    for row in rows:
        await store.abort_upload(row["storage_key"], row["upload_id"])
        await Recording.delete().where(Recording.id == row["id"])
    known = {
        row["upload_id"]
        for row in await Recording.select(Recording.upload_id).where(
            Recording.state == RecordingState.UPLOADING
        )
    }
    strays = [
        upload
        for upload in await store.pending_uploads(f"{PREFIX}/")
        if upload.upload_id not in known
        and upload.started_at is not None
        and upload.started_at < cutoff
    ]
    for upload in strays:
        await store.abort_upload(upload.key, upload.upload_id)
    return len(rows) + len(strays)


# --- describing and publishing -----------------------------------------------------------------


def parse_chapters(text: str) -> list[Chapter]:
    """Chapters typed one per line, "0:05:00 はじめに" or "12:30 質疑応答", in order."""
    chapters: list[Chapter] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        stamp, _, title = line.partition(" ")
        pieces = stamp.split(":")
        if not (2 <= len(pieces) <= 3 and all(p.isdigit() for p in pieces) and title.strip()):
            raise ValidationFailed(
                {
                    "chapters": f"{number}行目: 「0:05:00 はじめに」のように、時刻と見出しを書いてください。"
                }
            )
        values = [int(p) for p in pieces]
        if any(v >= 60 for v in values[1:]):
            raise ValidationFailed({"chapters": f"{number}行目: 分と秒は59までです。"})
        seconds = sum(v * 60**i for i, v in enumerate(reversed(values)))
        if chapters and seconds <= chapters[-1].start:
            raise ValidationFailed(
                {"chapters": f"{number}行目: 見出しは時刻の順に並べてください。"}
            )
        chapters.append(Chapter(seconds, clean(title, 120)))
    if len(chapters) > MAX_CHAPTERS:
        raise ValidationFailed({"chapters": f"見出しは{MAX_CHAPTERS}個までです。"})
    return chapters


@dataclass(frozen=True, slots=True)
class RecordingInput:
    title: str = ""
    speakers: str = ""
    description: str = ""
    chapters: str = ""
    captions: str = ""
    transcript: str = ""
    exemption_reason: str = ""
    theme: str = ""  # a category id, or "" for none

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> RecordingInput:
        def text(name: str, limit: int) -> str:
            value = values.get(name)
            return ("" if value is None else str(value)).replace("\r\n", "\n").strip()[: limit + 1]

        return cls(
            title=clean(values.get("title"), MAX_TITLE), speakers=text("speakers", MAX_TEXT),
            description=text("description", MAX_TEXT), chapters=text("chapters", MAX_TEXT),
            captions=text("captions", MAX_TRANSCRIPT), transcript=text("transcript", MAX_TRANSCRIPT),
            exemption_reason=text("exemption_reason", MAX_EXEMPTION), theme=clean(values.get("theme"), 12),
        )  # fmt: skip

    def checked(self) -> list[Chapter]:
        """The chapters, when every field is right; ValidationFailed names each wrong one."""
        errors: dict[str, str] = {}
        if problem := required_text_problem(self.title, "題名", MAX_TITLE):
            errors["title"] = problem
        for name, label, limit in (
            ("speakers", "登壇者", MAX_TEXT), ("description", "説明", MAX_TEXT),
            ("transcript", "文字起こし", MAX_TRANSCRIPT), ("exemption_reason", "免除の理由", MAX_EXEMPTION),
        ):  # fmt: skip
            if problem := text_problem(getattr(self, name), label, limit, multiline=True):
                errors[name] = problem
        if self.captions:
            try:
                parse_captions(self.captions)
            except CaptionsInvalid as exc:
                errors["captions"] = f"字幕（WebVTT）の{exc}"
        chapters: list[Chapter] = []
        try:
            chapters = parse_chapters(self.chapters)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationFailed(errors)
        return chapters


async def update_recording(
    actor: Principal, recording_id: int, data: RecordingInput
) -> RecordingView:
    """Change what describes a recording; a published one must stay accessible."""
    _require_secretariat(actor)
    view = await _row(recording_id)
    errors: dict[str, str] = {}
    chapters: list[Chapter] = []
    try:
        chapters = data.checked()
    except ValidationFailed as exc:
        errors.update(exc.errors)
    theme = await _theme_id(data.theme, view.theme_id, errors)
    if errors:
        raise ValidationFailed(errors)
    if view.published and not ((data.captions and data.transcript) or data.exemption_reason):
        raise ValidationFailed(
            {"captions": "公開中の録画には字幕と文字起こし（または免除の理由）が必要です。"}
        )
    async with transaction():
        await Recording.update(
            {
                Recording.title: data.title, Recording.speakers: data.speakers,
                Recording.description: data.description,
                Recording.chapters: json.dumps([{"start": c.start, "title": c.title} for c in chapters], ensure_ascii=False),
                Recording.captions: data.captions, Recording.transcript: data.transcript,
                Recording.exemption_reason: data.exemption_reason, Recording.theme: theme,
                Recording.updated_at: clock.now(),
            }
        ).where(Recording.id == recording_id)  # fmt: skip
        await record(actor, "recording.update", "recording", recording_id, target_label=data.title)
    return await _row(recording_id)


async def _theme_id(value: str, current: int | None, errors: dict[str, str]) -> int | None:
    """The chosen category's id: an active one, or the recording's own even once retired."""
    if not value:
        return None
    if value.isdigit() and is_storable_id(int(value)):
        chosen = int(value)
        if chosen == current or chosen in {c.id for c in await list_categories()}:
            return chosen
    errors["theme"] = "テーマは一覧から選んでください。"
    return None


async def set_poster(
    actor: Principal, store: ObjectStore, recording_id: int, file_name: str, source: BinaryIO
) -> RecordingView:
    """A still shown before the video plays: an image checked by its content, kept as one
    WebP at most 1280 pixels wide (metadata dropped); the previous poster goes."""
    _require_secretariat(actor)
    view = await _row(recording_id)
    # Anything but an image is refused as "not a poster" before the general checks, which
    # would explain what else it is (a broken PDF ...).
    head = source.read(64)
    source.seek(0)
    if images.sniff(head) not in POSTER_FORMATS:
        raise ValidationFailed({"file": POSTER_REFUSAL})
    upload = await store_checked(
        store, file_name, source, prefix=f"{PREFIX}/posters", content_types=POSTER_TYPES,
        refusal=POSTER_REFUSAL,
    )  # fmt: skip
    poster = upload.renditions[-1]["key"] if upload.renditions else upload.storage_key
    await discard(store, [key for key in upload.keys if key != poster])
    try:
        async with transaction():
            await Recording.update(
                {Recording.poster_key: poster, Recording.updated_at: clock.now()}
            ).where(Recording.id == recording_id)
            await record(
                actor, "recording.poster", "recording", recording_id, target_label=view.title
            )
    except BaseException:
        await discard(store, [poster])
        raise
    if view.poster_key:
        await discard(store, [view.poster_key])
    return await _row(recording_id)


async def remove_poster(actor: Principal, store: ObjectStore, recording_id: int) -> RecordingView:
    _require_secretariat(actor)
    view = await _row(recording_id)
    if view.poster_key:
        async with transaction():
            await Recording.update(
                {Recording.poster_key: "", Recording.updated_at: clock.now()}
            ).where(Recording.id == recording_id)
            await record(
                actor, "recording.poster_remove", "recording", recording_id, target_label=view.title
            )
        await discard(store, [view.poster_key])
    return await _row(recording_id)


async def publish(actor: Principal, recording_id: int) -> RecordingView:
    """Show a recording to members: its video complete, with captions and a transcript or a
    recorded reason for an exemption."""
    _require_secretariat(actor)
    view = await _row(recording_id)
    if view.state == RecordingState.UPLOADING:
        raise Conflict("アップロードが終わっていない録画は公開できません。")
    if not view.accessible:
        raise ValidationFailed(
            {
                "captions": "公開するには字幕（WebVTT）と文字起こしを登録するか、免除の理由を記録してください。"
            }
        )
    if not view.published:
        async with transaction():
            await Recording.update(
                {
                    Recording.state: RecordingState.PUBLISHED,
                    Recording.published_at: clock.now(),
                    Recording.updated_at: clock.now(),
                }
            ).where(Recording.id == recording_id)
            await record(
                actor, "recording.publish", "recording", recording_id, target_label=view.title
            )
    return await _row(recording_id)


async def delete_recording(actor: Principal, store: ObjectStore, recording_id: int) -> None:
    """Remove a recording and its video."""
    _require_secretariat(actor)
    view = await _row(recording_id)
    async with transaction():
        await Recording.delete().where(Recording.id == recording_id)
        await record(actor, "recording.delete", "recording", recording_id, target_label=view.title)
    if view.state == RecordingState.UPLOADING:
        await store.abort_upload(view.storage_key, view.upload_id)
    else:
        await discard(store, [view.storage_key])
    if view.poster_key:
        await discard(store, [view.poster_key])


# --- watching ----------------------------------------------------------------------------------


async def recording_to_watch(principal: Principal, recording_id: int) -> RecordingView:
    """A published recording for a member of an active organisation (the secretariat reads every
    one); anyone else is told it does not exist."""
    if principal.roles & SECRETARIAT:
        return await _row(recording_id, Recording.state != RecordingState.UPLOADING)
    try:
        own_organisation_id(principal)
    except PermissionDenied:
        raise NotFound(NOT_FOUND) from None
    return await _row(recording_id, Recording.state == RecordingState.PUBLISHED)


async def count_view(recording_id: int) -> None:
    """One more view this month (an upsert: concurrent viewers add up)."""
    # Raw SQL: Piccolo's on_conflict() misreads SQLite 3.40 as older than 3.24 and refuses.
    await RecordingMonthlyView.raw(
        "INSERT INTO recording_monthly_view (recording, month, views) VALUES ({}, {}, 1) "
        "ON CONFLICT (recording, month) DO UPDATE SET views = recording_monthly_view.views + 1",
        recording_id,
        month_of(clock.now()),
    )


# --- storage check -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StorageReport:
    objects_without_record: list[str]
    records_without_object: list[tuple[int, str]]  # (recording id, key)


async def storage_check(store: ObjectStore) -> StorageReport:
    """Objects under recordings/ that no recording names, and finished recordings whose video is
    missing (for `kdx storage-check`)."""
    rows = await Recording.select(
        Recording.id, Recording.storage_key, Recording.state, Recording.poster_key
    )
    named = {row["storage_key"] for row in rows} | {row["poster_key"] for row in rows}
    keys = await store.keys(f"{PREFIX}/")
    missing = []
    for row in rows:
        if row["state"] == RecordingState.UPLOADING:
            continue
        try:
            await store.stat(row["storage_key"])
        except ObjectNotFound:
            missing.append((row["id"], row["storage_key"]))
    return StorageReport(sorted(set(keys) - named), missing)


# --- the archive ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchiveFilter:
    event_id: int | None = None
    fiscal_year: int | None = None
    theme_id: int | None = None
    q: str = ""  # part of the title or a speaker's name


@dataclass(frozen=True, slots=True)
class ArchiveChoices:
    """What the archive's filters offer: only events and themes with recordings to show."""

    events: list[tuple[int, str, datetime]]  # (id, title, starts at), newest first
    themes: list[tuple[int, str]]  # (id, name) in the taxonomy's order


def _visible(principal: Principal) -> list[Any]:
    if principal.roles & SECRETARIAT:
        return []
    own_organisation_id(principal)  # PermissionDenied for anyone not in an active organisation
    return [Recording.state == RecordingState.PUBLISHED]


async def archive_choices(principal: Principal) -> ArchiveChoices:
    """The filter options of the archive: one query over the distinct (event, theme) pairs of
    the recordings this person may see (a few dozen a year)."""
    rows = (
        await Recording.select(
            Recording.event.as_alias("event_id"), Recording.event.title.as_alias("event_title"),
            Recording.event.starts_at.as_alias("starts_at"), Recording.theme.as_alias("theme_id"),
            Recording.theme.name.as_alias("theme_name"),
            Recording.theme.position.as_alias("position"),
        )
        .where(*_visible(principal))
        .distinct()
    )  # fmt: skip
    events = {r["event_id"]: (r["event_id"], r["event_title"], r["starts_at"]) for r in rows}
    themes = {
        r["theme_id"]: (r["position"], r["theme_id"], r["theme_name"])
        for r in rows
        if r["theme_id"] is not None
    }
    return ArchiveChoices(
        events=sorted(events.values(), key=lambda e: (e[2], e[0]), reverse=True),
        themes=[(id_, name) for _, id_, name in sorted(themes.values())],
    )


async def list_recordings(
    principal: Principal, filters: ArchiveFilter, page: PageRequest
) -> Page[RecordingView]:
    """The archive, newest event first: published recordings for members of an active
    organisation, every recording for the secretariat (two queries)."""
    clauses = _visible(principal)
    if filters.event_id is not None and is_storable_id(filters.event_id):
        clauses.append(Recording.event == filters.event_id)
    if filters.theme_id is not None and is_storable_id(filters.theme_id):
        clauses.append(Recording.theme == filters.theme_id)
    if filters.fiscal_year is not None and 2000 <= filters.fiscal_year <= 2100:
        start, end = fiscal_year_span(filters.fiscal_year)
        clauses += [Recording.event.starts_at >= start, Recording.event.starts_at < end]
    text = lookup_text(filters.q, 60)
    if text:
        clauses.append(contains(Recording.title, text) | contains(Recording.speakers, text))
    rows = (
        await _select()
        .where(*clauses)
        .order_by(Recording.event.starts_at, ascending=False)
        .order_by(Recording.id, ascending=False)
        .limit(page.per_page)
        .offset(page.offset)
    )
    total = await Recording.count().where(*clauses)
    return Page([_view(row) for row in rows], total, page.page, page.per_page)
