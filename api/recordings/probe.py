"""The duration of an uploaded video, read from the stored object without fetching all of it.

PyAV (FFmpeg) opens the container through a seekable reader whose reads are range reads of the
object store: an MP4 with its index at the end costs a seek there, a WebM its header. The
reads run in a worker thread and call back into the event loop for each range, so the local
backend and S3 behave alike and memory stays bounded by a few reads. A file the demuxer cannot
read, or one whose container states no duration, gives None: the upload itself still counts.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable

import av

from storage import ObjectStore

log = logging.getLogger(__name__)

# More than any container's header and index needs; a file that makes the demuxer read more
# is treated as unreadable rather than fetched whole.
MAX_PROBE_BYTES = 64 * 1024 * 1024
READ_TIMEOUT_SECONDS = 60


class _ProbeLimit(Exception):
    pass


class RangeReader(io.RawIOBase):
    """A read-only, seekable file over `read_range(offset, length) -> bytes`."""

    def __init__(self, size: int, read_range: Callable[[int, int], bytes]) -> None:
        self._size = size
        self._read_range = read_range
        self._position = 0
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._size - self._position)
        if wanted <= 0:
            return 0
        if self.bytes_read + wanted > MAX_PROBE_BYTES:
            raise _ProbeLimit
        data = self._read_range(self._position, wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        self.bytes_read += len(data)
        return len(data)


def duration_of(reader: io.RawIOBase) -> int | None:
    """Whole seconds (rounded) the container states, or None."""
    try:
        with av.open(reader, mode="r") as container:
            if container.duration is not None and container.duration > 0:
                return round(container.duration / av.time_base)
            for stream in container.streams:
                if stream.duration and stream.time_base:
                    return round(float(stream.duration * stream.time_base))
    except (av.FFmpegError, _ProbeLimit, ValueError, OSError) as exc:
        log.info("could not read the video's duration: %s", exc)
    return None


async def probe_duration(store: ObjectStore, key: str, size: int) -> int | None:
    """The stored video's duration in seconds, or None when it cannot be read."""
    loop = asyncio.get_running_loop()

    async def fetch(offset: int, length: int) -> bytes:
        return b"".join([chunk async for chunk in store.open(key, offset=offset, length=length)])

    def read_range(offset: int, length: int) -> bytes:
        future = asyncio.run_coroutine_threadsafe(fetch(offset, length), loop)
        return future.result(timeout=READ_TIMEOUT_SECONDS)

    return await asyncio.to_thread(duration_of, RangeReader(size, read_range))
