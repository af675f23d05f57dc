"""Checking WebVTT captions strictly, with errors that name the line: JIS X 8341-3 asks for
captions on prerecorded video, and a file a player silently ignores helps nobody.

Accepted: the WEBVTT header (a BOM and a title after it allowed), NOTE, STYLE and REGION blocks
before the cues, and cues of an optional identifier, a timing line (hours optional, milliseconds
required, start before end, cues in order of start) and at least one line of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+.*)?$")
MAX_CAPTIONS = 1_000_000  # characters: hours of speech


@dataclass(frozen=True, slots=True)
class Cue:
    start: float  # seconds
    end: float
    text: str


class CaptionsInvalid(ValueError):
    """The file is not valid WebVTT; `line` is 1-based and `message` Japanese."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}行目: {message}")
        self.line = line
        self.message = message


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_captions(text: str) -> list[Cue]:
    """The cues of a WebVTT file, or CaptionsInvalid naming the first wrong line."""
    if len(text) > MAX_CAPTIONS:
        raise CaptionsInvalid(1, "字幕ファイルが大きすぎます。")
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines[0].startswith("WEBVTT") or (lines[0][6:7] not in ("", " ", "\t")):
        raise CaptionsInvalid(1, "1行目は「WEBVTT」で始めてください。")
    index = 1
    while index < len(lines) and lines[index].strip():
        if "-->" in lines[index]:
            raise CaptionsInvalid(index + 1, "ヘッダーの後に空行を入れてから字幕を書いてください。")
        index += 1
    cues: list[Cue] = []
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        block_start = index
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        first = block[0]
        if first.startswith("NOTE") and first[4:5] in ("", " ", "\t"):
            continue
        if first.strip() in ("STYLE", "REGION"):
            if cues:
                raise CaptionsInvalid(
                    block_start + 1, f"{first.strip()} は最初の字幕より前に書いてください。"
                )
            continue
        timing_at = 0 if "-->" in first else 1
        if timing_at == 1 and (len(block) < 2 or "-->" not in block[1]):
            if re.match(r"^\d", first):  # a timing line mistyped, not a cue identifier
                raise CaptionsInvalid(
                    block_start + 1,
                    "時刻の形式が正しくありません（例: 00:01:02.500 --> 00:01:05.000）。",
                )
            raise CaptionsInvalid(
                block_start + 1 + (1 if len(block) > 1 else 0),
                "時刻の行がありません（例: 00:01:02.500 --> 00:01:05.000）。",
            )
        line_number = block_start + 1 + timing_at
        found = _TIMING.match(block[timing_at].strip())
        if not found:
            raise CaptionsInvalid(
                line_number, "時刻の形式が正しくありません（例: 00:01:02.500 --> 00:01:05.000）。"
            )
        start = _seconds(*found.groups()[:4])
        end = _seconds(*found.groups()[4:])
        if end <= start:
            raise CaptionsInvalid(line_number, "終了時刻は開始時刻より後にしてください。")
        if cues and start < cues[-1].start:
            raise CaptionsInvalid(line_number, "字幕は開始時刻の順に並べてください。")
        text_lines = block[timing_at + 1 :]
        if not text_lines:
            raise CaptionsInvalid(line_number + 1, "時刻の次の行に字幕の文を書いてください。")
        for offset, line in enumerate(text_lines, start=line_number + 1):
            if "-->" in line:
                raise CaptionsInvalid(offset, "字幕と字幕の間には空行を入れてください。")
        cues.append(Cue(start, end, "\n".join(text_lines)))
    if not cues:
        raise CaptionsInvalid(len(lines), "字幕が1つもありません。")
    return cues
