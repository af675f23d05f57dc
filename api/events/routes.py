"""JSON API of events. The pages under /events, /platform/events and /console/events call the
same service functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from api import clock
from api.dates import fiscal_year
from api.events import materials, service
from api.events.schemas import (
    AnonymisedOut,
    AttendanceIn,
    AttendanceOut,
    CancellationIn,
    EventDetailOut,
    EventIn,
    EventPage,
    MaterialOut,
    MemberRegistrationIn,
    MyRegistrationOut,
    ParticipantOut,
    ParticipantPage,
    RegistrationIn,
    RegistrationOut,
)
from api.events.service import EventFilter
from api.events.validation import EventInput
from api.http.auth import client_address, principal_of
from api.http.params import PageNumber, PerPage, request_principal
from api.media import images
from api.media.routes import received_file
from api.pagination import PageRequest


@dataclass
class MaterialUpload:
    """The multipart form of a material: the file and its display name."""

    file: UploadFile | None = None
    title: str = ""


async def store_material(
    request: Request, event_id: int, upload: object, title: object
) -> materials.MaterialView:
    """Shared by the API and the console page: the upload is read from its spooled file."""
    received = await received_file(upload)
    return await materials.add_material(
        request_principal(request), request.app.state.store, event_id, received.filename,
        received.file, title if isinstance(title, str) else "",
    )  # fmt: skip


class EventController(Controller):
    path = "/api/v1/events"
    tags = ["催し"]

    @get(
        "",
        opt={"action": "events.view"},
        summary="催しの一覧（カレンダー）",
        description="when=upcoming（これから、開始の早い順）または past（終了したもの、新しい順）。"
        "kind と month（YYYY-MM）で絞り込み。会員限定の催しは会員と事務局にだけ表示します。",
    )
    async def list_events(
        self,
        request: Request,
        kind: FromQuery[str] = "",
        month: FromQuery[str] = "",
        when: FromQuery[str] = "upcoming",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> EventPage:
        result = await service.list_events(
            principal_of(request.scope),
            EventFilter(kind=kind, month=month, when=when),
            PageRequest.of(page, per_page),
        )
        return EventPage.of(result, clock.now())

    @get(
        "/{event_id:int}",
        opt={"action": "events.view"},
        summary="催しの詳細",
        description="online_url はオンラインで参加登録した本人に、開始1時間前から終了まで返します。",
    )
    async def get_event(self, request: Request, event_id: FromPath[int]) -> EventDetailOut:
        principal = principal_of(request.scope)
        view = await service.get_event(principal, event_id)
        now = clock.now()
        own = await service.own_registration(principal, event_id)
        return EventDetailOut.of(view, now, service.online_url_for(view, own, now))

    @post(
        "/{event_id:int}/registrations",
        opt={"action": "events.register"},
        summary="参加申込（公開イベント。どなたでも）",
        description="定員に達している参加方法では status が waiting（キャンセル待ち）になります。"
        "同じメールアドレスでの二重申込は422。受付期間外は409、会員限定の催しは403。",
    )
    async def register(
        self, request: Request, event_id: FromPath[int], data: JSONBody[RegistrationIn]
    ) -> RegistrationOut:
        result = await service.register(
            request.app.state.settings,
            principal_of(request.scope),
            event_id,
            data.values(),
            client_address(request.scope),
        )
        return RegistrationOut.of_result(result)

    @post(
        "/{event_id:int}/member-registrations",
        opt={"action": "events.register_member"},
        summary="会員の参加申込（アカウントの情報で1回で申し込み）",
        description="会員管理者は account_id で同じ団体の同僚を登録できます。",
    )
    async def register_member(
        self, request: Request, event_id: FromPath[int], data: JSONBody[MemberRegistrationIn]
    ) -> RegistrationOut:
        result = await service.register_member(
            request.app.state.settings, request_principal(request), event_id,
            data.mode, data.accessibility_needs, data.account_id,
        )  # fmt: skip
        return RegistrationOut.of_result(result)

    # --- the secretariat ----------------------------------------------------------------------

    @get(
        "/managed",
        opt={"action": "events.manage"},
        summary="すべての催し（事務局。下書きを含む、開始の新しい順）",
        description="state=draft, published, cancelled で絞り込み。",
    )
    async def list_managed(
        self,
        request: Request,
        event_state: Annotated[str, QueryParameter(name="state", max_length=20)] = "",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> EventPage:
        result = await service.list_events_for_staff(
            request_principal(request), event_state, PageRequest.of(page, per_page)
        )
        return EventPage.of(result, clock.now())

    @get(
        "/managed/{event_id:int}",
        opt={"action": "events.manage"},
        summary="催しの詳細（事務局。オンラインURLを含む）",
    )
    async def get_managed(self, request: Request, event_id: FromPath[int]) -> EventDetailOut:
        view = await service.get_event_for_staff(request_principal(request), event_id)
        return EventDetailOut.of(view, clock.now(), view.online_url)

    @post("", opt={"action": "events.manage"}, summary="催しの作成（下書き）")
    async def create(self, request: Request, data: JSONBody[EventIn]) -> EventDetailOut:
        view = await service.create_event(
            request_principal(request), EventInput.from_mapping(data.values())
        )
        return EventDetailOut.of(view, clock.now(), view.online_url)

    @put(
        "/{event_id:int}",
        opt={"action": "events.manage"},
        summary="催しの変更（すべての項目を置き換え）",
        description="定員を登録済みの人数より少なくはできません（422）。定員を増やすとキャンセル待ちの方を繰り上げます。",
    )
    async def replace(
        self, request: Request, event_id: FromPath[int], data: JSONBody[EventIn]
    ) -> EventDetailOut:
        view = await service.update_event(
            request.app.state.settings, request_principal(request), event_id,
            EventInput.from_mapping(data.values()),
        )  # fmt: skip
        return EventDetailOut.of(view, clock.now(), view.online_url)

    @post(
        "/{event_id:int}/publication",
        opt={"action": "events.manage"},
        status_code=200,
        summary="催しの公開",
    )
    async def publish(self, request: Request, event_id: FromPath[int]) -> EventDetailOut:
        view = await service.publish_event(request_principal(request), event_id)
        return EventDetailOut.of(view, clock.now(), view.online_url)

    @post(
        "/{event_id:int}/cancellation",
        opt={"action": "events.manage"},
        status_code=200,
        summary="催しの中止（申込者全員にメール）",
    )
    async def cancel(
        self, request: Request, event_id: FromPath[int], data: JSONBody[CancellationIn]
    ) -> EventDetailOut:
        view = await service.cancel_event(
            request.app.state.settings, request_principal(request), event_id, data.reason
        )
        return EventDetailOut.of(view, clock.now(), view.online_url)

    @get(
        "/{event_id:int}/participants",
        opt={"action": "events.participants"},
        summary="参加者一覧（事務局）",
        description="q で氏名・フリガナ・所属・メールアドレスを検索。status=registered, waiting, cancelled。",
    )
    async def participants(
        self,
        request: Request,
        event_id: FromPath[int],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> ParticipantPage:
        _, result = await service.list_participants(
            request_principal(request), event_id, q, status, PageRequest.of(page, per_page)
        )
        return ParticipantPage.of(result)

    @put(
        "/{event_id:int}/participants/{registration_id:int}/attendance",
        opt={"action": "events.manage"},
        summary="当日の受付（出席の記録・取り消し）",
    )
    async def check_in(
        self,
        request: Request,
        event_id: FromPath[int],
        registration_id: FromPath[int],
        data: JSONBody[AttendanceIn],
    ) -> ParticipantOut:
        view = await service.check_in(
            request_principal(request), event_id, registration_id, data.attended
        )
        return ParticipantOut.of(view)

    @get("/{event_id:int}/materials", opt={"action": "events.view"}, summary="催しの資料")
    async def list_materials(self, request: Request, event_id: FromPath[int]) -> list[MaterialOut]:
        await service.get_event(principal_of(request.scope), event_id)
        return [MaterialOut.of(view) for view in await materials.materials_of(event_id)]

    @post(
        "/{event_id:int}/materials",
        opt={"action": "events.manage"},
        request_max_body_size=images.UPLOAD_BODY_LIMIT,
        summary="資料の追加（事務局）",
        description="multipart/form-data: file（PDF、Word・Excel・PowerPoint。内容で確認、10MBまで）、"
        "title（表示名。空なら元のファイル名）。1つの催しに10件まで。",
    )
    async def add_material(
        self,
        request: Request,
        event_id: FromPath[int],
        data: Annotated[MaterialUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> MaterialOut:
        return MaterialOut.of(await store_material(request, event_id, data.file, data.title))

    @delete(
        "/{event_id:int}/materials/{material_id:int}",
        opt={"action": "events.manage"},
        status_code=204,
        summary="資料の削除（事務局）",
    )
    async def delete_material(
        self, request: Request, event_id: FromPath[int], material_id: FromPath[int]
    ) -> None:
        await materials.delete_material(
            request_principal(request), request.app.state.store, event_id, material_id
        )

    @post(
        "/{event_id:int}/anonymisation",
        opt={"action": "events.manage"},
        status_code=200,
        summary="終了した催しの申込者の個人情報の匿名化（人数は残ります）",
    )
    async def anonymise(self, request: Request, event_id: FromPath[int]) -> AnonymisedOut:
        count = await service.anonymise_event(request_principal(request), event_id)
        return AnonymisedOut(registrations=count)


class EventRegistrationController(Controller):
    path = "/api/v1/event-registrations"
    tags = ["催し"]

    @get("", opt={"action": "events.register_member"}, summary="自分（と同僚）のこれからの参加申込")
    async def mine(self, request: Request) -> list[MyRegistrationOut]:
        now = clock.now()
        found = await service.my_registrations(request_principal(request))
        return [MyRegistrationOut.of(item, now) for item in found]

    @delete(
        "/{registration_id:int}",
        opt={"action": "events.register_member"},
        status_code=200,
        summary="参加申込のキャンセル（キャンセル待ちの方を繰り上げます）",
    )
    async def cancel(self, request: Request, registration_id: FromPath[int]) -> RegistrationOut:
        view = await service.cancel_registration(
            request.app.state.settings, request_principal(request), registration_id
        )
        return RegistrationOut.of(view)


class AttendanceController(Controller):
    path = "/api/v1/event-attendance"
    tags = ["催し"]

    @get(
        "",
        opt={"action": "events.attendance"},
        summary="年度の催しごとの参加状況（申込・出席、会員とそれ以外）",
    )
    async def attendance(
        self, request: Request, year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None
    ) -> list[AttendanceOut]:
        rows = await service.attendance(
            request_principal(request), year or fiscal_year(clock.now())
        )
        return [AttendanceOut.of(row) for row in rows]


ROUTES = [EventController, EventRegistrationController, AttendanceController]
