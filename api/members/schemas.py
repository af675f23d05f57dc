"""JSON shapes of the secretariat's members API (list, detail, edit, status, import)."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any

import msgspec

from api.members.service import ContactView, MemberAccount, OrganisationView
from api.members.transfer import ImportReport


class OrganisationOut(msgspec.Struct):
    id: int
    name: str
    name_kana: str
    corporate_number: str
    kind: str
    kind_label: str
    industry: str
    industry_label: str
    size_band: str
    size_label: str
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
    status_label: str
    applied_on: date | None
    joined_on: date | None
    suspended_on: date | None
    withdrawn_on: date | None
    status_note: str
    joined_fiscal_year: int | None
    updated_at: datetime

    @classmethod
    def of(cls, view: OrganisationView) -> OrganisationOut:
        return cls(
            id=view.id, name=view.name, name_kana=view.name_kana,
            corporate_number=view.corporate_number, kind=view.kind, kind_label=view.kind_label,
            industry=view.industry, industry_label=view.industry_label, size_band=view.size_band,
            size_label=view.size_label, postal_code=view.postal_code, prefecture=view.prefecture,
            municipality=view.municipality, address_line=view.address_line, website=view.website,
            representative_name=view.representative_name,
            representative_title=view.representative_title, profile_public=view.profile_public,
            profile_text=view.profile_text, status=view.status, status_label=view.status_label,
            applied_on=view.applied_on, joined_on=view.joined_on, suspended_on=view.suspended_on,
            withdrawn_on=view.withdrawn_on, status_note=view.status_note,
            joined_fiscal_year=view.joined_fiscal_year, updated_at=view.updated_at,
        )  # fmt: skip


class OrganisationPage(msgspec.Struct):
    items: list[OrganisationOut]
    total: int
    page: int
    per_page: int
    pages: int


class ContactIn(msgspec.Struct):
    name: str = ""
    department: str = ""
    email: str = ""
    phone: str = ""


class ContactOut(msgspec.Struct):
    position: int
    name: str
    department: str
    email: str
    phone: str

    @classmethod
    def of(cls, view: ContactView) -> ContactOut:
        return cls(
            position=view.position, name=view.name, department=view.department,
            email=view.email, phone=view.phone,
        )  # fmt: skip


class MemberAccountOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    roles: list[str]
    is_active: bool
    has_password: bool

    @classmethod
    def of(cls, view: MemberAccount) -> MemberAccountOut:
        return cls(
            id=view.id, email=view.email, display_name=view.display_name,
            roles=list(view.role_labels), is_active=view.is_active,
            has_password=view.has_password,
        )  # fmt: skip


class OrganisationUpdate(msgspec.Struct):
    """Fields to change; the ones left out keep their values. `contacts` (1 to 5) replaces
    all contacts when given."""

    name: str | None = None
    name_kana: str | None = None
    corporate_number: str | None = None
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
    contacts: list[ContactIn] | None = None

    def merged_into(self, values: dict[str, str]) -> dict[str, Any]:
        """The form values of the organisation with this update laid over them."""
        merged: dict[str, Any] = dict(values)
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name == "contacts" or value is None:
                continue
            merged[name] = ("on" if value else "") if name == "profile_public" else value
        if self.contacts is not None:
            merged = {k: v for k, v in merged.items() if not k.startswith("contact_")}
            for position, contact in enumerate(self.contacts[:5]):
                for part in ("name", "department", "email", "phone"):
                    merged[f"contact_{position}_{part}"] = getattr(contact, part)
        return merged


class StatusChange(msgspec.Struct):
    date: dt.date
    note: str = ""


class Reactivation(msgspec.Struct):
    note: str = ""


class ImportRowOut(msgspec.Struct):
    row: int
    name: str
    action: str
    action_label: str
    organisation_id: int | None
    changes: list[str]
    errors: dict[str, str]


class ImportReportOut(msgspec.Struct):
    valid: bool
    applied: bool
    counts: dict[str, int]
    file_errors: list[str]
    ignored_headers: list[str]
    rows: list[ImportRowOut]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            valid=report.is_valid, applied=report.applied, counts=report.counts,
            file_errors=report.file_errors, ignored_headers=report.ignored_headers,
            rows=[
                ImportRowOut(
                    row=row.number, name=row.name, action=row.action,
                    action_label=row.action_label, organisation_id=row.organisation_id,
                    changes=row.changes, errors=row.errors,
                )
                for row in report.rows
            ],
        )  # fmt: skip
