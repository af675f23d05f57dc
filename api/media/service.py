"""The media library: upload (checked by content), list, edit, delete, and template helpers.

Uploads are copied in chunks to a temporary file (never whole into memory), checked there in a
thread, and written to the object store under generated keys; the row keeps the original name.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from api import clock
from api.articles.generation import bump_content_generation
from api.audit.service import record
from api.db import Where, is_storable_id, placeholders, transaction
from api.errors import NotFound, ValidationFailed
from api.media import images
from api.media.tables import MediaItem
from api.pagination import Page, PageRequest, fetch_raw_page
from api.principal import Principal
from api.text import text_problem
from storage import ObjectNotFound, ObjectStore, new_key

KINDS = {"image": "画像", "document": "文書"}
MAX_ALT = 300
MAX_TITLE = 200
COPY_CHUNK = 256 * 1024
ALT_REQUIRED = "画像の代替テキストを入力してください（画像の内容や目的を簡潔に）。"


@dataclass(frozen=True, slots=True)
class RenditionView:
    width: int
    height: int
    key: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MediaView:
    id: int
    kind: str
    file_name: str
    storage_key: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    alt_text: str
    title: str
    uploaded_by_name: str
    created_at: datetime
    updated_at: datetime
    renditions: list[RenditionView] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def type_label(self) -> str:
        return images.TYPE_LABELS.get(self.content_type, "ファイル")

    @property
    def label(self) -> str:
        """What the item is called on screen: its title, else the original file name."""
        return self.title or self.file_name

    @property
    def file_url(self) -> str:
        return file_url(self)

    @property
    def size_label(self) -> str:
        return format_size(self.size)

    def rendition(self, width: int) -> RenditionView | None:
        return next((r for r in self.renditions if r.width == width), None)

    @property
    def thumbnail_url(self) -> str:
        return rendition_url(self, self.renditions[0].width) if self.renditions else ""

    def thumbnail_height(self, width: int) -> int:
        """The height of the thumbnail shown `width` pixels wide (its aspect kept, at least 1)."""
        if not self.renditions:
            return 1
        first = self.renditions[0]
        return max(1, round(first.height * width / first.width))


# --- template helpers (pure; the editor and the public pages use them) -------------------------


def rendition_url(item: MediaView, width: int) -> str:
    return f"/media/{item.id}/{width}"


def file_url(item: MediaView) -> str:
    return f"/media/{item.id}/file"


def srcset(item: MediaView) -> str:
    """e.g. "/media/3/320 320w, /media/3/640 640w"; empty for a document."""
    return ", ".join(f"{rendition_url(item, r.width)} {r.width}w" for r in item.renditions)


def default_rendition(item: MediaView, preferred: int = 640) -> RenditionView | None:
    """The rendition an <img> src uses: the widest up to `preferred`, else the smallest."""
    if not item.renditions:
        return None
    fitting = [r for r in item.renditions if r.width <= preferred] or item.renditions[:1]
    return fitting[-1]


def default_src(item: MediaView, preferred: int = 640) -> str:
    """The src of an <img> (see default_rendition); empty for a document."""
    chosen = default_rendition(item, preferred)
    return rendition_url(item, chosen.width) if chosen is not None else ""


def format_size(size: int) -> str:
    """245KB, 1.2MB: the way Japanese public sites state a download's size."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}MB"
    return f"{max(1, -(-size // 1024))}KB"


def document_link_text(item: MediaView, text: str = "") -> str:
    """Link text with type and size, as JIS X 8341-3 practice expects: 会員規約（PDF、245KB）."""
    return f"{text or item.label}（{item.type_label}、{format_size(item.size)}）"


def placement_alt_error(alt_text: str) -> str | None:
    """The error for an image placed in content without alternative text (None when it has one).

    The library may keep an empty suggestion, but a placed image must say what it shows.
    """
    return None if _clean(alt_text, MAX_ALT) else ALT_REQUIRED


def require_placement_alt(alt_text: str, field_name: str = "alt_text") -> str:
    """The cleaned alternative text of a placed image, or ValidationFailed on `field_name`."""
    error = placement_alt_error(alt_text)
    if error:
        raise ValidationFailed({field_name: error})
    return _clean(alt_text, MAX_ALT)


# --- reading -----------------------------------------------------------------------------------


def _clean(value: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(ch for ch in text if ch in "\t" or unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())[: limit + 1]


_RENDITIONS = msgspec.json.Decoder(list[RenditionView])


def _renditions(value: Any) -> list[RenditionView]:
    """The stored renditions (JSON text, or a list where the driver decoded it); none when
    the value is unreadable. Decoded straight into views: a list page reads twenty."""
    if isinstance(value, list):
        return [RenditionView(**r) for r in value]
    try:
        return _RENDITIONS.decode(value or "[]")
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError):
        return []


