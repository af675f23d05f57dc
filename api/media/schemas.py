"""JSON shapes of the media library API."""

from __future__ import annotations

from datetime import datetime

import msgspec

from api.media.service import MediaView, document_link_text, srcset


class RenditionOut(msgspec.Struct):
    width: int
    height: int
    url: str
    content_type: str
    size: int


class MediaOut(msgspec.Struct):
    id: int
    kind: str
    kind_label: str
    file_name: str
    content_type: str
    type_label: str
    size: int
    width: int | None
    height: int | None
    alt_text: str
    title: str
    url: str
    srcset: str
    link_text: str
    renditions: list[RenditionOut]
    uploaded_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: MediaView) -> MediaOut:
        return cls(
            id=view.id, kind=view.kind, kind_label=view.kind_label, file_name=view.file_name,
            content_type=view.content_type, type_label=view.type_label, size=view.size,
            width=view.width, height=view.height, alt_text=view.alt_text, title=view.title,
            url=view.file_url, srcset=srcset(view), link_text=document_link_text(view),
            renditions=[
                RenditionOut(r.width, r.height, f"/media/{view.id}/{r.width}", r.content_type,
                             r.size)
                for r in view.renditions
            ],
            uploaded_by=view.uploaded_by_name, created_at=view.created_at,
            updated_at=view.updated_at,
        )  # fmt: skip


class PublicMediaOut(msgspec.Struct):
    """What anonymous clients see of an item: no original file name, no uploader."""

    id: int
    kind: str
    title: str
    alt_text: str
    content_type: str
    type_label: str
    size: int
    width: int | None
    height: int | None
    url: str
    srcset: str
    link_text: str
    renditions: list[RenditionOut]
    updated_at: datetime

    @classmethod
    def of(cls, view: MediaView) -> PublicMediaOut:
        full = MediaOut.of(view)
        return cls(
            id=full.id, kind=full.kind, title=full.title, alt_text=full.alt_text,
            content_type=full.content_type, type_label=full.type_label, size=full.size,
            width=full.width, height=full.height, url=full.url, srcset=full.srcset,
            link_text=document_link_text(view, view.title or view.alt_text or view.type_label),
            renditions=full.renditions, updated_at=full.updated_at,
        )  # fmt: skip


class PublicMediaPage(msgspec.Struct):
    items: list[PublicMediaOut]
    total: int
    page: int
    per_page: int
    pages: int


class MediaPage(msgspec.Struct):
    items: list[MediaOut]
    total: int
    page: int
    per_page: int
    pages: int


class MediaUpdate(msgspec.Struct):
    """Fields to change; the ones left out keep their values."""

    title: str | None = None
    alt_text: str | None = None
