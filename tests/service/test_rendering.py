"""render_body: an article body with the media library's images and documents resolved."""

from __future__ import annotations

import io

from api.articles.rendering import media_ids_in, render_body
from api.media import service as media
from api.principal import Principal
from storage.local import LocalObjectStore
from tests.service.test_media import editor, jpeg_with_gps, pdf_bytes, store  # noqa: F401


async def test_images_get_renditions_and_documents_their_type_and_size(
    editor: Principal,  # noqa: F811
    store: LocalObjectStore,  # noqa: F811
) -> None:
    photo = await media.upload(
        editor, store, "工場.jpg", io.BytesIO(jpeg_with_gps()), alt_text="工場の外観"
    )
    brochure = await media.upload(
        editor, store, "会員規約.pdf", io.BytesIO(pdf_bytes(3000)), title="会員規約"
    )
    body = f"![ライン全景](media:{photo.id})\n\n[会員規約]( media:{brochure.id} )を読む"

    html = await render_body(body)

    assert f'src="/media/{photo.id}/1280"' in html
    assert f"/media/{photo.id}/320 320w" in html and 'sizes="' in html
    assert 'alt="ライン全景"' in html  # the author's alternative text, not the library's
    assert f'<a href="/media/{brochure.id}/file">会員規約（PDF、3KB）</a>を読む' in html


async def test_unknown_or_hostile_media_references_keep_only_their_text(
    editor: Principal,  # noqa: F811
) -> None:
    html = await render_body(
        "![消えた画像](media:999999)\n\n[資料](media:99999999999999999999999) と "
        "![外部](https://evil.example/x.png)"
    )
    assert "<img" not in html and "<a" not in html
    assert "消えた画像" in html and "資料" in html and "外部" in html


def test_media_ids_are_found_in_images_and_links_once_each() -> None:
    body = "![a](media:3) [b](media:7) ![c](media:3) [d](https://example.jp) ![e](media:x)"
    assert media_ids_in(body) == [3, 7]
