"""The duration and video codec of an uploaded video, read from the container's own header in
the object store.

MP4 (ISO BMFF): the top-level boxes are walked by their sizes to the movie box (moov), whose
movie header (mvhd) holds a time scale and the duration in its units, and whose video track
(trak with a "vide" handler) names its codec in its first sample entry (stsd); the index of an
MP4 may stand after the media, so only box headers are read on the way (small range reads).
WebM (Matroska/EBML): the Segment's Info element holds the Duration (a float, in units of its
TimecodeScale, 1 ms by default) and its Tracks the video track's CodecID. A file that states no duration (a live WebM from a browser's
MediaRecorder, a fragmented MP4 without one) or that is not what it claims gives None: the
upload still counts, and staff see that the length is unknown.

Plain range reads, no decoder library: the app's memory stays that of a few small reads.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage import ObjectStore

ReadRange = Callable[[int, int], Awaitable[bytes]]

MAX_BOXES = 10_000  # a walk over more top-level boxes than any real file has is given up
MAX_HEADER_BYTES = 64 * 1024  # the part of a WebM read for its Info element

_EBML = b"\x1a\x45\xdf\xa3"
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMECODE_SCALE = 0x2AD7B1
_DURATION = 0x4489
_TRACKS = 0x1654AE6B
_TRACK_ENTRY = 0xAE
_TRACK_TYPE = 0x83
_CODEC_ID = 0x86

# Sample entry types of MP4 video tracks and Matroska codec ids, by reference.VIDEO_CODECS.
MP4_CODECS = {
    b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc", b"av01": "av1",
    b"vp08": "vp8", b"vp09": "vp9", b"mp4v": "mpeg4",
}  # fmt: skip
WEBM_CODECS = {"V_VP8": "vp8", "V_VP9": "vp9", "V_AV1": "av1", "V_MPEG4/ISO/AVC": "h264"}


def _other(name: str) -> str:
    """A codec this module does not know, kept by its own name when that is plain text."""
    name = name.strip()
    return name[:16] if name.isascii() and name.replace("_", "").replace("/", "").isalnum() else ""


@dataclass(frozen=True, slots=True)
class VideoFacts:
    duration: float | None  # seconds
    codec: str  # the video track's codec as reference.VIDEO_CODECS names it, or "" if unknown


async def _boxes(read: ReadRange, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, body start, end) of the boxes between start and end, by their headers only."""
    found = []
    offset = start
    while offset + 8 <= end and len(found) < MAX_BOXES:
        header = await read(offset, 16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if box_size == 1:  # a 64-bit size follows the type
            (box_size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif box_size == 0:  # the box runs to the end of its parent
            box_size = end - offset
        if box_size < header_size:
            break
        found.append((box_type, offset + header_size, min(offset + box_size, end)))
        offset += box_size
    return found


async def _child(read: ReadRange, start: int, end: int, *path: bytes) -> tuple[int, int] | None:
    """The body (start, end) of the first box along path (b"mdia", b"minf" ...)."""
    for wanted in path:
        match = next((b for b in await _boxes(read, start, end) if b[0] == wanted), None)
        if match is None:
            return None
        _, start, end = match
    return start, end


async def mp4_facts(read: ReadRange, size: int) -> VideoFacts:
    movie = await _child(read, 0, size, b"moov")
    if movie is None:
        return VideoFacts(None, "")
    duration, codec = None, ""
    for box_type, start, end in await _boxes(read, *movie):
        if box_type == b"mvhd":
            body = await read(start, 32)
            if body[0] == 1:  # version 1: 64-bit times
                timescale, length = struct.unpack(">IQ", body[20:32])
            else:
                timescale, length = struct.unpack(">II", body[12:20])
            if timescale and length and length not in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                duration = length / timescale
        elif box_type == b"trak" and not codec:
            codec = await _track_codec(read, start, end)
    return VideoFacts(duration, codec)


async def _track_codec(read: ReadRange, start: int, end: int) -> str:
    """The codec of a video track (its handler is "vide"), from its first sample entry."""
    media = await _child(read, start, end, b"mdia")
    if media is None:
        return ""
    handler = await _child(read, *media, b"hdlr")
    if handler is None or (await read(handler[0] + 8, 4)) != b"vide":
        return ""
    entries = await _child(read, *media, b"minf", b"stbl", b"stsd")
    if entries is None:
        return ""
    entry = await read(entries[0] + 8, 8)  # after version, flags and the entry count
    return MP4_CODECS.get(entry[4:8]) or _other(entry[4:8].decode("latin-1"))


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


def webm_facts(head: bytes) -> VideoFacts:
    duration, codec = None, ""
    try:
        for element_id, body, end in _elements(head, 0, len(head)):
            if element_id != _SEGMENT:
                continue
            for child_id, child_body, child_end in _elements(head, body, end):
                if child_id == _INFO:
                    duration = _info_duration(head[child_body:child_end])
                elif child_id == _TRACKS and not codec:
                    codec = _tracks_codec(head[child_body:child_end])
    except (ValueError, IndexError, struct.error):
        pass
    return VideoFacts(duration, codec)


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


def _tracks_codec(tracks: bytes) -> str:
    for element_id, body, end in _elements(tracks, 0, len(tracks)):
        if element_id != _TRACK_ENTRY:
            continue
        fields = {i: tracks[b:e] for i, b, e in _elements(tracks, body, end)}
        if fields.get(_TRACK_TYPE) == b"\x01":  # a video track
            codec_id = fields.get(_CODEC_ID, b"").rstrip(b"\x00").decode("ascii", "replace")
            return WEBM_CODECS.get(codec_id) or _other(codec_id)
    return ""


async def probe_video(store: ObjectStore, key: str, size: int) -> VideoFacts:
    """The stored video's duration and codec, as far as its header states them."""

    async def read(offset: int, length: int) -> bytes:
        length = min(length, size - offset)
        if length <= 0:
            return b""
        return b"".join([chunk async for chunk in store.open(key, offset=offset, length=length)])

    head = await read(0, 12)
    try:
        if head[4:8] == b"ftyp":
            return await mp4_facts(read, size)
        if head[:4] == _EBML:
            return webm_facts(await read(0, MAX_HEADER_BYTES))
    except struct.error:  # a box header cut off by the end of the file
        pass
    return VideoFacts(None, "")
