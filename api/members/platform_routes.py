"""JSON API routes of the member platform: a member's own organisation and colleagues, and the
members-only directory. The same service functions serve the pages under /platform."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.http.params import PageNumber, PerPage, request_principal
from api.members import colleagues, directory
from api.members.platform_schemas import (
    AdminHandover,
    ColleagueInvite,
    ColleagueOut,
    ColleaguePage,
    ColleagueUpdate,
    DirectoryEntryOut,
    DirectoryPage,
    OwnOrganisationOut,
    OwnOrganisationPatch,
)
from api.pagination import PageRequest


class OwnOrganisationController(Controller):
    path = "/api/v1/organisation"
    tags = ["自団体（会員）"]

    @get(
        "",
        opt={"action": "organisation.view"},
        summary="自団体の登録情報",
        description="担当者（個人情報）は会員管理者にだけ返します。所属団体が有効でない場合は403。",
    )
    async def get_own(self, request: Request) -> OwnOrganisationOut:
        principal = request_principal(request)
        view = await colleagues.own_organisation(principal)
        return OwnOrganisationOut.of(view, principal.can("organisation.manage"))

    @patch(
        "",
        opt={"action": "organisation.manage"},
        summary="自団体の登録情報の変更（会員管理者）",
        description="送った項目だけを変更します。法人番号と会員資格の状態は事務局が変更します。",
    )
    async def patch_own(
        self, request: Request, data: JSONBody[OwnOrganisationPatch]
    ) -> OwnOrganisationOut:
        view = await colleagues.patch_own_organisation(
            request_principal(request), data.changes(), data.contact_values()
        )
        return OwnOrganisationOut.of(view, True)

    @get("/users", opt={"action": "organisation.manage"}, summary="自団体のユーザー一覧")
    async def list_users(
        self, request: Request, page: PageNumber = 1, per_page: PerPage = 50
    ) -> ColleaguePage:
        result = await colleagues.list_colleagues(
            request_principal(request), PageRequest.of(page, per_page)
        )
        return ColleaguePage(
            items=[ColleagueOut.of(view) for view in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @post(
        "/users",
        opt={"action": "organisation.manage"},
        summary="同僚の招待（会員ユーザーとして。1回限りの招待メールを送信）",
    )
    async def invite_user(self, request: Request, data: JSONBody[ColleagueInvite]) -> ColleagueOut:
        view = await colleagues.invite_colleague(
            request.app.state.settings, request_principal(request), data.email, data.display_name
        )
        return ColleagueOut.of(view)

    @get("/users/{account_id:int}", opt={"action": "organisation.manage"}, summary="同僚の詳細")
    async def get_user(self, request: Request, account_id: FromPath[int]) -> ColleagueOut:
        return ColleagueOut.of(
            await colleagues.get_colleague(request_principal(request), account_id)
        )

    @patch(
        "/users/{account_id:int}",
        opt={"action": "organisation.manage"},
        summary="同僚の役割の変更・無効化・再有効化",
        description="有効な会員管理者が1人もいなくなる変更は422で拒否します。",
    )
    async def update_user(
        self, request: Request, account_id: FromPath[int], data: JSONBody[ColleagueUpdate]
    ) -> ColleagueOut:
        view = await colleagues.update_colleague(
            request_principal(request), account_id, role=data.role, is_active=data.is_active
        )
        return ColleagueOut.of(view)

    @post(
        "/users/{account_id:int}/handover",
        opt={"action": "organisation.manage"},
        status_code=200,
        summary="会員管理者の引き継ぎ（必要なら自分は会員ユーザーに戻る）",
    )
    async def hand_over(
        self, request: Request, account_id: FromPath[int], data: JSONBody[AdminHandover]
    ) -> ColleagueOut:
        view = await colleagues.hand_over_admin(
            request_principal(request), account_id, step_down=data.step_down
        )
        return ColleagueOut.of(view)


class DirectoryController(Controller):
    path = "/api/v1/directory"
    tags = ["会員名簿"]

    @get(
        "",
        opt={"action": "directory.view"},
        summary="会員名簿（公開プロフィールを選んだ有効な会員団体）",
        description="フリガナ順。municipality は熊本県内の市町村名または「県外」。"
        "担当者・代表者の個人情報は含みません。",
    )
    async def list_entries(
        self,
        request: Request,
        q: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size: FromQuery[str] = "",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> DirectoryPage:
        result = await directory.list_directory(
            request_principal(request),
            directory.DirectoryFilter(q=q, industry=industry, municipality=municipality, size=size),
            PageRequest.of(page, per_page),
        )
        return DirectoryPage(
            items=[DirectoryEntryOut.of(entry) for entry in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @get("/{organisation_id:int}", opt={"action": "directory.view"}, summary="会員名簿の団体")
    async def get_entry(
        self, request: Request, organisation_id: FromPath[int]
    ) -> DirectoryEntryOut:
        return DirectoryEntryOut.of(
            await directory.get_directory_entry(request_principal(request), organisation_id)
        )


ROUTES = [OwnOrganisationController, DirectoryController]
