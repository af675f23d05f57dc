"""The embedded object store: files under one directory, metadata in a sidecar file.

Writes go to a temporary file that is renamed into place, so a reader never sees half an object.
File I/O runs in a thread so a large object never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from storage.base import CHUNK_SIZE, ObjectNotFound, ObjectStore, StoredObject, check_key

_META = ".meta.json"


class LocalObjectStore(ObjectStore):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise ObjectNotFound(key)
        return path

    def _put_sync(self, key: str, data: BinaryIO, size: int, content_type: str) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while written < size:
                    chunk = data.read(min(CHUNK_SIZE, size - written))
                    if not chunk:
                        break
                    out.write(chunk)
                    written += len(chunk)
            if written != size:
                raise ValueError(f"expected {size} bytes, got {written}")
            meta = path.with_name(path.name + _META)
            meta.write_text(json.dumps({"content_type": content_type}), encoding="utf-8")
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return self._stat_sync(key)

    async def put(self, key: str, data: BinaryIO, size: int, content_type: str) -> StoredObject:
        return await asyncio.to_thread(self._put_sync, key, data, size, content_type)

    def _stat_sync(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        meta = path.with_name(path.name + _META)
        content_type = "application/octet-stream"
        if meta.exists():
            content_type = json.loads(meta.read_text(encoding="utf-8"))["content_type"]
        return StoredObject(
            key=key,
            size=info.st_size,
            content_type=content_type,
            modified_at=datetime.fromtimestamp(info.st_mtime, UTC),
        )

    async def stat(self, key: str) -> StoredObject:
        return await asyncio.to_thread(self._stat_sync, key)

    async def open(
        self, key: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        try:
            await asyncio.to_thread(handle.seek, offset)
            remaining = length
            while remaining is None or remaining > 0:
                size = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
                chunk = await asyncio.to_thread(handle.read, size)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    def _delete_sync(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        path.with_name(path.name + _META).unlink(missing_ok=True)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete_sync, key)

    def _keys_sync(self, prefix: str) -> list[str]:
        found = []
        for path in self.root.rglob("*"):
            name = path.name
            if path.is_file() and not name.endswith(_META) and not name.startswith(".upload-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)

    async def keys(self, prefix: str = "") -> list[str]:
        return await asyncio.to_thread(self._keys_sync, prefix)
