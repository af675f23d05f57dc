"""The media library: uploads checked by content, metadata stripped, renditions, edit, delete."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from api.audit.tables import AuditEntry
from api.errors import NotFound, ValidationFailed
from api.media import images, service
from api.media.tables import MediaItem
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from storage import ObjectNotFound
from storage.local import LocalObjectStore
from tests.conftest import make_account

GPS_IFD = 0x8825


def jpeg_with_gps(width: int = 1600, height: int = 1000, orientation: int = 1) -> bytes:
    """A JPEG carrying camera and GPS EXIF data (a photo taken at Kumamoto Castle)."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (32.0, 48.0, 22.0), 3: "E", 4: (130.0, 42.0, 21.0)}
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 80, 40))
    image.save(out, "JPEG", exif=exif.tobytes(), comment="撮影者: 熊本太郎")
    return out.getvalue()


def png_bytes(width: int = 700, height: int = 350, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (0, 120, 200, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(size: int = 0) -> bytes:
    """A minimal PDF, padded with a comment line to exactly `size` bytes when given."""
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    tail = b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    padding = max(0, size - len(head) - len(tail) - 2)
    return head + (b"%" + b"x" * padding + b"\n" if size else b"") + tail


def office_bytes(main_part: str = "word/document.xml") -> bytes:
    out = io.BytesIO()
    # A fixed timestamp: the same bytes on every call (zip headers carry the time otherwise).
    stamp = (2026, 4, 1, 9, 0, 0)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", stamp), "<Types/>")
        archive.writestr(zipfile.ZipInfo(main_part, stamp), "<document/>")
    return out.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS"


@pytest.fixture
async def editor(settings: Settings, db: None) -> Principal:
    view = await make_account(settings, "editor@example.jp", {Role.EDITOR})
    return Principal(view.id, view.email, view.display_name, view.roles)


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects")


async def upload(
    editor: Principal, store: LocalObjectStore, name: str, data: bytes, **kwargs: object
) -> service.MediaView:
    return await service.upload(editor, store, name, io.BytesIO(data), **kwargs)  # type: ignore[arg-type]


async def refused(editor: Principal, store: LocalObjectStore, name: str, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        await upload(editor, store, name, data)
    assert await MediaItem.count() == 0
    assert await store.keys("media/") == []  # nothing is left behind
    return caught.value.errors["file"]


async def test_jpeg_is_stored_without_exif_or_gps_and_upright(editor, store) -> None:
    assert Image.open(io.BytesIO(jpeg_with_gps())).getexif().get_ifd(GPS_IFD)
    item = await upload(
        editor, store, "熊本城の写真.JPG", jpeg_with_gps(orientation=6),
        title="熊本城", alt_text="石垣と天守閣",
    )  # fmt: skip
    assert item.kind == "image" and item.content_type == "image/jpeg"
    assert item.file_name == "熊本城の写真.JPG"
    assert (item.width, item.height) == (1000, 1600)  # orientation 6 was applied, then dropped
    assert [r.width for r in item.renditions] == [320, 640, 1000]
    assert item.storage_key.startswith("media/") and item.storage_key.endswith(".jpg")
    original = Image.open(io.BytesIO(await store.read_all(item.storage_key)))
    assert original.format == "JPEG" and len(original.getexif()) == 0
    assert "exif" not in original.info and "comment" not in original.info
    for rendition in item.renditions:
        data = await store.read_all(rendition.key)
        assert b"Exif" not in data and b"Canon" not in data
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP" and image.size == (rendition.width, rendition.height)
        assert len(image.getexif()) == 0
    assert service.srcset(item) == (
        f"/media/{item.id}/320 320w, /media/{item.id}/640 640w, /media/{item.id}/1000 1000w"
    )
    assert service.default_src(item) == f"/media/{item.id}/640"
    entry = await AuditEntry.objects().where(AuditEntry.action == "media.upload").first()
    assert entry is not None and entry.target_id == str(item.id)


async def test_png_keeps_transparency_and_small_images_get_one_rendition(editor, store) -> None:
    item = await upload(editor, store, "logo.png", png_bytes())
    assert item.content_type == "image/png" and item.storage_key.endswith(".png")
    assert [r.width for r in item.renditions] == [320, 640, 700]
    rendition = Image.open(io.BytesIO(await store.read_all(item.renditions[0].key)))
    assert rendition.mode == "RGBA" and rendition.size == (320, 160)
    small = await upload(editor, store, "icon.png", png_bytes(100, 50, "L"))
    assert [(r.width, r.height) for r in small.renditions] == [(100, 50)]


async def test_webp_and_animated_gif_are_accepted(editor, store) -> None:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "green").save(out, "WEBP")
    assert (await upload(editor, store, "a.webp", out.getvalue())).content_type == "image/webp"
    frames = [Image.new("RGB", (50, 50), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], comment=b"secret")
    item = await upload(editor, store, "anime.gif", out.getvalue())
    stored = Image.open(io.BytesIO(await store.read_all(item.storage_key)))
    assert stored.format == "GIF" and stored.n_frames == 3
    assert b"secret" not in await store.read_all(item.storage_key)


async def test_the_type_comes_from_the_content_not_the_name(editor, store) -> None:
    item = await upload(editor, store, "写真.pdf", png_bytes(50, 50))  # a PNG named .pdf
    assert item.content_type == "image/png" and item.storage_key.endswith(".png")


async def test_decompression_bomb_is_refused(editor, store, monkeypatch) -> None:
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # small file, 144 million pixels
    assert len(out.getvalue()) < images.MAX_UPLOAD_BYTES
    message = await refused(editor, store, "bomb.png", out.getvalue())
    assert "画素数が大きすぎます" in message


async def test_broken_image_is_refused(editor, store) -> None:
    data = jpeg_with_gps()
    message = await refused(editor, store, "途中まで.jpg", data[: len(data) // 2])
    assert "画像を読み取れませんでした" in message


@pytest.mark.parametrize(
    "name, data",
    [
        ("会員規約.pdf", EXECUTABLE),
        ("setup.exe", EXECUTABLE),
        ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
        ("script.docx", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
async def test_executables_are_refused_whatever_their_name(editor, store, name, data) -> None:
    message = await refused(editor, store, name, data)
    assert "実行ファイルはアップロードできません" in message


async def test_a_text_file_named_pdf_is_refused(editor, store) -> None:
    message = await refused(editor, store, "会員規約.pdf", "これはテキストです。".encode())
    assert message.startswith("「.pdf」のファイル名ですが、内容がその形式ではありません。")


async def test_other_zips_and_fake_pdfs_are_refused(editor, store) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "アップロードできません" in await refused(editor, store, "資料.docx", out.getvalue())
    assert "PDFとして" in await refused(editor, store, "a.pdf", b"%PDF-1.4 but nothing else")
    assert "選んでください" in await refused(editor, store, "空.pdf", b"")


@pytest.mark.parametrize(
    "main_part, content_type, extension, label",
    [
        ("word/document.xml", "wordprocessingml.document", "docx", "Word"),
        ("xl/workbook.xml", "spreadsheetml.sheet", "xlsx", "Excel"),
        ("ppt/presentation.xml", "presentationml.presentation", "pptx", "PowerPoint"),
    ],
)
async def test_office_documents_are_accepted(
    editor, store, main_part, content_type, extension, label
) -> None:
    data = office_bytes(main_part)
    item = await upload(editor, store, f"資料.{extension}", data, title="総会資料")
    assert item.kind == "document" and item.content_type.endswith(content_type)
    assert item.storage_key.endswith(f".{extension}") and item.renditions == []
    assert await store.read_all(item.storage_key) == data
    assert service.document_link_text(item) == f"総会資料（{label}、1KB）"


async def test_pdf_is_accepted_and_stored_as_is(editor, store) -> None:
    data = pdf_bytes(245 * 1024)
    item = await upload(editor, store, "会員規約.pdf", data)
    assert (item.kind, item.content_type, item.width) == ("document", "application/pdf", None)
    assert await store.read_all(item.storage_key) == data
    assert service.document_link_text(item) == "会員規約.pdf（PDF、245KB）"
    assert service.document_link_text(item, "会員規約") == "会員規約（PDF、245KB）"
    assert service.srcset(item) == ""


async def test_size_limit(editor, store) -> None:
    data = pdf_bytes(images.MAX_UPLOAD_BYTES)
    assert (await upload(editor, store, "ちょうど.pdf", data)).size == images.MAX_UPLOAD_BYTES
    message = await refused_after(editor, store, "大きすぎ.pdf", pdf_bytes(len(data) + 1))
    assert "10MBまで" in message


async def refused_after(editor, store, name: str, data: bytes) -> str:
    before = await MediaItem.count()
    with pytest.raises(ValidationFailed) as caught:
        await upload(editor, store, name, data)
    assert await MediaItem.count() == before
    return caught.value.errors["file"]


async def test_list_filter_edit_and_delete(editor, store) -> None:
    image = await upload(editor, store, "a.png", png_bytes(400, 200))
    document = await upload(editor, store, "b.pdf", pdf_bytes())
    everything = await service.list_media("", PageRequest.of(1, 10))
    assert [item.id for item in everything.items] == [document.id, image.id]
    assert everything.items[0].uploaded_by_name == "テスト 利用者"
    only_images = await service.list_media("image", PageRequest.of(1, 10))
    assert [item.id for item in only_images.items] == [image.id]
    assert (await service.list_media("nonsense", PageRequest.of(1, 10))).total == 2

    changed = await service.update_media(editor, image.id, alt_text="  青い\x00四角  ", title="図")
    assert (changed.alt_text, changed.title) == ("青い四角", "図")
    with pytest.raises(ValidationFailed) as caught:
        await service.update_media(editor, image.id, alt_text="あ" * 301)
    assert "300文字以内" in caught.value.errors["alt_text"]

    keys = [image.storage_key, *(r.key for r in image.renditions)]
    await service.delete_media(editor, store, image.id)
    with pytest.raises(NotFound):
        await service.get_media(image.id)
    for key in keys:
        with pytest.raises(ObjectNotFound):
            await store.stat(key)
    entry = await AuditEntry.objects().where(AuditEntry.action == "media.delete").first()
    assert (
        entry is not None
        and json.loads(entry.before if isinstance(entry.before, str) else json.dumps(entry.before))[
            "kind"
        ]
        == "image"
    )


def test_placement_needs_alternative_text() -> None:
    assert service.placement_alt_error("") == service.ALT_REQUIRED
    assert service.placement_alt_error(" \u3000 ") == service.ALT_REQUIRED
    assert service.placement_alt_error("熊本城の天守閣") is None
    with pytest.raises(ValidationFailed) as caught:
        service.require_placement_alt("", "image_alt")
    assert caught.value.errors == {"image_alt": service.ALT_REQUIRED}
    assert service.require_placement_alt(" 天守閣 ") == "天守閣"


def test_sizes_are_stated_the_japanese_way() -> None:
    assert service.format_size(100) == "1KB"
    assert service.format_size(245 * 1024) == "245KB"
    assert service.format_size(int(1.25 * 1024 * 1024)) == "1.2MB"
