"""The media library pages (/console/media) and the public file routes (/media/...).

Uploads through the form share the API's checks (api.media.routes.store_upload). The public
routes stream from the object store with a long cache lifetime: stored keys never change.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Stream, Template

from api.errors import NotFound, ValidationFailed
from api.http.headers import NO_STORE
from api.media import images, service
from api.media import routes as media_api
from api.pagination import PageRequest
from storage import ObjectNotFound
from web.forms import delete_problems, form_values
from web.rendering import page, signed_in_principal

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
PER_PAGE = 24
# A stored object never changes under its key; an edit of the text does not touch the bytes.
RENDITION_CACHE = "public, max-age=31536000"
FILE_CACHE = "public, max-age=86400"
UPLOAD_LABELS = {"file": "ファイル", "title": "タイトル", "alt_text": "代替テキスト"}
EDIT_LABELS = {"title": "タイトル", "alt_text": "代替テキスト"}
DELETE_LABELS = {"confirm": "削除の確認"}
NOTICES = {
    "uploaded": "アップロードしました。",
    "saved": "変更を保存しました。",
    "deleted": "削除しました。",
}
ACCEPT = (
    "image/jpeg,image/png,image/webp,image/gif,application/pdf,.docx,.xlsx,.pptx,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)


def _helpers() -> dict[str, object]:
    return {
        "media_srcset": service.srcset,
        "media_src": service.default_src,
        "document_link_text": service.document_link_text,
    }


# --- the library -------------------------------------------------------------------------------


async def _library_page(
    request: Request, kind: str, page_number: int, status_code: int = 200, **context: object
) -> Template:
    kind = service.parse_kind(kind)
    result = await service.list_media(kind, PageRequest.of(page_number, PER_PAGE))
    context.setdefault("values", {})
    return page(
        request, "console/media.html", status_code=status_code, headers=NO_STORE,
        result=result, kind=kind, params={"kind": kind} if kind else {},
        kinds=service.KINDS, labels=UPLOAD_LABELS, accept=ACCEPT,
        max_megabytes=images.MAX_UPLOAD_BYTES // (1024 * 1024),
        done_message=NOTICES.get(str(request.query_params.get("done", ""))), **_helpers(), **context,
    )  # fmt: skip


@get("/console/media", opt={"action": "media.view"}, include_in_schema=False)
async def library(
    request: Request, kind: FromQuery[str] = "", page_number: PageNumber = 1
) -> Template:
    return await _library_page(request, kind, page_number)


@post(
    "/console/media",
    opt={"action": "media.manage"},
    include_in_schema=False,
    request_max_body_size=images.UPLOAD_BODY_LIMIT,
)
async def upload(request: Request) -> Response | Template:
    form = await request.form()
    title = form.get("title")
    alt_text = form.get("alt_text")
    values = {
        "title": title if isinstance(title, str) else "",
        "alt_text": alt_text if isinstance(alt_text, str) else "",
    }
    try:
        view = await media_api.store_upload(
            request, form.get("file"), values["title"], values["alt_text"]
        )
    except ValidationFailed as exc:
        return await _library_page(request, "", 1, 422, errors=exc.errors, values=values)
    return Redirect(f"/console/media/{view.id}?done=uploaded", status_code=303)


# --- one item ----------------------------------------------------------------------------------


async def _edit_page(
    request: Request, media_id: int, status_code: int = 200, **context: object
) -> Template:
    item = await service.get_media(media_id)
    context.setdefault("values", {"title": item.title, "alt_text": item.alt_text})
    return page(
        request, "console/media_edit.html", status_code=status_code, headers=NO_STORE,
        item=item, labels=EDIT_LABELS, delete_labels=DELETE_LABELS,
        done_message=NOTICES.get(str(request.query_params.get("done", ""))), **_helpers(), **context,
    )  # fmt: skip


@get("/console/media/{media_id:int}", opt={"action": "media.view"}, include_in_schema=False)
async def edit(request: Request, media_id: FromPath[int]) -> Template:
    return await _edit_page(request, media_id)


@post("/console/media/{media_id:int}", opt={"action": "media.manage"}, include_in_schema=False)
async def save(request: Request, media_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await service.update_media(
            signed_in_principal(request), media_id,
            title=values.get("title", ""), alt_text=values.get("alt_text", ""),
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _edit_page(request, media_id, 422, errors=exc.errors, values=values)
    return Redirect(f"/console/media/{media_id}?done=saved", status_code=303)


@post(
    "/console/media/{media_id:int}/delete",
    opt={"action": "media.manage"},
    include_in_schema=False,
)
async def remove(request: Request, media_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    if errors := delete_problems(values):
        return await _edit_page(request, media_id, 422, delete_errors=errors)
    await service.delete_media(signed_in_principal(request), request.app.state.store, media_id)
    return Redirect("/console/media?done=deleted", status_code=303)


# --- public files ------------------------------------------------------------------------------


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    return etag in [part.strip().removeprefix("W/") for part in header.split(",")]


async def stream_object(
    request: Request, key: str, content_type: str, size: int, headers: dict[str, str]
) -> Response | Stream:
    """A stored object streamed with an ETag from its generated key (304 when the browser has
    it); the media library and the solutions' files both serve through it."""
    etag = '"' + key.rsplit("/", 1)[-1].split(".")[0] + '"'
    headers = {**headers, "ETag": etag}
    if _not_modified(request, etag):
        return Response(b"", status_code=304, headers=headers)
    store = request.app.state.store
    try:
        await store.stat(key)
    except ObjectNotFound:
        raise NotFound("お探しのファイルは見つかりませんでした。") from None
    return Stream(
        store.open(key), media_type=content_type,
        headers={**headers, "Content-Length": str(size)},
    )  # fmt: skip


@get("/media/{media_id:int}/{width:int}", opt={"action": "media.file"}, include_in_schema=False)
async def rendition(
    request: Request, media_id: FromPath[int], width: FromPath[int]
) -> Response | Stream:
    item = await service.get_media(media_id)
    found = item.rendition(width)
    if found is None:
        raise NotFound("この幅の画像はありません。")
    return await stream_object(
        request, found.key, found.content_type, found.size, {"Cache-Control": RENDITION_CACHE}
    )


def content_disposition(item: service.MediaView) -> str:
    """The original Japanese name (RFC 5987 filename*) with an ASCII fallback (RFC 6266)."""
    disposition = (
        "inline" if item.is_image or item.content_type == "application/pdf" else "attachment"
    )
    extension = item.storage_key.rsplit(".", 1)[-1]
    fallback = f"media-{item.id}.{extension}"
    return (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(item.file_name, safe='')}"
    )


@get("/media/{media_id:int}/file", opt={"action": "media.file"}, include_in_schema=False)
async def original(request: Request, media_id: FromPath[int]) -> Response | Stream:
    item = await service.get_media(media_id)
    return await stream_object(
        request, item.storage_key, item.content_type, item.size,
        {"Cache-Control": FILE_CACHE, "Content-Disposition": content_disposition(item)},
    )  # fmt: skip


ROUTES = [library, upload, edit, save, remove, rendition, original]