def _view(row: dict[str, Any]) -> MediaView:
    return MediaView(
        id=row["id"], kind=row["kind"], file_name=row["file_name"],
        storage_key=row["storage_key"], content_type=row["content_type"], size=row["size"],
        width=row["width"], height=row["height"], alt_text=row["alt_text"], title=row["title"],
        uploaded_by_name=row.get("uploaded_by.display_name") or "",
        created_at=row["created_at"], updated_at=row["updated_at"],
        renditions=_renditions(row["renditions"]),
    )  # fmt: skip


# One row shape for the list, one item and several: written out (the list on every console
# page of the library, several items on every article body that names media).
_SOURCE = "media_item LEFT JOIN account ON account.id = media_item.uploaded_by"
_COLUMNS = 'media_item.*, account.display_name AS "uploaded_by.display_name"'


def parse_kind(value: str) -> str:
    return value if value in KINDS else ""


async def list_media(kind: str, page: PageRequest) -> Page[MediaView]:
    """The library, newest first (written out: the console's and the API's list)."""
    where = Where()
    kind = parse_kind(kind)
    if kind:
        where.add("media_item.kind = {}", kind)
    rows, total = await fetch_raw_page(
        MediaItem, _SOURCE, _COLUMNS, where, "media_item.id DESC", page
    )
    return Page([_view(row) for row in rows], total, page.page, page.per_page)


async def get_media(media_id: int) -> MediaView:
    found = (await get_media_many([media_id])).get(media_id)
    if found is None:
        raise NotFound("お探しのメディアは見つかりませんでした。")
    return found


async def get_media_many(media_ids: list[int]) -> dict[int, MediaView]:
    """Several items in one query (list pages, article bodies); unknown ids are left out."""
    wanted = [i for i in dict.fromkeys(media_ids) if is_storable_id(i)]
    if not wanted:
        return {}
    rows = await MediaItem.raw(
        f"SELECT {_COLUMNS} FROM {_SOURCE} WHERE media_item.id IN ({placeholders(wanted)})",  # noqa: S608
        *wanted,
    )
    return {row["id"]: _view(row) for row in rows}


# --- upload ------------------------------------------------------------------------------------


