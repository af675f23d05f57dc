"""The fixed vocabulary of recordings: states, video types, sizes and limits."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class RecordingState(StrEnum):
    UPLOADING = "uploading"  # parts are arriving; nobody but staff sees it
    DRAFT = "draft"  # the video is complete; staff add captions and the transcript
    PUBLISHED = "published"  # members watch it


STATE_LABELS: dict[str, str] = {
    RecordingState.UPLOADING: "アップロード中",
    RecordingState.DRAFT: "非公開（準備中）",
    RecordingState.PUBLISHED: "公開中",
}

# Extension -> (content type, label). The first bytes decide; the name only has to agree.
VIDEO_TYPES: dict[str, tuple[str, str]] = {
    "mp4": ("video/mp4", "MP4"),
    "webm": ("video/webm", "WebM"),
}
EXTENSION_OF_TYPE = {
    content_type: extension for extension, (content_type, _) in VIDEO_TYPES.items()
}

# Video codecs by the code the probe gives: (label, whether every current browser plays it).
VIDEO_CODECS: dict[str, tuple[str, bool]] = {
    "h264": ("H.264 (AVC)", True),
    "vp8": ("VP8", True),
    "vp9": ("VP9", True),
    "av1": ("AV1", True),
    "hevc": ("H.265 (HEVC)", False),
    "mpeg4": ("MPEG-4 Part 2", False),
}

# A poster may arrive as any of these (checked by decoding); it is kept as WebP.
POSTER_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})

# The browser sends the video in parts of exactly this size (the last one shorter), so an
# interrupted upload resumes at a part boundary. S3 wants at least 5 MiB for every part but the
# last; 8 MiB keeps the app's memory at a few parts whatever the file size.
PART_SIZE = 8 * 1024 * 1024
MAX_RECORDING_BYTES = 8 * 1024 * 1024 * 1024  # 8 GiB: far above the 1-4 GB recordings
ABANDONED_AFTER = timedelta(days=1)

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_TRANSCRIPT = 500_000
MAX_CHAPTERS = 100
MAX_EXEMPTION = 1_000
