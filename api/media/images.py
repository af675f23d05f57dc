"""Checking uploads by their content and making clean images (sync; callers use a thread).

The type always comes from the bytes (magic numbers, then a real decode or a zip listing), never
from the file name. Images are decoded by Pillow, re-encoded without metadata (EXIF and GPS are
dropped after the orientation is applied) and resized into WebP renditions.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from api.errors import ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The upload limit plus room for the multipart envelope and the text fields beside the file.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 256 * 1024
MAX_PIXELS = 40_000_000  # far beyond any photo we publish; refuses decompression bombs early
RENDITION_WIDTHS = (320, 640, 1280)
RENDITION_TYPE = "image/webp"

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg", "JPEG"),
    "PNG": ("image/png", "png", "PNG"),
    "WEBP": ("image/webp", "webp", "WebP"),
    "GIF": ("image/gif", "gif", "GIF"),
}
OOXML_MAIN_PARTS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word"
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel"
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx",
        "PowerPoint",
    ),
}  # fmt: skip
PDF_TYPE = ("application/pdf", "pdf", "PDF")
# The short type names used in link text ("会員規約（PDF、245KB）").
TYPE_LABELS = {ct: label for ct, _, label in [*IMAGE_TYPES.values(), *OOXML_MAIN_PARTS.values()]}
TYPE_LABELS[PDF_TYPE[0]] = PDF_TYPE[2]

ALLOWED = "画像（JPEG・PNG・WebP・GIF）、PDF、Word・Excel・PowerPoint（.docx・.xlsx・.pptx）"
MESSAGES = {
    "empty": "アップロードするファイルを選んでください。",
    "too_large": f"ファイルが大きすぎます。{MAX_UPLOAD_BYTES // (1024 * 1024)}MBまでのファイルを選んでください。",
    "executable": f"実行ファイルはアップロードできません。{ALLOWED}のファイルを選んでください。",
    "unknown": f"この形式のファイルはアップロードできません。{ALLOWED}のファイルを選んでください。",
    "broken_image": "画像を読み取れませんでした。ファイルが壊れていないか確認してください。",
    "too_many_pixels": (
        f"画像の画素数が大きすぎます（{MAX_PIXELS // 10_000:,}万画素まで）。縮小してから選んでください。"
    ),
    "broken_office": "Word・Excel・PowerPointのファイルとして読み取れませんでした。",
    "broken_pdf": "PDFとして読み取れませんでした。ファイルが壊れていないか確認してください。",
}


def refuse(reason: str, file_name: str = "") -> ValidationFailed:
    message = MESSAGES[reason]
    extension = Path(file_name).suffix.lower()
    if reason in ("executable", "unknown") and extension:
        message = f"「{extension}」のファイル名ですが、内容がその形式ではありません。" + message
    return ValidationFailed({"file": message})


@dataclass(frozen=True, slots=True)
class Detected:
    kind: str  # image / document
    content_type: str
    extension: str


@dataclass(slots=True)
class Rendition:
    width: int
    height: int
    data: bytes
    content_type: str = RENDITION_TYPE


@dataclass(slots=True)
class CleanImage:
    data: bytes  # the original, re-encoded without metadata
    content_type: str
    extension: str
    width: int
    height: int
    renditions: list[Rendition] = field(default_factory=list)


def sniff(head: bytes) -> str:
    """The container the first bytes announce: jpeg, png, gif, webp, pdf, zip, executable or ''."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    # Windows PE (MZ), ELF, Mach-O (both byte orders, 32/64 bit, universal) and shell scripts.
    if head.startswith((b"MZ", b"\x7fELF", b"#!")) or head[:4] in (
        b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):  # fmt: skip
        return "executable"
    return ""