def _copy_to_temp(source: BinaryIO, max_bytes: int) -> tuple[Path, int]:
    """Copy in chunks; stop (and refuse) one byte past the limit instead of reading it all."""
    fd, name = tempfile.mkstemp(prefix="kdx-media-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(COPY_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise images.refuse("too_large")
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    if size == 0:
        Path(name).unlink(missing_ok=True)
        raise images.refuse("empty")
    return Path(name), size


@dataclass(slots=True)
class _Checked:
    kind: str
    content_type: str
    extension: str
    image: images.CleanImage | None = None


def _check(path: Path, file_name: str) -> _Checked:
    detected = images.detect(path, file_name)
    if detected.kind == "image":
        clean = images.clean_image(path)
        return _Checked("image", clean.content_type, clean.extension, clean)
    return _Checked(detected.kind, detected.content_type, detected.extension)


def _file_name(value: str) -> str:
    # Browsers may send a path (old IE) or control characters; keep only a display name.
    name = _clean(value.replace("\\", "/").rsplit("/", 1)[-1], 255)[:255]
    return name or "ファイル"


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """A file checked by its content and written to the object store (with an image's
    renditions), not yet owned by any row: the caller records it or discards it."""

    kind: str
    file_name: str
    storage_key: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    renditions: list[dict[str, Any]]

    @property
    def keys(self) -> list[str]:
        return [self.storage_key, *(r["key"] for r in self.renditions)]


async def discard(store: ObjectStore, keys: list[str]) -> None:
    """Delete stored objects; one already gone is not an error."""
    for key in keys:
        try:
            await store.delete(key)
        except ObjectNotFound:
            continue


async def store_checked(
    store: ObjectStore,
    file_name: str,
    source: BinaryIO,
    *,
    prefix: str,
    max_bytes: int = images.MAX_UPLOAD_BYTES,
    content_types: frozenset[str] | None = None,
    refusal: str = "",
) -> StoredUpload:
    """Copy an upload to a temporary file in chunks, check it by its content (only
    content_types, if given, else refused with `refusal` at the file field), and store it."""
    path, size = await asyncio.to_thread(_copy_to_temp, source, max_bytes)
    stored: list[str] = []
    try:
        checked = await asyncio.to_thread(_check, path, file_name)
        if content_types is not None and checked.content_type not in content_types:
            raise ValidationFailed({"file": refusal})
        key = new_key(f"{prefix}/{clock.now().year}", checked.extension)
        renditions: list[dict[str, Any]] = []
        width = height = None
        if checked.image is not None:
            clean = checked.image
            width, height = clean.width, clean.height
            size = len(clean.data)
            await store.put(key, io.BytesIO(clean.data), size, checked.content_type)
            stored.append(key)
            base = key.rsplit(".", 1)[0]
            for rendition in clean.renditions:
                rendition_key = f"{base}-{rendition.width}.webp"
                await store.put(
                    rendition_key, io.BytesIO(rendition.data), len(rendition.data),
                    rendition.content_type,
                )  # fmt: skip
                stored.append(rendition_key)
                renditions.append(
                    {"width": rendition.width, "height": rendition.height, "key": rendition_key,
                     "content_type": rendition.content_type, "size": len(rendition.data)}
                )  # fmt: skip
        else:
            with path.open("rb") as handle:
                await store.put(key, handle, size, checked.content_type)
            stored.append(key)
        result = StoredUpload(
            kind=checked.kind, file_name=_file_name(file_name), storage_key=key,
            content_type=checked.content_type, size=size, width=width, height=height,
            renditions=renditions,
        )  # fmt: skip
        stored.clear()  # the caller owns them now
        return result
    finally:
        await discard(store, stored)
        await asyncio.to_thread(path.unlink, True)


async def upload(
    actor: Principal,
    store: ObjectStore,
    file_name: str,
    source: BinaryIO,
    *,
    title: str = "",
    alt_text: str = "",
    max_bytes: int = images.MAX_UPLOAD_BYTES,
) -> MediaView:
    """Check a file by its content and store it (and an image's renditions)."""
    errors = _text_errors(title, alt_text)
    if errors:
        raise ValidationFailed(errors)
    upload = await store_checked(store, file_name, source, prefix="media", max_bytes=max_bytes)
    try:
        async with transaction():
            row = MediaItem(
                kind=upload.kind, file_name=upload.file_name, storage_key=upload.storage_key,
                content_type=upload.content_type, size=upload.size, width=upload.width,
                height=upload.height, alt_text=_clean(alt_text, MAX_ALT),
                title=_clean(title, MAX_TITLE), renditions=json.dumps(upload.renditions),
                uploaded_by=actor.account_id,
            )  # fmt: skip
            await row.save()
            await record(
                actor, "media.upload", "media", row.id, target_label=upload.file_name,
                after={"kind": upload.kind, "content_type": upload.content_type,
                       "size": upload.size},
            )  # fmt: skip
            await bump_content_generation()  # the public media list changes
    except BaseException:
        await discard(store, upload.keys)
        raise
    return await get_media(row.id)


# --- editing -----------------------------------------------------------------------------------


def _text_errors(title: str, alt_text: str) -> dict[str, str]:
    errors = {}
    if problem := text_problem(_clean(title, MAX_TITLE), "タイトル", MAX_TITLE):
        errors["title"] = problem
    if problem := text_problem(_clean(alt_text, MAX_ALT), "代替テキスト", MAX_ALT):
        errors["alt_text"] = problem
    return errors


async def update_media(
    actor: Principal, media_id: int, *, title: str | None = None, alt_text: str | None = None
) -> MediaView:
    """Change the title and the suggested alternative text (None leaves a value as it is)."""
    errors = _text_errors(title or "", alt_text or "")
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        before = await get_media(media_id)
        values: dict[Any, Any] = {MediaItem.updated_at: clock.now()}
        if title is not None:
            values[MediaItem.title] = _clean(title, MAX_TITLE)
        if alt_text is not None:
            values[MediaItem.alt_text] = _clean(alt_text, MAX_ALT)
        await MediaItem.update(values).where(MediaItem.id == media_id)
        after = await get_media(media_id)
        await record(
            actor, "media.update", "media", media_id, target_label=after.file_name,
            before={"title": before.title, "alt_text": before.alt_text},
            after={"title": after.title, "alt_text": after.alt_text},
        )  # fmt: skip
        await bump_content_generation()  # pages show the alternative text and the image
    return after


async def delete_media(actor: Principal, store: ObjectStore, media_id: int) -> None:
    """Remove the row, then its stored objects (a missing object is not an error)."""
    async with transaction():
        item = await get_media(media_id)
        await MediaItem.delete().where(MediaItem.id == media_id)
        await record(
            actor, "media.delete", "media", media_id, target_label=item.file_name,
            before={"kind": item.kind, "title": item.title, "storage_key": item.storage_key},
        )  # fmt: skip
        await bump_content_generation()
    await discard(store, [item.storage_key, *(r.key for r in item.renditions)])
