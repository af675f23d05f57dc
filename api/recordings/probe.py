"""The duration of an uploaded video, read from the container's own header in the object store.

MP4 (ISO BMFF): the top-level boxes are walked by their sizes to the movie box (moov), whose
movie header (mvhd) holds a time scale and the duration in its units; the index of an MP4 may
stand after the media, so only box headers are read on the way (a few small range reads).
WebM (Matroska/EBML): the Segment's Info element holds the Duration (a float, in units of its
TimecodeScale, 1 ms by default). A file that states no duration (a live WebM from a browser's
MediaRecorder, a fragmented MP4 without one) or that is not what it claims gives None: the
upload still counts, and staff see that the length is unknown.

Plain range reads, no decoder library: the app's memory stays that of a few small reads.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable

from storage import ObjectStore

ReadRange = Callable[[int, int], Awaitable[bytes]]

MAX_BOXES = 10_000  # a walk over more top-level boxes than any real file has is given up
MAX_HEADER_BYTES = 64 * 1024  # the part of a WebM read for its Info element

_EBML = b"\x1a\x45\xdf\xa3"
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMECODE_SCALE = 0x2AD7B1
_DURATION = 0x4489


async def mp4_duration(read: ReadRange, size: int) -> float | None:
    offset = 0
    for _ in range(MAX_BOXES):
        if offset + 8 > size:
            return None
        header = await read(offset, 16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if box_size == 1:  # a 64-bit size follows the type
            (box_size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif box_size == 0:  # the box runs to the end of the file
            box_size = size - offset
        if box_size < header_size:
            return None
        if box_type == b"moov":
            return await _movie_duration(read, offset + header_size, offset + box_size)
        offset += box_size
    return None


async def _movie_duration(read: ReadRange, start: int, end: int) -> float | None:
    offset = start
    while offset + 8 <= end:
        box_size, box_type = struct.unpack(">I4s", await read(offset, 8))
        if box_size < 8:
            return None
        if box_type == b"mvhd":
            body = await read(offset + 8, 32)
            if body[0] == 1:  # version 1: 64-bit times
                timescale, duration = struct.unpack(">IQ", body[20:32])
            else:
                timescale, duration = struct.unpack(">II", body[12:20])
            if timescale and duration and duration not in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                return duration / timescale
            return None
        offset += box_size
    return None


def _vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-size integer at `at`: (value, its length); -1 for an unknown size."""
    first = data[at]
    length = next((n for n in range(1, 9) if first & (0x80 >> (n - 1))), 0)
    if not length or at + length > len(data):
        raise ValueError("not an EBML number")
    value = first if keep_marker else first & ((0x80 >> (length - 1)) - 1)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return -1, length  # all ones: the size is unknown (a live recording)
    return value, length


def _elements(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(id, data start, data end) of the elements between start and end; stops at the first
    one of unknown size or running past the data, and gives that one to its end."""
    found = []
    at = start
    while at < end:
        element_id, id_length = _vint(data, at, keep_marker=True)
        size, size_length = _vint(data, at + id_length, keep_marker=False)
        body = at + id_length + size_length
        stop = end if size < 0 else min(body + size, end)
        found.append((element_id, body, stop))
        if size < 0:
            break
        at = body + size
    return found


def webm_duration(head: bytes) -> float | None:
    try:
        for element_id, body, end in _elements(head, 0, len(head)):
            if element_id != _SEGMENT:
                continue
            for child_id, child_body, child_end in _elements(head, body, end):
                if child_id == _INFO:
                    return _info_duration(head[child_body:child_end])
    except (ValueError, IndexError, struct.error):
        return None
    return None


def _info_duration(info: bytes) -> float | None:
    scale, duration = 1_000_000, None  # nanoseconds per tick; Matroska's default is 1 ms
    for element_id, body, end in _elements(info, 0, len(info)):
        value = info[body:end]
        if element_id == _TIMECODE_SCALE and value:
            scale = int.from_bytes(value, "big")
        elif element_id == _DURATION and len(value) in (4, 8):
            duration = struct.unpack(">f" if len(value) == 4 else ">d", value)[0]
    if duration is None or duration <= 0:
        return None
    return duration * scale / 1e9


async def probe_duration(store: ObjectStore, key: str, size: int) -> int | None:
    """The stored video's duration in whole seconds (rounded), or None when it states none."""

    async def read(offset: int, length: int) -> bytes:
        length = min(length, size - offset)
        if length <= 0:
            return b""
        return b"".join([chunk async for chunk in store.open(key, offset=offset, length=length)])

    head = await read(0, 12)
    seconds: float | None = None
    try:
        if head[4:8] == b"ftyp":
            seconds = await mp4_duration(read, size)
        elif head[:4] == _EBML:
            seconds = webm_duration(await read(0, MAX_HEADER_BYTES))
    except struct.error:  # a box header cut off by the end of the file
        seconds = None
    return round(seconds) if seconds else None