def detect(path: Path, file_name: str = "") -> Detected:
    """What the file really is, or ValidationFailed with a Japanese message for the file field."""
    with path.open("rb") as handle:
        head = handle.read(64)
    if not head:
        raise refuse("empty")
    found = sniff(head)
    if found in ("jpeg", "png", "gif", "webp"):
        return Detected("image", "", "")  # decoding decides the precise type
    if found == "pdf":
        _check_pdf(path)
        return Detected("document", *PDF_TYPE[:2])
    if found == "zip":
        return Detected("document", *_office_type(path))
    if found == "executable":
        raise refuse("executable", file_name)
    raise refuse("unknown", file_name)


def _check_pdf(path: Path) -> None:
    # A PDF ends with %%EOF (possibly followed by whitespace); a truncated or fake one does not.
    with path.open("rb") as handle:
        handle.seek(0, io.SEEK_END)
        handle.seek(max(0, handle.tell() - 1024))
        tail = handle.read()
    if b"%%EOF" not in tail:
        raise refuse("broken_pdf")


def _office_type(path: Path) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("broken_office") from None
    if "[Content_Types].xml" in names:
        for part, (content_type, extension, _) in OOXML_MAIN_PARTS.items():
            if part in names:
                return content_type, extension
    # A zip that is not an Office document (or holds anything else) is not accepted.
    raise refuse("unknown")


_DRAWING_INFO = {"icc_profile", "transparency", "loop", "duration", "background", "disposal"}


def _open_checked(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise refuse("too_many_pixels")
                probe.verify()  # structure and checksums, without decoding the pixels
            image = Image.open(path)
            if image.format not in IMAGE_TYPES:
                raise refuse("unknown")
            image.load()  # a real decode: truncated or corrupt data fails here
            return image
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise refuse("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise refuse("broken_image") from None


def _encode(image: Image.Image, pil_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    # No exif= or pnginfo= is passed: Pillow writes no metadata unless told to.
    image.save(out, format=pil_format, **options)
    return out.getvalue()


def _flatten(image: Image.Image, keep_alpha: bool) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    if keep_alpha and has_alpha:
        return image.convert("RGBA")
    return image.convert("RGB")


def clean_image(path: Path) -> CleanImage:
    """Decode, apply the EXIF orientation, drop all metadata and make the renditions."""
    image = _open_checked(path)
    pil_format = image.format or ""
    content_type, extension, _ = IMAGE_TYPES[pil_format]
    animated = pil_format == "GIF" and getattr(image, "is_animated", False)  # seeks all frames
    # Pillow writes some metadata back from .info (JPEG and GIF comments): keep only what
    # draws the picture.
    image.info = {key: value for key, value in image.info.items() if key in _DRAWING_INFO}
    icc = image.info.get("icc_profile")  # colour, not personal data: kept so colours stay right
    try:
        if animated:
            # Animation is kept; GIF carries no EXIF, and comments are not written back.
            frames = _encode(image, "GIF", save_all=True, loop=image.info.get("loop", 0))
            image.seek(0)
            upright = image.convert("RGBA")
            data = frames
        else:
            upright = ImageOps.exif_transpose(image)
            options: dict[str, object] = {"icc_profile": icc} if icc else {}
            if pil_format == "JPEG":
                upright = upright.convert("RGB")
                data = _encode(upright, "JPEG", quality=90, optimize=True, **options)
            elif pil_format == "PNG":
                data = _encode(upright, "PNG", optimize=True, **options)
            elif pil_format == "WEBP":
                data = _encode(_flatten(upright, True), "WEBP", quality=90, **options)
            else:
                data = _encode(upright, "GIF")
        width, height = upright.size
        renditions = []
        source = _flatten(upright, keep_alpha=True)
        # The standard widths below the image's own, then the image's width as the largest.
        for target in RENDITION_WIDTHS:
            w = min(target, width)
            if renditions and renditions[-1].width == w:
                break
            size = (w, max(1, round(height * w / width)))
            resized = source.resize(size, Image.Resampling.LANCZOS) if w != width else source
            renditions.append(Rendition(size[0], size[1], _encode(resized, "WEBP", quality=82)))
            if w == width:
                break
        return CleanImage(data, content_type, extension, width, height, renditions)
    finally:
        image.close()
