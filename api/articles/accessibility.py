"""Accessibility check of article Markdown before publishing (JIS X 8341-3 / WCAG 2.x AA).

check_markdown() walks the markdown-it token stream of the same parser that renders articles
(api.articles.markdown.parser: CommonMark + tables, raw HTML off), so what is checked is what
is published. Block tokens carry .map (0-based source line range); inline positions are counted
from the softbreaks/hardbreaks before them, so every finding points at a 1-based source line.

The page title is the page's h1, so content headings start at "## "; a "# " heading in the body
is reported as a second h1 (the renderer keeps it as written, see api.articles.markdown).
Raw HTML is off, so the only tables are GFM tables, which always have a header row; the table
rule therefore reports header rows whose cells are all empty.

Rules are heuristics for an editor, not a conformance verdict: "error" findings are almost
certainly problems, "warning" findings ask the editor to look (e.g. colour words may be
redundant with a label next to them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from api.articles.markdown import parser

Severity = Literal["error", "warning"]

IMAGE_ALT_MISSING = "image-alt-missing"
IMAGE_ALT_UNINFORMATIVE = "image-alt-uninformative"
HEADING_EXTRA_H1 = "heading-extra-h1"
HEADING_SKIPPED_LEVEL = "heading-skipped-level"
HEADING_EMPTY = "heading-empty"
LINK_EMPTY = "link-empty"
LINK_TEXT_AMBIGUOUS = "link-text-ambiguous"
TABLE_HEADER_EMPTY = "table-header-empty"
COLOR_ONLY = "color-only"

# Stable rule ids with a short Japanese label (for lists and help pages).
RULES: dict[str, str] = {
    IMAGE_ALT_MISSING: "画像の代替テキストがない",
    IMAGE_ALT_UNINFORMATIVE: "画像の代替テキストが内容を表していない",
    HEADING_EXTRA_H1: "本文に大見出し（#）がある",
    HEADING_SKIPPED_LEVEL: "見出しのレベルが飛んでいる",
    HEADING_EMPTY: "空の見出し",
    LINK_EMPTY: "リンクのテキストがない",
    LINK_TEXT_AMBIGUOUS: "リンクのテキストだけでは行き先が分からない",
    TABLE_HEADER_EMPTY: "表の見出しセルが空",
    COLOR_ONLY: "色だけで情報を伝えている",
}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # one of RULES
    message: str  # Japanese, says what to fix
    line: int  # 1-based line in the Markdown source
    excerpt: str
    severity: Severity = "error"


_EXCERPT_MAX = 60


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_MAX else text[: _EXCERPT_MAX - 1] + "…"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# --- images -----------------------------------------------------------------------------------

_IMAGE_EXT = r"(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic|heif)"
_FILENAME_ALT = re.compile(
    rf"^(?:[^/\\]+\.{_IMAGE_EXT}"  # photo.png, IMG_0012.JPG
    r"|(?:img|dsc[nf]?|pxl|mvimg|screenshot|スクリーンショット)[ _\-]?\d[\d _\-]*)$"  # IMG_0012
)
_GENERIC_ALT = frozenset(
    _norm(word)
    for word in (
        "画像", "image", "img", "写真", "photo", "picture", "pic", "図", "イメージ",
        "イラスト", "illustration", "スクリーンショット", "screenshot", "画像1", "写真1",
    )
)  # fmt: skip


def _alt_is_uninformative(alt: str) -> bool:
    norm = _norm(alt).strip()
    return norm in _GENERIC_ALT or bool(_FILENAME_ALT.match(norm))


# --- links ------------------------------------------------------------------------------------

# Compared after NFKC, casefold and removing whitespace, punctuation and symbols, so
# "ここをクリック！", "Click  here", "詳しくはこちら →" and "ＭＯＲＥ" all match.
_AMBIGUOUS_LINK_TEXTS = frozenset(
    (
        "こちら", "ここ", "コチラ", "ココ", "ここをクリック", "こちらをクリック", "クリック",
        "こちらから", "詳しくはこちら", "詳細はこちら", "くわしくはこちら", "詳しく", "詳細",
        "続きを読む", "続き", "もっと見る", "もっと読む", "リンク", "このリンク", "このページ",
        "click", "clickhere", "here", "more", "readmore", "learnmore", "link", "thislink",
        "this", "details", "moredetails",
    )
)  # fmt: skip


def _squash(text: str) -> str:
    return "".join(
        ch
        for ch in _norm(text)
        if not ch.isspace() and unicodedata.category(ch)[0] not in {"P", "S"}
    )


# --- colour -----------------------------------------------------------------------------------

_JA_COLOUR = (
    r"(?:(?:赤|青|緑|黄|橙|紫|灰|茶|水|桃|黄緑)色|赤|青|緑|紫"
    r"|(?:オレンジ|ピンク|グレー|ブルー|レッド|グリーン|イエロー)色?)"
)
_JA_ADJ = r"(?:赤い|青い|黄色い|茶色い)"
_JA_TARGET = r"(?:部分|箇所|個所|ところ|所|項目|ボタン|欄|枠|線|下線|マーカー|印|セル|背景|網掛け|ハイライト)"
_EN_COLOUR = r"(?:red|green|blue|yellow|orange|purple|pink|gr[ae]y)"
_COLOUR_ONLY = re.compile(
    "|".join(
        (
            # 赤文字 / 赤い文字 / 赤色の文字
            rf"(?:{_JA_COLOUR}の?|{_JA_ADJ})文字",
            # 赤字の項目 / 赤字で示した ("赤字" alone usually means a deficit, so the context
            # that makes it about text colour is required)
            rf"{_JA_COLOUR}字(?:の(?:部分|箇所|個所|ところ|項目|記載|欄)|で(?:示|表示|記|書|強調))",
            # 赤色の部分 / 緑のボタン / 赤い部分 / 赤枠
            rf"(?:{_JA_COLOUR}の?|{_JA_ADJ}){_JA_TARGET}",
            # 赤で示した / 黄色で塗った
            rf"{_JA_COLOUR}で(?:示|表示|囲|塗|強調|色分け|記|書|マーク|ハイライト)",
            # 色で区別
            r"色(?:だけ)?で(?:区別|識別|分類|示|表|判別)",
            # red text / green button / marked in red / colour-coded
            rf"\b{_EN_COLOUR}[ \-](?:text|font|letters?|words?|items?|parts?|sections?"
            r"|cells?|rows?|columns?|buttons?|box(?:es)?|borders?|lines?|marks?|markers?"
            r"|highlights?|background)\b",
            rf"\b(?:marked|shown|highlighted|colou?red|printed|written|displayed|indicated)"
            rf" in {_EN_COLOUR}\b",
            r"\bcolou?r[ \-]coded\b",
        )
    ),
    re.IGNORECASE,
)
_CONTEXT = 12


# --- walking the tokens -----------------------------------------------------------------------


def _inline_positions(inline: Token) -> Iterator[tuple[int, Token]]:
    """Children of an inline token with the 1-based source line each starts on."""
    line = (inline.map[0] if inline.map else 0) + 1
    for child in inline.children or []:
        yield line, child
        if child.type in {"softbreak", "hardbreak"}:
            line += 1


def _inline_text(children: list[Token]) -> str:
    """Text a reader gets from inline tokens (images count by their alt text)."""
    parts: list[str] = []
    for child in children:
        if child.type in {"text", "code_inline", "image"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return "".join(parts)


def _check_inline(inline: Token, md: MarkdownIt) -> Iterator[Finding]:
    positions = list(_inline_positions(inline))
    link_stack: list[tuple[int, str, list[Token]]] = []
    # Prose per source line, for the colour rule (text split by emphasis is joined again).
    prose: dict[int, list[str]] = {}
    for line, tok in positions:
        for _, _, collected in link_stack:
            collected.append(tok)
        if tok.type == "text":
            prose.setdefault(line, []).append(tok.content)
        elif tok.type == "code_inline":
            prose.setdefault(line, []).append(" ")
        if tok.type == "image":
            yield from _check_image(line, tok, md)
        elif tok.type == "link_open":
            link_stack.append((line, str(tok.attrGet("href") or ""), []))
        elif tok.type == "link_close" and link_stack:
            start, href, collected = link_stack.pop()
            yield from _check_link(start, href, collected[:-1], md)
    for line, parts in prose.items():
        text = unicodedata.normalize("NFKC", "".join(parts))
        for match in _COLOUR_ONLY.finditer(text):
            start, end = max(0, match.start() - _CONTEXT), match.end() + _CONTEXT
            snippet = (
                ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
            )
            yield Finding(
                COLOR_ONLY,
                f"「{match.group(0)}」のように色だけで情報を伝えると、色の区別が難しい人や"
                "白黒で印刷した人に伝わりません。「（必須）」などの文字や記号でも示してください。",
                line,
                _excerpt(snippet),
                "warning",
            )


def _display_url(url: str, md: MarkdownIt) -> str:
    # Destinations are stored percent-encoded; show them as the editor typed them.
    return md.normalizeLinkText(url)


def _check_image(line: int, tok: Token, md: MarkdownIt) -> Iterator[Finding]:
    alt = tok.content
    excerpt = _excerpt(f"![{alt}]({_display_url(str(tok.attrGet('src') or ''), md)})")
    if not alt.strip():
        yield Finding(
            IMAGE_ALT_MISSING,
            "画像に代替テキストがありません。![ ] の中に、画像が伝える内容を書いてください"
            "（例: ![セミナー会場で講演する登壇者](…)）。",
            line,
            excerpt,
        )
    elif _alt_is_uninformative(alt):
        yield Finding(
            IMAGE_ALT_UNINFORMATIVE,
            f"代替テキスト「{alt.strip()}」はファイル名や「画像」などで、内容が伝わりません。"
            "画像が伝える内容を具体的に書いてください。",
            line,
            excerpt,
        )


def _check_link(line: int, href: str, inner: list[Token], md: MarkdownIt) -> Iterator[Finding]:
    text = _inline_text(inner).strip()
    url = _display_url(href, md)
    if not text:
        yield Finding(
            LINK_EMPTY,
            "リンクのテキストがありません。[ ] の中に、リンク先の内容が分かる文言を書いてください。",
            line,
            _excerpt(f"[]({url})"),
        )
    elif _squash(text) in _AMBIGUOUS_LINK_TEXTS:
        yield Finding(
            LINK_TEXT_AMBIGUOUS,
            f"リンクのテキスト「{text}」だけでは行き先が分かりません。"
            "「2025年度 事例集（PDF）」のように、リンク先の内容が分かる文言にしてください。",
            line,
            _excerpt(f"[{text}]({url})"),
            "warning",
        )


def check_markdown(text: str) -> list[Finding]:
    """Accessibility findings for article Markdown, sorted by source line."""
    md = parser()
    tokens = md.parse(text or "")
    findings: list[Finding] = []
    source_lines = (text or "").splitlines()
    previous_level = 1  # the page title is the h1
    table_line = 0
    header_cells: list[str] | None = None
    for index, tok in enumerate(tokens):
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            line = (tok.map[0] if tok.map else 0) + 1
            source = source_lines[line - 1] if line <= len(source_lines) else tok.markup
            inline = tokens[index + 1]
            if not _inline_text(inline.children or []).strip():
                findings.append(
                    Finding(
                        HEADING_EMPTY,
                        "見出しに文字がありません。見出しの文言を書くか、見出しの行を削除して"
                        "ください。",
                        line,
                        _excerpt(source),
                    )
                )
            if level == 1:
                findings.append(
                    Finding(
                        HEADING_EXTRA_H1,
                        "「# 」の大見出しはページタイトルに使われています。本文の見出しは「## 」"
                        "から始めてください。",
                        line,
                        _excerpt(source),
                    )
                )
            elif level > previous_level + 1:
                expected = "#" * (previous_level + 1)
                after = (
                    "ページタイトルの次"
                    if previous_level == 1
                    else f"「{'#' * previous_level}」の見出しの次"
                )
                findings.append(
                    Finding(
                        HEADING_SKIPPED_LEVEL,
                        f"見出しのレベルが飛んでいます（{after}に「{'#' * level}」）。"
                        f"ここは「{expected} 」にするなど、見出しは1段ずつ下げてください。",
                        line,
                        _excerpt(source),
                    )
                )
            previous_level = level
        elif tok.type == "table_open":
            table_line = (tok.map[0] if tok.map else 0) + 1
        elif tok.type == "thead_open":
            header_cells = []
        elif tok.type == "inline" and header_cells is not None:
            header_cells.append(_inline_text(tok.children or []).strip())
        elif tok.type == "thead_close" and header_cells is not None:
            if not any(header_cells):
                findings.append(
                    Finding(
                        TABLE_HEADER_EMPTY,
                        "表の1行目（見出しの行）が空です。各列の内容を表す見出しを書いてください。"
                        "表にする必要がなければ箇条書きなどにしてください。",
                        table_line,
                        _excerpt(
                            source_lines[table_line - 1] if table_line <= len(source_lines) else ""
                        ),
                    )
                )
            header_cells = None
        if tok.type == "inline":
            findings.extend(_check_inline(tok, md))
    findings.sort(key=lambda finding: finding.line)
    return findings
