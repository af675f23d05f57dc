"""The recordings for members: the archive list, the player page (captions track, chapters that
seek, the transcript beside), the video with range requests (seeking) from the local store or a
redirect to a short-lived presigned URL on S3, and the captions as WebVTT.

Thin: who may watch what is api.recordings.service.recording_to_watch, as for the JSON API.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from api import clock
from api.dates import fiscal_year, format_fiscal_year
from api.errors import NotFound
from api.http.params import PageNumber
from api.http.ranges import RangeNotSatisfiable, requested_range
from api.pagination import PageRequest
from api.recordings import service
from api.recordings.service import ArchiveFilter
from web.rendering import page, signed_in_principal

VIEW = {"action": "recordings.view"}
NO_STORE = {"Cache-Control": "no-store"}
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


@get("/platform/recordings", opt=VIEW, include_in_schema=False)
async def archive(
    request: Request,
    q: FromQuery[str] = "",
    year: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    chosen = int(year) if year.isdigit() and len(year) == 4 else None
    result = await service.list_recordings(
        signed_in_principal(request), ArchiveFilter(fiscal_year=chosen, q=q),
        PageRequest.of(page_number, 20),
    )  # fmt: skip
    this = fiscal_year(clock.now())
    years = [("", "すべての年度")] + [
        (str(y), f"{y}年度（{format_fiscal_year(y)}）") for y in range(this, this - 5, -1)
    ]
    params = {k: v for k, v in (("q", q[:60]), ("year", str(chosen or ""))) if v}
    return page(
        request, "recordings/archive.html", headers=NO_STORE, result=result, q=q[:60],
        year=str(chosen or ""), years=years, params=params,
    )  # fmt: skip


@get("/platform/recordings/{recording_id:int}", opt=VIEW, include_in_schema=False)
async def player(request: Request, recording_id: FromPath[int]) -> Template:
    view = await service.recording_to_watch(signed_in_principal(request), recording_id)
    await service.count_view(view.id)
    return page(request, "recordings/player.html", headers=NO_STORE, recording=view)


ROUTES = [archive, player, video, captions]
