"""Japanese text analysis shared by indexing and querying: normalisation and the indexing units.

The same function turns a document's field and a user's query into terms, so what a user types
meets what was indexed:

- Normalised first: NFKC (full-width ＤＸ is DX, half-width ｶﾅ is カナ, ㈱ is (株)), lower case,
  and the legal forms of organisation names folded to one spelling ((株), ㈱, （株） are 株式会社).
- Then split into runs of one script, each cut into units that suit it:
  kanji runs into words by the morphological analyser (lindera with IPADIC, whose dictionary
  ships in its wheel): 設備点検 gives 設備 and 点検, so a part of a compound finds the whole;
  kana runs into character pairs after folding katakana to hiragana and dropping a final long
  vowel mark (サーバー and さーば meet), so a kana reading or any part of a katakana word finds
  it whatever the script the user typed; Latin letters and digits into words.
- Every term keeps where it came from in the original text, for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

# Legal forms as Japanese users write them, each folded to its full name.
LEGAL_FORMS: dict[str, str] = {
    "(株)": "株式会社", "(有)": "有限会社", "(合)": "合同会社", "(資)": "合資会社",
    "(名)": "合名会社", "(社)": "社団法人", "(財)": "財団法人", "(一社)": "一般社団法人",
    "(一財)": "一般財団法人", "(公社)": "公益社団法人", "(公財)": "公益財団法人",
    "(医)": "医療法人", "(福)": "社会福祉法人", "(特非)": "特定非営利活動法人",
    "(同)": "合同会社", "npo法人": "特定非営利活動法人",
}  # fmt: skip
_LEGAL = re.compile(
    "|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True))
)

_HALF_WIDTH_MARKS = "\uff9e\uff9f"  # ﾞ ﾟ: joined to the half-width kana before them


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    start: int  # where it came from in the original text (characters)
    end: int


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the index in `text` it came from."""
    if unicodedata.is_normalized("NFKC", text):  # most stored text: no character changes width
        lowered = text.lower()
        if len(lowered) == len(text):
            origin = list(range(len(text)))
            if "(" in lowered or "npo" in lowered:
                return _fold_legal_forms(lowered, origin)
            return lowered, origin
    chars: list[str] = []
    origin: list[int] = []
    index = 0
    while index < len(text):
        piece = text[index]
        step = 1
        if index + 1 < len(text) and text[index + 1] in _HALF_WIDTH_MARKS:
            piece, step = text[index : index + 2], 2
        for char in unicodedata.normalize("NFKC", piece).lower():
            chars.append(char)
            origin.append(index)
        index += step
    normalised = "".join(chars)
    if "(" in normalised or "npo" in normalised:
        normalised, origin = _fold_legal_forms(normalised, origin)
    return normalised, origin


def _fold_legal_forms(text: str, origin: list[int]) -> tuple[str, list[int]]:
    out: list[str] = []
    mapped: list[int] = []
    position = 0
    for match in _LEGAL.finditer(text):
        out.append(text[position : match.start()])
        mapped += origin[position : match.start()]
        full = LEGAL_FORMS[match.group()]
        out.append(full)
        # The full name stands for the whole short form: its last character for the form's end.
        mapped += [origin[match.start()]] * (len(full) - 1) + [origin[match.end() - 1]]
        position = match.end()
    out.append(text[position:])
    mapped += origin[position:]
    return "".join(out), mapped


def script_of(char: str) -> str:
    """hiragana, katakana, kanji, latin (letters and digits of any script) or "" (the rest)."""
    code = ord(char)
    if 0x3041 <= code <= 0x309F:
        return "hiragana"
    if 0x30A1 <= code <= 0x30FA or 0x30FC <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "katakana"  # ー (30FC) belongs to the katakana run it lengthens
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or char in "々〆ヶ":
        return "kanji"
    if char.isalnum():
        return "latin"
    return ""


def _runs(text: str) -> list[tuple[str, int, int]]:
    """(script, start, end) of the runs of one script; separators belong to none."""
    runs: list[tuple[str, int, int]] = []
    start, current = 0, ""
    for index, char in enumerate(text):
        script = script_of(char)
        if char == "ー" and current == "hiragana":
            script = "hiragana"
        if script != current:
            if current:
                runs.append((current, start, index))
            start, current = index, script
    if current:
        runs.append((current, start, len(text)))
    return runs


# Particles alone say nothing about what is searched for: queries drop them (documents keep
# them); the Meilisearch backend gives them as stop words.
QUERY_PARTICLES = frozenset("の を に で と は が や へ も から まで より など および".split())


def to_hiragana(text: str) -> str:
    """Katakana as hiragana, character for character (the length stays)."""
    return "".join(chr(ord(c) - 0x60) if 0x30A1 <= ord(c) <= 0x30F6 else c for c in text)


def to_katakana(text: str) -> str:
    """Hiragana as katakana, character for character (to_hiragana's inverse)."""
    return "".join(chr(ord(c) + 0x60) if 0x3041 <= ord(c) <= 0x3096 else c for c in text)


def fold_kana(text: str) -> str:
    """Katakana as hiragana, without a final long vowel mark (サーバー, サーバ → さーば)."""
    folded = to_hiragana(text)
    return folded.rstrip("ー") or folded


@cache
def _tokenizer() -> Any:
    from lindera import TokenizerBuilder

    builder = TokenizerBuilder()
    builder.set_mode("normal")
    builder.set_dictionary("embedded://ipadic")
    return builder.build()


def _kanji_words(text: str) -> list[tuple[str, int, int]]:
    words = []
    position = 0
    for token in _tokenizer().tokenize(text):
        surface = token.surface
        start = text.find(surface, position)
        if start < 0:
            continue
        words.append((surface, start, start + len(surface)))
        position = start + len(surface)
    return words


def analyse(text: str) -> list[Term]:
    """The terms of a text, in order, each with its span in the original text."""
    return [term for run in analyse_runs(text) for term in run]


def analyse_runs(text: str) -> list[list[Term]]:
    """The terms of each run of one script (a query keeps a run's terms together, in order)."""
    normalised, origin = normalise(text)
    runs: list[list[Term]] = []

    def add(unit: str, start: int, end: int) -> None:
        runs[-1].append(Term(unit, origin[start], origin[end - 1] + 1))

    for script, start, end in _runs(normalised):
        runs.append([])
        run = normalised[start:end]
        if script == "kanji":
            for word, word_start, word_end in _kanji_words(run):
                add(word, start + word_start, start + word_end)
        elif script in ("hiragana", "katakana"):
            folded = fold_kana(run)
            if len(folded) == 1:
                add(folded, start, end)
            for offset in range(len(folded) - 1):
                add(folded[offset : offset + 2], start + offset, start + offset + 2)
        else:
            add(run, start, end)
    return [run for run in runs if run]


def terms_of(text: str) -> list[str]:
    return [term.text for term in analyse(text)]


def index_text(text: str) -> str:
    """A field as the full-text index stores it: its terms, separated by spaces."""
    return " ".join(terms_of(text))
