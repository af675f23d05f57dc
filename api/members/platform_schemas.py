"""JSON shapes of the member platform API: the own organisation, colleagues, the directory."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from api.accounts.service import AccountView
from api.members.colleagues import colleague_state, member_role_of
from api.members.directory import DirectoryEntry
from api.members.service import OrganisationView


class ContactOut(msgspec.Struct):
    name: str
    department: str
    email: str
    phone: str


class OwnOrganisationOut(msgspec.Struct):
    id: int
    name: str
    name_kana: str
    corporate_number: str
    kind: str
    industry: str
    size_band: str
    postal_code: str
    prefecture: str
    municipality: str
    address_line: str
    website: str
    representative_name: str
    representative_title: str
    profile_public: bool
    profile_text: str
    status: str
    joined_on: date | None
    updated_at: datetime
    contacts: Annotated[
        list[ContactOut] | None,
        msgspec.Meta(
            description="担当者（個人情報）。会員管理者にだけ返し、会員ユーザーには null。"
        ),
    ]

    @classmethod
    def of(cls, view: OrganisationView, with_contacts: bool) -> OwnOrganisationOut:
        return cls(
            id=view.id,
            name=view.name,
            name_kana=view.name_kana,
            corporate_number=view.corporate_number,
            kind=view.kind,
            industry=view.industry,
            size_band=view.size_band,
            postal_code=view.postal_code,
            prefecture=view.prefecture,
            municipality=view.municipality,
            address_line=view.address_line,
            website=view.website,
            representative_name=view.representative_name,
            representative_title=view.representative_title,
            profile_public=view.profile_public,
            profile_text=view.profile_text,
            status=view.status,
            joined_on=view.joined_on,
            updated_at=view.updated_at,
            contacts=[
                ContactOut(name=c.name, department=c.department, email=c.email, phone=c.phone)
                for c in view.contacts
            ]
            if with_contacts
            else None,
        )


class ContactIn(msgspec.Struct):
    name: str = ""
    department: str = ""
    email: str = ""
    phone: str = ""


class OwnOrganisationPatch(msgspec.Struct):
    """Fields left out keep their value. The corporate number and the membership status are
    changed by the secretariat only. Errors name fields as in the form (contacts as
    contact_0_email and so on, in the order sent)."""

    name: str | None = None
    name_kana: str | None = None
    kind: str | None = None
    industry: str | None = None
    size_band: str | None = None
    postal_code: str | None = None
    prefecture: str | None = None
    municipality: str | None = None
    address_line: str | None = None
    website: str | None = None
    representative_name: str | None = None
    representative_title: str | None = None
    profile_public: bool | None = None
    profile_text: str | None = None
    contacts: Annotated[
        list[ContactIn] | None,
        msgspec.Meta(description="送ると担当者の一覧を置き換える（1〜5名）。"),
    ] = None

    def changes(self) -> dict[str, object]:
        return {
            field: getattr(self, field)
            for field in self.__struct_fields__
            if field != "contacts" and getattr(self, field) is not None
        }

    def contact_values(self) -> list[dict[str, object]] | None:
        if self.contacts is None:
            return None
        return [msgspec.structs.asdict(contact) for contact in self.contacts]


class ColleagueOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: Literal["member_user", "member_admin"]
    state: Annotated[
        Literal["active", "invited", "inactive"],
        msgspec.Meta(
            description="active: 利用中, invited: 招待中（パスワード未設定）, inactive: 無効"
        ),
    ]
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, view: AccountView) -> ColleagueOut:
        return cls(
            id=view.id,
            email=view.email,
            display_name=view.display_name,
            role=member_role_of(view).value,  # type: ignore[arg-type]
            state=colleague_state(view),  # type: ignore[arg-type]
            created_at=view.created_at,
            last_login_at=view.last_login_at,
        )


class ColleaguePage(msgspec.Struct):
    items: list[ColleagueOut]
    total: int
    page: int
    per_page: int
    pages: int


class ColleagueInvite(msgspec.Struct):
    email: str
    display_name: str


class ColleagueUpdate(msgspec.Struct):
    role: Annotated[str | None, msgspec.Meta(description="member_user または member_admin")] = None
    is_active: Annotated[
        bool | None, msgspec.Meta(description="false で無効化（ログイン中のセッションも終了）")
    ] = None


class AdminHandover(msgspec.Struct):
    step_down: Annotated[bool, msgspec.Meta(description="true なら自分は会員ユーザーに戻る")] = (
        False
    )


class DirectoryEntryOut(msgspec.Struct):
    """A public profile: never contacts or the representative's details."""

    id: int
    name: str
    name_kana: str
    kind: str
    kind_label: str
    industry: str
    industry_label: str
    size_band: str
    size_label: str
    prefecture: str
    municipality: str
    website: str
    profile_text: str

    @classmethod
    def of(cls, entry: DirectoryEntry) -> DirectoryEntryOut:
        return cls(
            id=entry.id,
            name=entry.name,
            name_kana=entry.name_kana,
            kind=entry.kind,
            kind_label=entry.kind_label,
            industry=entry.industry,
            industry_label=entry.industry_label,
            size_band=entry.size_band,
            size_label=entry.size_label,
            prefecture=entry.prefecture,
            municipality=entry.municipality,
            website=entry.website,
            profile_text=entry.profile_text,
        )


class DirectoryPage(msgspec.Struct):
    items: list[DirectoryEntryOut]
    total: int
    page: int
    per_page: int
    pages: int
