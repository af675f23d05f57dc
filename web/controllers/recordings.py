"""The recordings for members: the archive list, the player page (captions track, chapters that
seek, the transcript beside), the video with range requests (seeking) from the local store or a
redirect to a short-lived presigned URL on S3, the captions as WebVTT and the poster.

Thin: who may watch what is api.recordings.service.recording_to_watch, as for the JSON API.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from api import clock
from api.dates import fiscal_year, format_date, format_fiscal_year
from api.errors import NotFound, ValidationFailed
from api.events import service as events
from api.http.headers import NO_STORE
from api.http.params import PageNumber
from api.http.ranges import RangeNotSatisfiable, requested_range
from api.media import images
from api.pagination import PageRequest
from api.recordings import service
from api.recordings.reference import VIDEO_TYPES
from api.recordings.routes import store_poster
from api.recordings.service import ArchiveFilter
from api.solutions.taxonomy import list_categories
from web.forms import at_file_field, form_values
from web.rendering import page, signed_in_principal

VIEW = {"action": "recordings.view"}
PRESIGNED_SECONDS = 300  # a member's link to the video works for five minutes


# Linked with its type's extension (RecordingView.video_url); the bare path still answers for
# addresses handed out before.
@get(
    [f"/recordings/{{recording_id:int}}/video.{extension}" for extension in VIDEO_TYPES]
    + ["/recordings/{recording_id:int}/video"],
    opt=VIEW,
    include_in_schema=False,
)
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


@get("/recordings/{recording_id:int}/poster", opt=VIEW, include_in_schema=False)
async def poster(request: Request, recording_id: FromPath[int]) -> Stream:
    view = await service.recording_to_watch(signed_in_principal(request), recording_id)
    if not view.poster_key:
        raise NotFound("この録画にはポスター画像がありません。")
    return Stream(
        request.app.state.store.open(view.poster_key), media_type="image/webp",
        headers={"Cache-Control": "private, no-cache"},
    )  # fmt: skip


def _chosen_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 11 else None


@get("/platform/recordings", opt=VIEW, include_in_schema=False)
async def archive(
    request: Request,
    q: FromQuery[str] = "",
    year: FromQuery[str] = "",
    event: FromQuery[str] = "",
    theme: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    principal = signed_in_principal(request)
    chosen = int(year) if year.isdigit() and len(year) == 4 else None
    filters = ArchiveFilter(
        event_id=_chosen_id(event), fiscal_year=chosen, theme_id=_chosen_id(theme), q=q
    )
    result = await service.list_recordings(principal, filters, PageRequest.of(page_number, 20))
    choices = await service.archive_choices(principal)
    this = fiscal_year(clock.now())
    years = [("", "すべての年度")] + [
        (str(y), f"{y}年度（{format_fiscal_year(y)}）") for y in range(this, this - 5, -1)
    ]
    events_options = [("", "すべての催し")] + [
        (str(id_), f"{title}（{format_date(starts_at)}）")
        for id_, title, starts_at in choices.events
    ]
    themes = [("", "すべてのテーマ")] + [(str(id_), name) for id_, name in choices.themes]
    chosen_values = {
        "q": q[:60], "year": str(chosen or ""), "event": str(filters.event_id or ""),
        "theme": str(filters.theme_id or ""),
    }  # fmt: skip
    return page(
        request, "recordings/archive.html", headers=NO_STORE, result=result, years=years,
        events=events_options, themes=themes, chosen=chosen_values,
        params={k: v for k, v in chosen_values.items() if v},
    )  # fmt: skip


@get("/platform/recordings/{recording_id:int}", opt=VIEW, include_in_schema=False)
async def player(request: Request, recording_id: FromPath[int]) -> Template:
    view = await service.recording_to_watch(signed_in_principal(request), recording_id)
    await service.count_view(view.id)
    return page(request, "recordings/player.html", headers=NO_STORE, recording=view)


# --- the secretariat: the list, the editor and the upload page ---------------------------------

MANAGE = {"action": "recordings.manage"}
CONSOLE = "/console/recordings"
EDITOR_LABELS = {
    "title": "題名",
    "speakers": "登壇者",
    "description": "説明",
    "chapters": "見出し",
    "captions": "字幕（WebVTT）",
    "transcript": "文字起こし",
    "exemption_reason": "字幕・文字起こしの免除の理由",
    "theme": "テーマ",
}
DONE = {
    "uploaded": "アップロードが完了しました。字幕と文字起こしを登録して公開してください。",
    "saved": "録画の情報を保存しました。",
    "published": "録画を会員に公開しました。",
    "poster": "ポスター画像を登録しました。",
    "poster_removed": "ポスター画像を削除しました。",
}


@get(CONSOLE, opt=MANAGE, include_in_schema=False)
async def console_list(request: Request, page_number: PageNumber = 1) -> Template:
    result = await service.list_recordings(
        signed_in_principal(request), ArchiveFilter(), PageRequest.of(page_number, 20)
    )
    return page(request, "recordings/console_list.html", headers=NO_STORE, result=result, params={})


@get(f"{CONSOLE}/new", opt=MANAGE, include_in_schema=False)
async def upload_page(request: Request, resume: FromQuery[str] = "") -> Template:
    """The upload page; with ?resume=<id>, the interrupted upload it goes on with."""
    principal = signed_in_principal(request)
    resumed, received = None, 0
    if resume.isdigit() and len(resume) < 11:
        resumed = await service.get_for_staff(principal, int(resume))
        received = (
            await service.upload_progress(principal, request.app.state.store, resumed.id)
        ).bytes_received
    listed = await events.list_events_for_staff(principal, "", PageRequest.of(1, 100))
    choices = [("", "選んでください")] + [
        (str(e.id), f"{e.title}（{format_date(e.starts_at)}）") for e in listed.items
    ]
    return page(
        request, "recordings/upload.html", headers=NO_STORE, events=choices, resume=resumed,
        resume_bytes=received,
    )  # fmt: skip


def _editor_values(view: service.RecordingView) -> dict[str, str]:
    return {
        "title": view.title, "speakers": view.speakers, "description": view.description,
        "chapters": "\n".join(f"{c.label} {c.title}" for c in view.chapters),
        "captions": view.captions, "transcript": view.transcript,
        "exemption_reason": view.exemption_reason, "theme": str(view.theme_id or ""),
    }  # fmt: skip


async def _editor(
    request: Request,
    view: service.RecordingView,
    values: dict[str, str],
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Template:
    themes = [("", "なし")] + [(str(c.id), c.name) for c in await list_categories()]
    if view.theme_id and str(view.theme_id) not in {value for value, _ in themes}:
        themes.append((str(view.theme_id), f"{view.theme_name}（使用終了）"))
    return page(
        request, "recordings/editor.html", status_code=status_code, headers=NO_STORE,
        recording=view, values=values, errors=errors or {}, labels=EDITOR_LABELS,
        message=DONE.get(done, ""), themes=themes,
        max_megabytes=images.MAX_UPLOAD_BYTES // (1024 * 1024),
    )  # fmt: skip


@get(f"{CONSOLE}/{{recording_id:int}}", opt=MANAGE, include_in_schema=False)
async def editor(
    request: Request, recording_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    view = await service.get_for_staff(signed_in_principal(request), recording_id)
    return await _editor(request, view, _editor_values(view), done=done)


@post(f"{CONSOLE}/{{recording_id:int}}", opt=MANAGE, include_in_schema=False)
async def save(request: Request, recording_id: FromPath[int]) -> Response[Any] | Template:
    principal = signed_in_principal(request)
    values = (await form_values(request))[0]
    values.pop("_csrf", None)
    try:
        await service.update_recording(
            principal, recording_id, service.RecordingInput.from_mapping(values)
        )
    except ValidationFailed as exc:
        view = await service.get_for_staff(principal, recording_id)
        return await _editor(request, view, values, status_code=422, errors=exc.errors)
    return Redirect(f"{CONSOLE}/{recording_id}?done=saved", status_code=303)


@post(f"{CONSOLE}/{{recording_id:int}}/publish", opt=MANAGE, include_in_schema=False)
async def publish_page(request: Request, recording_id: FromPath[int]) -> Response[Any] | Template:
    principal = signed_in_principal(request)
    try:
        await service.publish(principal, recording_id)
    except ValidationFailed as exc:
        view = await service.get_for_staff(principal, recording_id)
        return await _editor(
            request, view, _editor_values(view), status_code=422, errors=exc.errors
        )
    return Redirect(f"{CONSOLE}/{recording_id}?done=published", status_code=303)


@post(
    f"{CONSOLE}/{{recording_id:int}}/poster",
    opt=MANAGE,
    include_in_schema=False,
    request_max_body_size=images.UPLOAD_BODY_LIMIT,
)
async def poster_page(request: Request, recording_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    try:
        await store_poster(request, recording_id, form.get("poster_file"))
    except ValidationFailed as exc:
        view = await service.get_for_staff(signed_in_principal(request), recording_id)
        errors = at_file_field(exc.errors, "poster_file")
        return await _editor(request, view, _editor_values(view), status_code=422, errors=errors)
    return Redirect(f"{CONSOLE}/{recording_id}?done=poster", status_code=303)


@post(f"{CONSOLE}/{{recording_id:int}}/poster/delete", opt=MANAGE, include_in_schema=False)
async def poster_delete_page(request: Request, recording_id: FromPath[int]) -> Response[Any]:
    await service.remove_poster(signed_in_principal(request), request.app.state.store, recording_id)
    return Redirect(f"{CONSOLE}/{recording_id}?done=poster_removed", status_code=303)


@post(f"{CONSOLE}/{{recording_id:int}}/delete", opt=MANAGE, include_in_schema=False)
async def delete_page(request: Request, recording_id: FromPath[int]) -> Response[Any]:
    await service.delete_recording(
        signed_in_principal(request), request.app.state.store, recording_id
    )
    return Redirect(CONSOLE, status_code=303)


ROUTES = [
    archive, player, video, captions, poster, console_list, upload_page, editor, save,
    publish_page, poster_page, poster_delete_page, delete_page,
]  # fmt: skip
