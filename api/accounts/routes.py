"""JSON routes of the accounts domain under /api/v1: session login, me, users, API tokens."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.accounts import service
from api.accounts.schemas import (
    AccountCreate,
    AccountOut,
    AccountPage,
    AccountUpdate,
    ApiTokenCreate,
    ApiTokenOut,
    LoginRequest,
    MessageOut,
    PasswordChange,
    PasswordResetRequest,
)
from api.http.auth import SESSION_COOKIE, client_address, cookie_header
from api.http.auth import signed_in_principal as principal
from api.pagination import PageRequest
from api.settings import Settings


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["認証"]

    @post("/login", opt={"action": "auth.login"}, status_code=200, summary="ログイン（セッション）")
    async def login(self, request: Request, data: JSONBody[LoginRequest]) -> Response[AccountOut]:
        settings = settings_of(request)
        result = await service.login(
            settings,
            data.email,
            data.password,
            client_address(request.scope),
            request.headers.get("user-agent", ""),
            replaces_session_token=request.scope.get("session_token") or None,
        )
        view = await service.get_account(result.principal.account_id)
        max_age = settings.session_absolute_hours * 3600
        return Response(
            AccountOut.of(view),
            headers={
                "set-cookie": cookie_header(settings, SESSION_COOKIE, result.session_token, max_age)
            },
        )

    @post(
        "/password-reset",
        opt={"action": "auth.login"},
        status_code=202,
        summary="パスワード再設定の申請（登録の有無にかかわらず同じ応答）",
    )
    async def request_password_reset(
        self, request: Request, data: JSONBody[PasswordResetRequest]
    ) -> MessageOut:
        await service.request_password_reset(
            settings_of(request), data.email, client_address(request.scope)
        )
        return MessageOut(message=service.RESET_REQUESTED_MESSAGE)

    @post("/logout", opt={"action": "account.view"}, status_code=204, summary="ログアウト")
    async def logout(self, request: Request) -> Response[None]:
        await service.logout(principal(request))
        settings = settings_of(request)
        return Response(
            None,
            status_code=204,
            headers={"set-cookie": cookie_header(settings, SESSION_COOKIE, "", 0)},
        )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["アカウント"]

    @get("", opt={"action": "account.view"}, summary="ログイン中のユーザー")
    async def me(self, request: Request) -> AccountOut:
        return AccountOut.of(await service.get_account(principal(request).account_id))

    @post("/password", opt={"action": "account.update"}, status_code=204, summary="パスワード変更")
    async def change_password(self, request: Request, data: JSONBody[PasswordChange]) -> None:
        await service.change_password(
            settings_of(request),
            principal(request),
            data.current_password,
            data.new_password,
            data.new_password_confirmation,
        )


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["ユーザー管理"]

    @get("", opt={"action": "users.view"}, summary="ユーザー一覧")
    async def list_users(
        self,
        q: FromQuery[str] = "",
        role: FromQuery[str] = "",
        status: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> AccountPage:
        result = await service.list_accounts(
            service.AccountFilter(q=q, role=role, status=status), PageRequest.of(page, per_page)
        )
        return AccountPage(
            items=[AccountOut.of(view) for view in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @post("", opt={"action": "users.manage"}, summary="ユーザーの招待（作成）")
    async def create_user(self, request: Request, data: JSONBody[AccountCreate]) -> AccountOut:
        account = service.validate_account_input(data.email, data.display_name, data.roles)
        view, _ = await service.invite_account(settings_of(request), principal(request), account)
        return AccountOut.of(view)

    @get("/{account_id:int}", opt={"action": "users.view"}, summary="ユーザー詳細")
    async def get_user(self, account_id: FromPath[int]) -> AccountOut:
        return AccountOut.of(await service.get_account(account_id))

    @patch("/{account_id:int}", opt={"action": "users.manage"}, summary="ユーザーの変更・無効化")
    async def update_user(
        self, request: Request, account_id: FromPath[int], data: JSONBody[AccountUpdate]
    ) -> AccountOut:
        view = await service.update_account(
            principal(request),
            account_id,
            display_name=data.display_name,
            roles=data.roles,
            is_active=data.is_active,
        )
        return AccountOut.of(view)


class TokensController(Controller):
    path = "/api/v1/tokens"
    tags = ["APIトークン"]

    @get("", opt={"action": "tokens.manage"}, summary="APIトークン一覧")
    async def list_tokens(self) -> list[ApiTokenOut]:
        return [ApiTokenOut.of(view) for view in await service.list_api_tokens()]

    @post("", opt={"action": "tokens.manage"}, summary="APIトークンの発行（値は一度だけ返す）")
    async def create_token(self, request: Request, data: JSONBody[ApiTokenCreate]) -> ApiTokenOut:
        view, token = await service.create_api_token(
            principal(request), data.account_id, data.name, data.scopes
        )
        return ApiTokenOut.of(view, token)

    @delete("/{token_id:int}", opt={"action": "tokens.manage"}, summary="APIトークンの失効")
    async def revoke_token(self, request: Request, token_id: FromPath[int]) -> None:
        await service.revoke_api_token(principal(request), token_id)


ROUTES = [AuthController, MeController, UsersController, TokensController]
