"""Snippets for search results, shared by every backend: the field's text (cut to a window
around the first match when long), escaped, with <mark> around what the query matched, found in
the normalised text so that any script or width of the same word is marked."""

from __future__ import annotations

import html

from search.analysis import fold_kana, normalise, to_hiragana

SNIPPET_CHARS = 120


def mark_form(text: str) -> str:
    """A word as snippets look for it: normalised, katakana as hiragana, no final ー."""
    return fold_kana(normalise(text)[0])


def fold_for_marks(text: str) -> tuple[str, list[int]]:
    """The text normalised with katakana folded to hiragana, character for character, and the
    index in `text` of each character."""
    normalised, origin = normalise(text)
    return to_hiragana(normalised), origin


def highlight(text: str, marks: set[str], width: int = SNIPPET_CHARS) -> str:
    """The text (cut to a window around the first match when long), escaped, with <mark>
    around every occurrence of a mark (found in the folded text, so any script or width)."""
    spans: list[list[int]] = []
    if marks and text:
        folded, origin = fold_for_marks(text)
        found = []
        for mark in marks:
            if not mark:
                continue
            latin = mark[0].isascii() and mark[0].isalnum()
            at = folded.find(mark)
            while at >= 0:
                # A Latin word is marked where a word begins (ai in "AIで", not in "mail").
                if not (latin and at > 0 and folded[at - 1].isascii() and folded[at - 1].isalnum()):
                    found.append((origin[at], origin[at + len(mark) - 1] + 1))
                at = folded.find(mark, at + len(mark))
        for start, end in sorted(found):
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
    start, end = 0, len(text)
    if len(text) > width:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - width // 4, len(text) - width))
        end = start + width
    out: list[str] = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(html.escape(text[position:span_start]))
        out.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(html.escape(text[position:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
