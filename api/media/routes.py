"""JSON API of the media library: list, detail, upload (multipart), edit and delete.

Reading needs media.view (scope media:read), changes media.manage (media:write). The files
themselves are served publicly by web.controllers.media under /media/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from api.errors import ValidationFailed
from api.http.auth import signed_in_principal as principal
from api.http.conditional import cached_json, remember_generation
from api.media import images, service
from api.media.schemas import MediaOut, MediaPage, MediaUpdate, PublicMediaOut, PublicMediaPage
from api.pagination import PageRequest


@dataclass
class MediaUpload:
    """The multipart form of an upload."""

    file: UploadFile | None = None
    title: str = ""
    alt_text: str = ""


async def received_file(upload: object) -> UploadFile:
    """A file field of a multipart form, rewound to its start; "choose a file" when it is
    missing or empty. Every upload route (media, solutions, event materials) reads it so."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed({"file": images.MESSAGES["empty"]})
    await upload.seek(0)
    return upload


async def store_upload(
    request: Request, upload: object, title: str, alt_text: str
) -> service.MediaView:
    """Shared by the API and the console form: the upload is read from its spooled file."""
    received = await received_file(upload)
    return await service.upload(
        principal(request), request.app.state.store, received.filename, received.file,
        title=title, alt_text=alt_text,
    )  # fmt: skip


class PublicMediaController(Controller):
    """Metadata of the library for other sites (the files are public under /media/ anyway)."""

    path = "/api/v1/public-media"
    tags = ["公開コンテンツ"]
    before_request = remember_generation

    @get(
        "",
        opt={"action": "content.read"},
        summary="メディアの一覧（公開情報）",
        description="新しい順。kind（image / document）で絞り込めます。ETag と 304 に対応します。"
        "元のファイル名とアップロードした人は含みません。",
    )
    async def list_media(
        self,
        request: Request,
        kind: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Response[PublicMediaPage]:
        result = await service.list_media(kind, PageRequest.of(page, per_page))
        payload = PublicMediaPage(
            items=[PublicMediaOut.of(view) for view in result.items],
            total=result.total, page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip
        return await cached_json(request, payload)

    @get("/{media_id:int}", opt={"action": "content.read"}, summary="メディアの詳細（公開情報）")
    async def get_media(
        self, request: Request, media_id: FromPath[int]
    ) -> Response[PublicMediaOut]:
        return await cached_json(request, PublicMediaOut.of(await service.get_media(media_id)))


class MediaController(Controller):
    path = "/api/v1/media"
    tags = ["メディアライブラリ"]

    @get(
        "",
        opt={"action": "media.view"},
        summary="メディアの一覧",
        description="新しい順。kind（image＝画像、document＝文書）で絞り込めます。",
    )
    async def list_media(
        self,
        kind: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> MediaPage:
        result = await service.list_media(kind, PageRequest.of(page, per_page))
        return MediaPage(
            items=[MediaOut.of(view) for view in result.items],
            total=result.total, page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip

    @get("/{media_id:int}", opt={"action": "media.view"}, summary="メディアの詳細")
    async def get_media(self, media_id: FromPath[int]) -> MediaOut:
        return MediaOut.of(await service.get_media(media_id))

    @post(
        "",
        opt={"action": "media.manage"},
        summary="メディアのアップロード",
        description=(
            "multipart の file に画像（JPEG・PNG・WebP・GIF）、PDF、Word・Excel・PowerPoint"
            "（.docx・.xlsx・.pptx）を送ります（上限10MB）。形式はファイル名ではなく内容で判定し、"
            "実行ファイルなどは422で拒否します。画像は位置情報などのメタデータを取り除いて保存し、"
            "幅320・640・1280pxのWebP版を作ります。title（タイトル）と alt_text（代替テキストの"
            "候補）も送れます。"
        ),
        request_max_body_size=images.UPLOAD_BODY_LIMIT,
        status_code=201,
    )
    async def upload_media(
        self,
        request: Request,
        data: Annotated[MediaUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> MediaOut:
        view = await store_upload(request, data.file, data.title or "", data.alt_text or "")
        return MediaOut.of(view)

    @patch(
        "/{media_id:int}",
        opt={"action": "media.manage"},
        summary="タイトル・代替テキストの変更",
        description="送った項目だけを変更します。",
    )
    async def update_media(
        self, request: Request, media_id: FromPath[int], data: JSONBody[MediaUpdate]
    ) -> MediaOut:
        view = await service.update_media(
            principal(request), media_id, title=data.title, alt_text=data.alt_text
        )
        return MediaOut.of(view)

    @delete(
        "/{media_id:int}",
        opt={"action": "media.manage"},
        summary="メディアの削除",
        description="保存しているファイル（縮小版を含む）も削除します。",
    )
    async def delete_media(self, request: Request, media_id: FromPath[int]) -> None:
        await service.delete_media(principal(request), request.app.state.store, media_id)


ROUTES: list = [PublicMediaController, MediaController]
