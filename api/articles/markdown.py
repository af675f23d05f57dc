"""Rendering article Markdown to safe HTML, and to plain text for summaries and feeds.

CommonMark (markdown-it-py "commonmark" preset plus GFM tables) with raw HTML switched off, so
anything that looks like a tag is shown as text. The rendered HTML then goes through nh3 with an
explicit allow-list as a second line of defence.

Decisions:
- Headings are rendered as written: "# " becomes h1. The page title is the page's h1, so a body
  h1 is a second h1; rather than silently demoting it (which would make the stored Markdown and
  the page disagree), the accessibility check (api.articles.accessibility) reports it.
- Links: http, https, mailto and same-site relative URLs only ("//host" is not same-site).
  Any other link is unwrapped: its text stays, as plain text. Absolute http(s)
  links get rel="noopener". "media:<key>" links are resolved through media_url like images
  (for documents in the media library); when they cannot be resolved the text stays, unlinked.
- Images: only from the media library. "![alt](media:<key>)" is resolved through media_url(key);
  an unresolvable key or any other URL drops the image and keeps its alt text as plain text.
- Table column alignment is carried as class="align-left|center|right" (no style attributes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True, slots=True)
class MediaLink:
    """A media-library item resolved for the body: its URL, and for images a srcset, for
    documents a note (type and size) appended to the link text, as JIS X 8341-3 practice asks."""

    url: str
    srcset: str = ""
    sizes: str = ""
    note: str = ""


MediaResolver = Callable[[str], "str | MediaLink | None"]

MEDIA_SCHEME = "media:"
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_ALIGN = re.compile(r"^text-align:(left|center|right)$")

ALLOWED_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "ul", "ol", "li", "blockquote",
        "code", "pre", "em", "strong", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
        "figure", "figcaption",
    }
)  # fmt: skip
_ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style", "svg", "math", "iframe", "object", "embed", "template"},
    attributes={
        "a": {"href", "title"},
        "img": {"src", "alt", "title", "srcset", "sizes", "width", "height"},
        "ol": {"start"},
    },
    tag_attribute_values={
        "a": {"rel": {"noopener"}},
        "img": {"loading": {"lazy"}},
        "th": {"scope": {"col", "row"}},
    },
    allowed_classes={"th": set(_ALIGN_CLASSES), "td": set(_ALIGN_CLASSES)},
    url_schemes=set(_LINK_SCHEMES),
    link_rel=None,  # rel is added to external links only, in _rewrite_inline
    strip_comments=True,
)


def is_allowed_link(url: str) -> bool:
    """http(s)/mailto, or a same-site relative URL (path, query or fragment only)."""
    if not url or any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme:
        if parts.scheme.lower() not in _LINK_SCHEMES:
            return False
        return parts.scheme.lower() == "mailto" or bool(parts.netloc)
    # "//evil.example" has no scheme but a host: not same-site. A colon before the first
    # "/", "?" or "#" ("java%0ascript:...") is a malformed scheme rather than a path: refuse it.
    first_segment = re.split(r"[/?#]", url, maxsplit=1)[0]
    return not parts.netloc and not url.startswith("//") and ":" not in first_segment


def _accept_any_destination(url: str) -> bool:
    # markdown-it calls this for link and image destinations alike. Refusing here would leave
    # the raw "[text](url)" source on the page; instead every destination is parsed and then
    # unwrapped or dropped in _rewrite_inline, which knows links from images.
    return True


@cache
def parser() -> MarkdownIt:
    """The shared parser: CommonMark + tables, raw HTML off, restricted link destinations."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = _accept_any_destination  # type: ignore[method-assign]
    return md


def media_key(url: str) -> str | None:
    if url.lower().startswith(MEDIA_SCHEME):
        return url[len(MEDIA_SCHEME) :]
    return None


def _is_external(url: str) -> bool:
    return urlsplit(url).scheme.lower() in {"http", "https"}


def _text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _resolve(key: str | None, media_url: MediaResolver | None) -> MediaLink | None:
    if key is None or media_url is None:
        return None
    found = media_url(key)
    if isinstance(found, str):
        found = MediaLink(found)
    return found if found is not None and is_allowed_link(found.url) else None


def _rewrite_inline(children: list[Token], media_url: MediaResolver | None) -> list[Token]:
    out: list[Token] = []
    # Per open link: dropped (its close goes too), and a note to append before the close.
    opened: list[tuple[bool, str]] = []
    for tok in children:
        if tok.type == "image":
            resolved = _resolve(media_key(str(tok.attrGet("src") or "")), media_url)
            if resolved is not None:
                tok.attrSet("src", resolved.url)
                if resolved.srcset:
                    tok.attrSet("srcset", resolved.srcset)
                    tok.attrSet("sizes", resolved.sizes or "100vw")
                tok.attrSet("loading", "lazy")
                out.append(tok)
            elif tok.content:
                out.append(_text_token(tok.content))
            continue
        if tok.type == "link_open":
            href = str(tok.attrGet("href") or "")
            key = media_key(href)
            note = ""
            if key is not None:
                resolved = _resolve(key, media_url)
                href, note = (resolved.url, resolved.note) if resolved else ("", "")
            if not is_allowed_link(href):
                opened.append((True, ""))  # the link text stays, as plain text
                continue
            tok.attrSet("href", href)
            if _is_external(href):
                tok.attrSet("rel", "noopener")
            opened.append((False, note))
        elif tok.type == "link_close" and opened:
            dropped, note = opened.pop()
            if dropped:
                continue
            if note:
                out.append(_text_token(note))
        out.append(tok)
    return out


def _rewrite_block(tokens: Sequence[Token], media_url: MediaResolver | None) -> None:
    in_thead = False
    for tok in tokens:
        if tok.type == "thead_open":
            in_thead = True
        elif tok.type == "thead_close":
            in_thead = False
        elif tok.type in {"th_open", "td_open"}:
            style = str(tok.attrGet("style") or "")
            if tok.attrs:
                tok.attrs.pop("style", None)
            match = _ALIGN.match(style)
            if match:
                tok.attrSet("class", f"align-{match.group(1)}")
            if tok.type == "th_open" and in_thead:
                tok.attrSet("scope", "col")
        elif tok.type == "inline" and tok.children is not None:
            tok.children = _rewrite_inline(tok.children, media_url)


def render_markdown(text: str, *, media_url: MediaResolver | None = None) -> str:
    """Markdown source to sanitised HTML. media_url maps a media-library key to a public URL
    (None when the key is unknown or not public)."""
    if media_url is None:
        return _render_plain(text or "")
    return _render(text or "", media_url)


# Without a media resolver the HTML depends on the text alone: lists that show many texts (the
# solutions API renders fifty descriptions a page) parse each once per process, not per request.
@lru_cache(maxsize=1024)
def _render_plain(text: str) -> str:
    return _render(text, None)


def _render(text: str, media_url: MediaResolver | None) -> str:
    md = parser()
    tokens = md.parse(text)
    _rewrite_block(tokens, media_url)
    html = md.renderer.render(tokens, md.options, {})
    return _CLEANER.clean(html)


_BLOCK_TAGS = frozenset(ALLOWED_TAGS - {"a", "img", "code", "em", "strong"})
_SPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str) -> str:
    """The rendered text without tags (what a reader sees, images excluded), whitespace
    collapsed: for summaries, feeds and meta descriptions."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(text))
    extractor.close()
    return _SPACE.sub(" ", "".join(extractor.parts)).strip()
