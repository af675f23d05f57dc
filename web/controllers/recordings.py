"""The recordings' media for members: the video with range requests (seeking) from the local
store, or a redirect to a short-lived presigned URL on S3, and the captions as WebVTT.

Thin: who may watch what is api.recordings.service.recording_to_watch, as for the JSON API.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect, Stream

from api.errors import NotFound
from api.http.ranges import RangeNotSatisfiable, requested_range
from api.recordings import service
from web.rendering import signed_in_principal

VIEW = {"action": "recordings.view"}
PRESIGNED_SECONDS = 300  # a member's link to the video works for five minutes


@get("/recordings/{recording_id:int}/video", opt=VIEW, include_in_schema=False)
async def video(request: Request, recording_id: FromPath[int]) -> Response[Any] | Stream | Redirect:
    view = await service.recording_to_watch(signed_in_principal(request), recording_id)
    store = request.app.state.store
    presigned = await store.presigned_url(view.storage_key, PRESIGNED_SECONDS)
    if presigned is not None:
        return Redirect(presigned, status_code=302, headers={"Cache-Control": "private, no-store"})
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, no-cache"}
    try:
        wanted = requested_range(request.headers.get("range"), view.size)
    except RangeNotSatisfiable as exc:
        return Response(
            b"", status_code=416, headers={**headers, "Content-Range": f"bytes */{exc.size}"}
        )
    if wanted is None:
        return Stream(
            store.open(view.storage_key), media_type=view.content_type,
            headers={**headers, "Content-Length": str(view.size)},
        )  # fmt: skip
    first, last = wanted
    return Stream(
        store.open(view.storage_key, offset=first, length=last - first + 1),
        status_code=206, media_type=view.content_type,
        headers={**headers, "Content-Range": f"bytes {first}-{last}/{view.size}",
                 "Content-Length": str(last - first + 1)},
    )  # fmt: skip


@get("/recordings/{recording_id:int}/captions.vtt", opt=VIEW, include_in_schema=False)
async def captions(request: Request, recording_id: FromPath[int]) -> Response[str]:
    view = await service.recording_to_watch(signed_in_principal(request), recording_id)
    if not view.captions:
        raise NotFound("この録画には字幕がありません。")
    return Response(
        view.captions, media_type="text/vtt; charset=utf-8",
        headers={"Cache-Control": "private, no-cache"},
    )  # fmt: skip


ROUTES = [video, captions]
