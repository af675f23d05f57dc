"""JSON API of the recordings archive: resumable uploads in parts, describing and publishing
(the secretariat), and the archive for members. The video itself streams from a page route
(/recordings/{id}/video.mp4 or .webm) with range requests, or from a presigned URL on S3."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from api.http.params import PageNumber, PerPage, request_principal
from api.media import images
from api.media.routes import received_file
from api.pagination import PageRequest
from api.recordings import service
from api.recordings.reference import PART_SIZE
from api.recordings.schemas import (
    ProgressOut,
    RecordingDetailOut,
    RecordingIn,
    RecordingOut,
    RecordingPage,
    UploadIn,
)
from api.recordings.service import ArchiveFilter, RecordingInput, RecordingView

MANAGE = {"action": "recordings.manage"}


@dataclass
class PosterUpload:
    """The multipart form of a poster: the image file."""

    file: UploadFile | None = None


async def received_part(request: Request) -> bytearray:
    """A part's bytes gathered into one buffer as they arrive: Request.body() keeps the list of
    chunks and their join, holding each 8 MiB part twice (the size limit is the route's). With
    a Content-Length the buffer is allocated once at its size, not grown chunk by chunk."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= PART_SIZE:
        buffer, filled = bytearray(int(declared)), 0
        async for chunk in request.stream():
            if filled + len(chunk) > len(buffer):  # more than declared: the server stops it
                break
            buffer[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
        del buffer[filled:]  # a body shorter than declared: what arrived
        return buffer
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
    return data


async def store_poster(request: Request, recording_id: int, upload: object) -> RecordingView:
    """Shared by the API and the console page: the upload is read from its spooled file."""
    received = await received_file(upload)
    return await service.set_poster(
        request_principal(request), request.app.state.store, recording_id, received.filename,
        received.file,
    )  # fmt: skip


class RecordingController(Controller):
    path = "/api/v1/recordings"
    tags = ["録画"]

    @get(
        "",
        opt={"action": "recordings.view"},
        summary="録画アーカイブ（会員：公開中のもの、事務局：すべて）",
        description="event_id、year（年度）、theme_id（テーマ）、q（題名・登壇者）で絞り込み。"
        "催しの新しい順。",
    )
    async def list_recordings(
        self,
        request: Request,
        event_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        theme_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        q: FromQuery[str] = "",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> RecordingPage:
        result = await service.list_recordings(
            request_principal(request), ArchiveFilter(event_id=event_id, fiscal_year=year, theme_id=theme_id, q=q),
            PageRequest.of(page, per_page),
        )  # fmt: skip
        return RecordingPage.of(result)

    @get(
        "/{recording_id:int}",
        opt={"action": "recordings.view"},
        summary="録画（字幕・文字起こし・見出しつき）。今月の視聴数に1を加えます",
    )
    async def get_recording(
        self, request: Request, recording_id: FromPath[int]
    ) -> RecordingDetailOut:
        view = await service.recording_to_watch(request_principal(request), recording_id)
        await service.count_view(view.id)
        return RecordingDetailOut.detail(view)

    @post(
        "/uploads",
        opt=MANAGE,
        summary="アップロードの開始（事務局）",
        description="MP4またはWebM、8GBまで。返された録画の部分を part_size ごとに "
        "PUT /api/v1/recordings/{id}/upload/parts/{番号} で送り、completion で完了します。"
        "中断したら GET /api/v1/recordings/{id}/upload の next_part から再開します。",
    )
    async def begin(self, request: Request, data: JSONBody[UploadIn]) -> ProgressOut:
        principal = request_principal(request)
        store = request.app.state.store
        view = await service.begin_upload(
            principal, store, data.event_id, data.title, data.file_name, data.size
        )
        return ProgressOut.of(await service.upload_progress(principal, store, view.id))

    @get("/{recording_id:int}/upload", opt=MANAGE, summary="アップロードの進み具合（再開の位置）")
    async def progress(self, request: Request, recording_id: FromPath[int]) -> ProgressOut:
        progress = await service.upload_progress(
            request_principal(request), request.app.state.store, recording_id
        )
        return ProgressOut.of(progress)

    @put(
        "/{recording_id:int}/upload/parts/{part_number:int}",
        opt=MANAGE,
        request_max_body_size=PART_SIZE + 1024,
        summary="部分の送信（本文はファイルのその部分のバイト列そのもの）",
        description="1番目の部分で中身がMP4またはWebMか確かめます。同じ番号を送り直すと置き換えます。",
    )
    async def upload_part(
        self, request: Request, recording_id: FromPath[int], part_number: FromPath[int]
    ) -> ProgressOut:
        data = await received_part(request)
        progress = await service.upload_part(
            request_principal(request), request.app.state.store, recording_id, part_number, data
        )
        return ProgressOut.of(progress)

    @post(
        "/{recording_id:int}/upload/completion",
        opt=MANAGE,
        status_code=200,
        summary="アップロードの完了（すべての部分を受け取った後）",
    )
    async def complete(self, request: Request, recording_id: FromPath[int]) -> RecordingOut:
        view = await service.complete_upload(
            request_principal(request), request.app.state.store, recording_id
        )
        return RecordingOut.of(view)

    @delete("/{recording_id:int}/upload", opt=MANAGE, status_code=204, summary="アップロードの中止")
    async def abort(self, request: Request, recording_id: FromPath[int]) -> None:
        await service.abort_upload(
            request_principal(request), request.app.state.store, recording_id
        )

    @put(
        "/{recording_id:int}",
        opt=MANAGE,
        summary="題名・登壇者・説明・見出し・字幕・文字起こし・免除の理由（すべて置き換え）",
    )
    async def describe(
        self, request: Request, recording_id: FromPath[int], data: JSONBody[RecordingIn]
    ) -> RecordingOut:
        view = await service.update_recording(
            request_principal(request), recording_id, RecordingInput.from_mapping(data.values())
        )
        return RecordingOut.of(view)

    @post(
        "/{recording_id:int}/publication",
        opt=MANAGE,
        status_code=200,
        summary="会員への公開（字幕と文字起こし、または免除の理由が必要）",
    )
    async def publish(self, request: Request, recording_id: FromPath[int]) -> RecordingOut:
        return RecordingOut.of(await service.publish(request_principal(request), recording_id))

    @put(
        "/{recording_id:int}/poster",
        opt=MANAGE,
        request_max_body_size=images.UPLOAD_BODY_LIMIT,
        summary="ポスター画像の登録・差し替え（事務局）",
        description="multipart/form-data: file（JPEG・PNG・WebP。内容で確認、10MBまで）。"
        "メタデータを除き、幅1280px以下のWebPにして保存します。",
    )
    async def set_poster(
        self,
        request: Request,
        recording_id: FromPath[int],
        data: Annotated[PosterUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> RecordingOut:
        return RecordingOut.of(await store_poster(request, recording_id, data.file))

    @delete("/{recording_id:int}/poster", opt=MANAGE, status_code=204, summary="ポスター画像の削除")
    async def remove_poster(self, request: Request, recording_id: FromPath[int]) -> None:
        await service.remove_poster(
            request_principal(request), request.app.state.store, recording_id
        )

    @delete(
        "/{recording_id:int}", opt=MANAGE, status_code=204, summary="録画の削除（動画も消えます）"
    )
    async def delete_recording(self, request: Request, recording_id: FromPath[int]) -> None:
        await service.delete_recording(
            request_principal(request), request.app.state.store, recording_id
        )


ROUTES = [RecordingController]
