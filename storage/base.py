"""The ObjectStore interface: bytes under generated keys, streamed in and out.

It knows nothing about the domain. Callers keep the original (Japanese) file name in their own
table and store the object under a key from `new_key`, so names never reach a path or URL.
"""

from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

CHUNK_SIZE = 256 * 1024
# Multipart uploads (recordings of several GB): every part but the last has at least this many
# bytes (S3's rule, kept by every backend), and an upload has at most MAX_PARTS parts.
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000
_KEY = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,254}$")


class ObjectNotFound(LookupError):
    """No object is stored under the key."""


class InvalidKey(ValueError):
    """The key is not one this store hands out (e.g. it tries to leave its directory)."""


class UploadNotFound(LookupError):
    """No multipart upload with this id is open for the key (finished, aborted or never begun)."""


class PartTooSmall(ValueError):
    """A part other than the last is smaller than MIN_PART_SIZE."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    content_type: str
    modified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UploadedPart:
    number: int  # 1 .. MAX_PARTS
    etag: str
    size: int


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """A multipart upload begun and not yet completed or aborted (resumable, or abandoned)."""

    key: str
    upload_id: str
    started_at: datetime | None


def check_part_number(number: int) -> int:
    if not 1 <= number <= MAX_PARTS:
        raise ValueError(f"part numbers run from 1 to {MAX_PARTS}, not {number}")
    return number


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key or "//" in key or key.endswith("/"):
        raise InvalidKey(key)
    return key


def new_key(prefix: str, extension: str = "") -> str:
    """A random key under a prefix, e.g. recordings/2026/3f9c...e1.mp4."""
    extension = extension.lower().lstrip(".")
    suffix = f".{extension}" if re.fullmatch(r"[a-z0-9]{1,8}", extension) else ""
    return check_key(f"{prefix.strip('/')}/{secrets.token_hex(16)}{suffix}")


class ObjectStore(ABC):
    """One interface for the local directory (embedded) and S3/MinIO (production)."""

    @abstractmethod
    async def put(self, key: str, data: BinaryIO, size: int, content_type: str) -> StoredObject:
        """Store `size` bytes read from the file object `data` (read in chunks, never whole)."""

    @abstractmethod
    async def stat(self, key: str) -> StoredObject:
        """Size and type of an object; ObjectNotFound if missing."""

    @abstractmethod
    def open(self, key: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """The object's bytes from `offset` (for HTTP range requests), in chunks."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove an object; removing a missing one is not an error."""

    @abstractmethod
    async def keys(self, prefix: str = "") -> list[str]:
        """All keys under a prefix, sorted (for finding objects no row refers to)."""

    async def presigned_url(self, key: str, expires_seconds: int = 3600) -> str | None:
        """A time-limited direct download URL, or None when the app must stream the object."""
        return None

    # --- multipart uploads: large objects sent in parts, resumable after an interruption ---

    @abstractmethod
    async def create_upload(self, key: str, content_type: str, part_size: int | None = None) -> str:
        """Begin a multipart upload of `key`; returns its upload id. With part_size, the caller
        promises parts numbered from 1, each of exactly that size but the last (a backend may
        then place each part where it belongs as it arrives)."""

    @abstractmethod
    async def upload_part(
        self, key: str, upload_id: str, number: int, data: bytes | bytearray
    ) -> UploadedPart:
        """Store one part (sending a number again replaces that part). Memory is one part."""

    @abstractmethod
    async def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        """The parts stored so far, by number: where an interrupted upload resumes."""

    @abstractmethod
    async def complete_upload(
        self, key: str, upload_id: str, parts: list[UploadedPart]
    ) -> StoredObject:
        """Join the parts (in number order) into the object; the upload is then gone."""

    @abstractmethod
    async def abort_upload(self, key: str, upload_id: str) -> None:
        """Drop an upload and its parts; an unknown or finished upload is not an error."""

    @abstractmethod
    async def pending_uploads(self, prefix: str = "") -> list[PendingUpload]:
        """Uploads begun and not finished, under a key prefix (to clean up abandoned ones)."""

    async def presigned_part_url(
        self, key: str, upload_id: str, number: int, expires_seconds: int = 900
    ) -> str | None:
        """A time-limited URL a browser may PUT one part to, or None when parts go through the app."""
        return None

    async def read_all(self, key: str) -> bytes:
        """Small objects only (images, PDFs in tests); recordings are always streamed."""
        return b"".join([chunk async for chunk in self.open(key)])

    async def unused_keys(self, prefix: str, used: set[str]) -> list[str]:
        return [key for key in await self.keys(prefix) if key not in used]
