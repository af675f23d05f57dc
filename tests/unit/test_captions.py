"""WebVTT captions are checked strictly, and every error names its line in Japanese."""

from __future__ import annotations

import pytest

from api.recordings.captions import CaptionsInvalid, parse_captions

GOOD = """\ufeffWEBVTT - 生成AI活用セミナー

NOTE 話者の名前は角括弧で示します

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.500 line:90%
[熊本] 皆さん、こんにちは。

00:04.500 --> 00:08.000
本日は生成AIの
業務での使い方をお話しします。

01:02:03.250 --> 01:02:05.000
おわりに
"""


def test_a_valid_file_gives_its_cues_in_seconds() -> None:
    cues = parse_captions(GOOD.replace("\n", "\r\n"))
    assert [(c.start, c.end) for c in cues] == [(1.0, 4.5), (4.5, 8.0), (3723.25, 3725.0)]
    assert cues[1].text == "本日は生成AIの\n業務での使い方をお話しします。"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "WEBVTT"),
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n", 1, "WEBVTT"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nx\n", 2, "空行"),
        ("WEBVTT\n\n00:01 --> 00:02.000\nx\n", 3, "時刻の形式"),
        ("WEBVTT\n\n00:01.000 -> 00:02.000\nx\n", 3, "時刻の形式"),
        ("WEBVTT\n\nintro\nx\n", 4, "時刻の行"),
        ("WEBVTT\n\n00:03.000 --> 00:02.000\nx\n", 3, "終了時刻"),
        (
            "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\na\n\n00:00:01.000 --> 00:00:02.000\nb\n",
            6,
            "順",
        ),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n", 4, "字幕の文"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\na\n00:03.000 --> 00:04.000\nb\n", 5, "空行"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\na\n\nSTYLE\n::cue {}\n", 6, "STYLE"),
        ("WEBVTT\n\nNOTE only a note\n", 4, "1つもありません"),
        ("WEBVTT\n\n00:61.000 --> 00:62.000\nx\n", 3, "時刻の形式"),
    ],
)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(CaptionsInvalid) as caught:
        parse_captions(text)
    assert caught.value.line == line, str(caught.value)
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{line}行目: ")
