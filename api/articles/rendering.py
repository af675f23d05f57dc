"""Article and page bodies as the site shows them: Markdown rendered and sanitised, with the
media library's references resolved (images with their renditions, documents with type and size).

One function serves the public pages, the editor's live preview, the feeds and the JSON API,
so a body looks the same wherever it appears.
"""

from __future__ import annotations

import functools

from api.articles.markdown import MediaLink, media_key, parser, render_markdown
from api.media import service as media

# Body images sit in a text column of at most about 46rem.
BODY_IMAGE_SIZES = "(max-width: 48rem) 100vw, 46rem"


def _media_id(key: str | None) -> int | None:
    """The id a "media:<key>" reference names; None for anything else (or too long to store)."""
    return int(key) if key is not None and key.isdigit() and len(key) <= 18 else None


def media_ids_in(markdown: str) -> list[int]:
    """The media-library ids an article body refers to (images and document links), in order."""
    return list(_media_ids_in(markdown or ""))


@functools.lru_cache(maxsize=512)
def _media_ids_in(markdown: str) -> tuple[int, ...]:
    found: list[int] = []
    for block in parser().parse(markdown or ""):
        for token in block.children or ():
            attribute = "src" if token.type == "image" else "href"
            if token.type not in ("image", "link_open"):
                continue
            media_id = _media_id(media_key(str(token.attrGet(attribute) or "")))
            if media_id is not None:
                found.append(media_id)
    return tuple(dict.fromkeys(found))


def _link(item: media.MediaView) -> MediaLink:
    if item.is_image:
        return MediaLink(
            url=media.default_src(item, preferred=1280) or item.file_url,
            srcset=media.srcset(item),
            sizes=BODY_IMAGE_SIZES,
        )
    # The link text stays the author's; the type and size follow it (会員規約（PDF、245KB）).
    note = media.document_link_text(item, text=" ").strip()
    return MediaLink(url=item.file_url, note=note)


async def render_body(markdown: str) -> str:
    """Sanitised HTML of a body; unknown media references keep only their text (one query)."""
    items = await media.get_media_many(media_ids_in(markdown))
    links = tuple(sorted((media_id, _link(item)) for media_id, item in items.items()))
    return _render(markdown or "", links)


@functools.lru_cache(maxsize=512)
def _render(markdown: str, links: tuple[tuple[int, MediaLink], ...]) -> str:
    # Pure in the body and its resolved media: pages read many times render once per process.
    found = dict(links)

    def resolve(key: str) -> MediaLink | None:
        media_id = _media_id(key)
        return found.get(media_id) if media_id is not None else None

    return render_markdown(markdown, media_url=resolve)
