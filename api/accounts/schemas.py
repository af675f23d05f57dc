"""JSON shapes of the accounts API."""

from __future__ import annotations

from datetime import datetime

import msgspec

from api.accounts.service import AccountView, ApiTokenView


class LoginRequest(msgspec.Struct):
    email: str
    password: str


class PasswordResetRequest(msgspec.Struct):
    email: str


class MessageOut(msgspec.Struct):
    message: str


class AccountOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    roles: list[str]
    is_active: bool
    has_password: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, view: AccountView) -> AccountOut:
        return cls(
            id=view.id,
            email=view.email,
            display_name=view.display_name,
            roles=sorted(view.roles),
            is_active=view.is_active,
            has_password=view.has_password,
            created_at=view.created_at,
            last_login_at=view.last_login_at,
        )


class AccountPage(msgspec.Struct):
    items: list[AccountOut]
    total: int
    page: int
    per_page: int
    pages: int


class AccountCreate(msgspec.Struct):
    email: str
    display_name: str
    roles: list[str] = msgspec.field(default_factory=list)


class AccountUpdate(msgspec.Struct):
    display_name: str | None = None
    roles: list[str] | None = None
    is_active: bool | None = None


class PasswordChange(msgspec.Struct):
    current_password: str
    new_password: str
    new_password_confirmation: str


class ApiTokenCreate(msgspec.Struct):
    account_id: int
    name: str
    scopes: list[str]


class ApiTokenOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    account_id: int
    account_email: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    token: str | None = None  # only in the response that creates it

    @classmethod
    def of(cls, view: ApiTokenView, token: str | None = None) -> ApiTokenOut:
        return cls(
            id=view.id,
            name=view.name,
            prefix=view.prefix,
            account_id=view.account_id,
            account_email=view.account_email,
            scopes=list(view.scopes),
            created_at=view.created_at,
            last_used_at=view.last_used_at,
            revoked_at=view.revoked_at,
            token=token,
        )
