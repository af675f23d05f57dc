"""Member organisations: reading, creating and the rules every caller shares.

The staff tools (listing, editing, status changes), the member admin's own tools, the directory,
import and export build on the functions here. Contacts are personal data: views carry them only
when the caller asked for them and may see them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from api import clock
from api.accounts.tables import Account, AccountRole
from api.audit import service as audit
from api.dates import fiscal_year, format_date, parse_date, today
from api.db import contains, is_storable_id, transaction
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.members.reference import (
    INDUSTRY_LABELS,
    KIND_LABELS,
    KUMAMOTO,
    KUMAMOTO_MUNICIPALITIES,
    OUTSIDE_KUMAMOTO,
    SIZE_LABELS,
    STATUS_LABELS,
    MembershipStatus,
    OrganisationLabels,
)
from api.members.tables import Organisation, OrganisationContact
from api.members.validation import (
    MAX_CONTACTS,
    ContactInput,
    OrganisationInput,
    normalize_kana,
    validate_organisation,
)
from api.pagination import Page, PageRequest, fetch_page
from api.permissions import ROLE_LABELS, Role
from api.principal import Principal
from api.searching.outbox import organisation_changed
from api.text import clean, lookup_text, text_problem

# Statuses that hold a name or a corporate number: a new application or member may not reuse it.
HOLDING_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)


@dataclass(frozen=True, slots=True)
class ContactView:
    id: int
    position: int
    name: str
    department: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class OrganisationView(OrganisationLabels):
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
    applied_on: date | None
    joined_on: date | None
    suspended_on: date | None
    withdrawn_on: date | None
    status_note: str
    joined_fiscal_year: int | None
    updated_at: datetime
    contacts: tuple[ContactView, ...] = field(default_factory=tuple)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def address(self) -> str:
        return f"〒{self.postal_code} {self.prefecture}{self.municipality}{self.address_line}"

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of an organisation (contacts by count only)."""
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "corporate_number": self.corporate_number,
            "kind": self.kind,
            "industry": self.industry,
            "size_band": self.size_band,
            "municipality": self.municipality,
            "status": self.status,
            "profile_public": self.profile_public,
            "contacts": len(self.contacts),
        }

    def as_input(self) -> OrganisationInput:
        """The organisation as form values, e.g. to prefill an edit form."""
        return OrganisationInput(
            name=self.name,
            name_kana=self.name_kana,
            corporate_number=self.corporate_number,
            kind=self.kind,
            industry=self.industry,
            size_band=self.size_band,
            postal_code=self.postal_code,
            prefecture=self.prefecture,
            municipality=self.municipality,
            address_line=self.address_line,
            website=self.website,
            representative_name=self.representative_name,
            representative_title=self.representative_title,
            profile_public=self.profile_public,
            profile_text=self.profile_text,
            contacts=tuple(
                ContactInput(name=c.name, department=c.department, email=c.email, phone=c.phone)
                for c in self.contacts
            ),
        )


def organisation_view(
    row: dict[str, Any], contacts: list[dict[str, Any]] | None = None
) -> OrganisationView:
    return OrganisationView(
        id=row["id"],
        name=row["name"],
        name_kana=row["name_kana"],
        corporate_number=row["corporate_number"] or "",
        kind=row["kind"],
        industry=row["industry"],
        size_band=row["size_band"],
        postal_code=row["postal_code"],
        prefecture=row["prefecture"],
        municipality=row["municipality"],
        address_line=row["address_line"],
        website=row["website"],
        representative_name=row["representative_name"],
        representative_title=row["representative_title"],
        profile_public=row["profile_public"],
        profile_text=row["profile_text"],
        status=row["status"],
        applied_on=row["applied_on"],
        joined_on=row["joined_on"],
        suspended_on=row["suspended_on"],
        withdrawn_on=row["withdrawn_on"],
        status_note=row["status_note"],
        joined_fiscal_year=row["joined_fiscal_year"],
        updated_at=row["updated_at"],
        contacts=tuple(
            ContactView(
                id=c["id"], position=c["position"], name=c["name"],
                department=c["department"], email=c["email"], phone=c["phone"],
            )
            for c in sorted(contacts or [], key=lambda c: (c["position"], c["id"]))
        ),
    )  # fmt: skip


async def contacts_of(organisation_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Contacts of many organisations in one query (no N+1 on lists and exports)."""
    found: dict[int, list[dict[str, Any]]] = {oid: [] for oid in organisation_ids}
    if organisation_ids:
        rows = await OrganisationContact.select().where(
            OrganisationContact.organisation.is_in(organisation_ids)
        )
        for row in rows:
            found[row["organisation"]].append(row)
    return found


async def get_organisation(
    organisation_id: int, *, with_contacts: bool = False
) -> OrganisationView:
    rows: list[dict[str, Any]] = []
    if is_storable_id(organisation_id):
        rows = await Organisation.select().where(Organisation.id == organisation_id)
    if not rows:
        raise NotFound("指定された会員団体は見つかりませんでした。")
    contacts = (await contacts_of([organisation_id]))[organisation_id] if with_contacts else None
    return organisation_view(rows[0], contacts)


def own_organisation_id(principal: Principal) -> int:
    """The member's own, active organisation; anything else is refused."""
    if principal.organisation_id is None:
        raise PermissionDenied("会員団体に所属するアカウントでのみ利用できます。")
    if not principal.organisation_active:
        raise PermissionDenied(
            "所属団体の会員資格が有効ではないため、この機能は利用できません。事務局にお問い合わせください。"
        )
    return principal.organisation_id


async def duplicate_problems(
    data: OrganisationInput, *, excluding_organisation: int | None = None
) -> dict[str, str]:
    """Which fields name an organisation that is already a member (active or suspended)."""
    problems: dict[str, str] = {}
    holding = Organisation.status.is_in(list(HOLDING_STATUSES))
    if data.corporate_number:
        query = Organisation.exists().where(
            holding, Organisation.corporate_number == data.corporate_number
        )
        if excluding_organisation is not None:
            query = query.where(Organisation.id != excluding_organisation)
        if await query:
            problems["corporate_number"] = "この法人番号の団体はすでに会員として登録されています。"
    query = Organisation.exists().where(holding, Organisation.name_key == data.name_key)
    if excluding_organisation is not None:
        query = query.where(Organisation.id != excluding_organisation)
    if await query:
        problems["name"] = "同じ名称の団体がすでに会員として登録されています。"
    return problems


def _columns(data: OrganisationInput) -> dict[str, Any]:
    return {
        "name": data.name,
        "name_kana": data.name_kana,
        "name_key": data.name_key,
        "corporate_number": data.corporate_number or None,
        "kind": data.kind,
        "industry": data.industry,
        "size_band": data.size_band,
        "postal_code": data.postal_code,
        "prefecture": data.prefecture,
        "municipality": data.municipality,
        "address_line": data.address_line,
        "website": data.website,
        "representative_name": data.representative_name,
        "representative_title": data.representative_title,
        "profile_public": data.profile_public,
        "profile_text": data.profile_text,
    }


async def insert_organisation(
    data: OrganisationInput,
    *,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    joined_on: date | None = None,
    applied_on: date | None = None,
) -> int:
    """Insert an organisation and its contacts; the caller owns the transaction and audit."""
    if status == MembershipStatus.ACTIVE and joined_on is None:
        joined_on = today()
    rows = await Organisation.insert(
        Organisation(
            **_columns(data),
            status=status.value,
            joined_on=joined_on,
            applied_on=applied_on,
            joined_fiscal_year=fiscal_year(joined_on) if joined_on else None,
        )
    ).returning(Organisation.id)
    organisation_id = int(rows[0]["id"])
    await replace_contacts(organisation_id, data.contacts)
    return organisation_id


async def update_organisation_fields(organisation_id: int, data: OrganisationInput) -> None:
    """Write an organisation's profile fields and contacts; the caller owns the transaction."""
    await Organisation.update({**_columns(data), "updated_at": clock.now()}).where(
        Organisation.id == organisation_id
    )
    await replace_contacts(organisation_id, data.contacts)
    await organisation_changed(organisation_id)  # its name and reading are searched


async def replace_contacts(organisation_id: int, contacts: tuple[ContactInput, ...]) -> None:
    await OrganisationContact.delete().where(OrganisationContact.organisation == organisation_id)
    if contacts:
        await OrganisationContact.insert(
            *[
                OrganisationContact(
                    organisation=organisation_id, position=position, name=c.name,
                    department=c.department, email=c.email, phone=c.phone,
                )
                for position, c in enumerate(contacts)
            ]
        )  # fmt: skip


def require_contacts(data: OrganisationInput) -> None:
    if not data.contacts:
        raise ValidationFailed({"contact_0_name": "担当者を1名以上入力してください。"})


# --- the secretariat's member list -------------------------------------------------------------

EXPORT_CHUNK = 200  # rows per query when a whole filtered list is read (exports)
STATUS_NOTE_MAX = 1000
CONTACT_PREFIXES: tuple[str, ...] = tuple(f"contact_{i}_" for i in range(MAX_CONTACTS))
CONTACT_FIELDS = ("name", "department", "email", "phone")
EARLIEST_DATE = date(1900, 1, 1)


def _fiscal_year_value(value: object) -> int | None:
    text = lookup_text(value, 8)
    if not text.isdigit():
        return None
    year = int(text)
    return year if 1900 <= year <= 2200 else None


@dataclass(frozen=True, slots=True)
class OrganisationFilter:
    """The list's filters. Built with `of` from what a user sent: unknown values are dropped."""

    q: str = ""
    status: str = ""
    industry: str = ""
    municipality: str = ""  # a Kumamoto municipality, or OUTSIDE_KUMAMOTO for all the others
    size_band: str = ""
    kind: str = ""
    fiscal_year: int | None = None  # the fiscal year the organisation joined

    @classmethod
    def of(
        cls,
        q: object = "",
        status: object = "",
        industry: object = "",
        municipality: object = "",
        size_band: object = "",
        kind: object = "",
        fiscal_year: object = None,
    ) -> OrganisationFilter:
        def known(value: object, choices: Any) -> str:
            text = lookup_text(value, 40)
            return text if text in choices else ""

        return cls(
            q=lookup_text(q, 100),
            status=known(status, STATUS_LABELS),
            industry=known(lookup_text(industry, 2).upper(), INDUSTRY_LABELS),
            municipality=known(municipality, (*KUMAMOTO_MUNICIPALITIES, OUTSIDE_KUMAMOTO)),
            size_band=known(size_band, SIZE_LABELS),
            kind=known(kind, KIND_LABELS),
            fiscal_year=_fiscal_year_value(fiscal_year),
        )

    def params(self) -> dict[str, str]:
        """The filter as query parameters (links, pagination, export links, the audit log)."""
        values = {
            "q": self.q,
            "status": self.status,
            "industry": self.industry,
            "municipality": self.municipality,
            "size_band": self.size_band,
            "kind": self.kind,
            "fiscal_year": str(self.fiscal_year) if self.fiscal_year else "",
        }
        return values


def _filter_clauses(filters: OrganisationFilter) -> list[Any]:
    clauses: list[Any] = []
    q = lookup_text(filters.q, 100)
    if q:
        # Readings are stored in katakana: a search typed in hiragana finds them too.
        clause = contains(Organisation.name, q) | contains(
            Organisation.name_kana, normalize_kana(q)
        )
        digits = re.sub(r"[\s\-]", "", q)
        if digits.isdigit() and len(digits) >= 4:
            clause = clause | contains(Organisation.corporate_number, digits)
        clauses.append(clause)
    if filters.status in STATUS_LABELS:
        clauses.append(Organisation.status == filters.status)
    if filters.industry in INDUSTRY_LABELS:
        clauses.append(Organisation.industry == filters.industry)
    if filters.municipality == OUTSIDE_KUMAMOTO:
        clauses.append(Organisation.prefecture != KUMAMOTO)
    elif filters.municipality in KUMAMOTO_MUNICIPALITIES:
        clauses.append(
            (Organisation.prefecture == KUMAMOTO)
            & (Organisation.municipality == filters.municipality)
        )
    if filters.size_band in SIZE_LABELS:
        clauses.append(Organisation.size_band == filters.size_band)
    if filters.kind in KIND_LABELS:
        clauses.append(Organisation.kind == filters.kind)
    if filters.fiscal_year is not None:
        clauses.append(Organisation.joined_fiscal_year == filters.fiscal_year)
    return clauses


async def count_organisations(filters: OrganisationFilter) -> int:
    query = Organisation.count()
    clauses = _filter_clauses(filters)
    return await (query.where(*clauses) if clauses else query)


async def list_organisations(
    filters: OrganisationFilter, page: PageRequest
) -> Page[OrganisationView]:
    """One page of organisations, sorted by reading: one query whatever the page size."""
    clauses = _filter_clauses(filters)
    query = Organisation.select().order_by(Organisation.name_kana, Organisation.id)
    count = Organisation.count()
    if clauses:
        query, count = query.where(*clauses), count.where(*clauses)
    rows, total = await fetch_page(query, count, page)
    items = [organisation_view(row) for row in rows]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


async def iter_organisations(
    filters: OrganisationFilter, *, with_contacts: bool = False, chunk_size: int = EXPORT_CHUNK
) -> AsyncIterator[list[OrganisationView]]:
    """Every organisation of the filter in chunks (keyset on reading and id): an export of the
    whole list never holds it all in memory and sends one or two queries per chunk."""
    clauses = _filter_clauses(filters)
    last: tuple[str, int] | None = None
    while True:
        query = Organisation.select().order_by(Organisation.name_kana, Organisation.id)
        if clauses:
            query = query.where(*clauses)
        if last is not None:
            query = query.where(
                (Organisation.name_kana > last[0])
                | ((Organisation.name_kana == last[0]) & (Organisation.id > last[1]))
            )
        rows = await query.limit(chunk_size)
        if not rows:
            return
        contacts = await contacts_of([row["id"] for row in rows]) if with_contacts else {}
        yield [organisation_view(row, contacts.get(row["id"])) for row in rows]
        if len(rows) < chunk_size:
            return
        last = (rows[-1]["name_kana"], rows[-1]["id"])


async def joined_fiscal_years() -> list[int]:
    """The fiscal years organisations joined in, newest first (the filter's choices)."""
    rows = await (
        Organisation.select(Organisation.joined_fiscal_year)
        .where(Organisation.joined_fiscal_year.is_not_null())
        .distinct()
    )
    return sorted({int(row["joined_fiscal_year"]) for row in rows}, reverse=True)


@dataclass(frozen=True, slots=True)
class MemberAccount:
    """An account of a member organisation, as the secretariat sees it."""

    id: int
    email: str
    display_name: str
    role_labels: tuple[str, ...]
    is_active: bool
    has_password: bool


async def organisation_accounts(organisation_id: int) -> list[MemberAccount]:
    """The organisation's accounts (email, role, state) in two queries."""
    if not is_storable_id(organisation_id):
        return []
    rows = await (
        Account.select(
            Account.id, Account.email, Account.display_name, Account.is_active,
            Account.password_hash,
        )
        .where(Account.organisation == organisation_id)
        .order_by(Account.email)
    )  # fmt: skip
    roles: dict[int, set[str]] = {row["id"]: set() for row in rows}
    if roles:
        for role_row in await AccountRole.select(AccountRole.account, AccountRole.role).where(
            AccountRole.account.is_in(list(roles))
        ):
            roles[role_row["account"]].add(role_row["role"])
    return [
        MemberAccount(
            id=row["id"],
            email=row["email"],
            display_name=row["display_name"],
            role_labels=tuple(ROLE_LABELS[r] for r in Role if r.value in roles[row["id"]]),
            is_active=row["is_active"],
            has_password=row["password_hash"] is not None,
        )
        for row in rows
    ]


# --- editing by the secretariat ----------------------------------------------------------------


def contact_prefixes_in(values: Mapping[str, object]) -> tuple[str, ...]:
    """The main contact always; a further contact row only when something was typed into it
    (the form offers empty rows, which mean nothing)."""
    found = [CONTACT_PREFIXES[0]]
    for prefix in CONTACT_PREFIXES[1:]:
        if any(clean(values.get(f"{prefix}{name}"), 10) for name in CONTACT_FIELDS):
            found.append(prefix)
    return tuple(found)


def organisation_form_values(view: OrganisationView) -> dict[str, str]:
    """An organisation as the strings of the edit form (contacts as contact_0_..., ...)."""
    values = {
        key: str(value)
        for key, value in view.as_input().as_dict().items()
        if key not in ("contacts", "profile_public")
    }
    values["profile_public"] = "on" if view.profile_public else ""
    for position, contact in enumerate(view.contacts[:MAX_CONTACTS]):
        for name in CONTACT_FIELDS:
            values[f"{CONTACT_PREFIXES[position]}{name}"] = getattr(contact, name)
    return values


def _audit_fields(view: OrganisationView) -> dict[str, Any]:
    """Everything an edit can change (contacts in full here; the log keeps only their count)."""
    return view.as_input().as_dict()


def _changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed fields before and after; contacts' personal data never reach the log."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key, value in after.items():
        if before.get(key) == value:
            continue
        if key == "contacts":
            old["contacts"], new["contacts"] = len(before.get(key) or []), len(value)
            new["contacts_changed"] = True
        else:
            old[key], new[key] = before.get(key), value
    return old, new


async def update_organisation(
    actor: Principal, organisation_id: int, values: Mapping[str, object]
) -> OrganisationView:
    """The secretariat edits an organisation and its contacts (contact_0_ ... contact_4_)."""
    before = await get_organisation(organisation_id, with_contacts=True)
    errors: dict[str, str] = {}
    data = validate_organisation(
        values, contact_prefixes=contact_prefixes_in(values), errors=errors
    )
    if "name" not in errors and "corporate_number" not in errors:
        duplicates = await duplicate_problems(data, excluding_organisation=organisation_id)
        errors.update(duplicates)
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await update_organisation_fields(organisation_id, data)
        after = await get_organisation(organisation_id, with_contacts=True)
        old, new = _changes(_audit_fields(before), _audit_fields(after))
        if new:
            await audit.record(
                actor, "organisation.update", "organisation", organisation_id,
                target_label=after.name, before=old, after=new,
            )  # fmt: skip
    return after


# --- membership status -------------------------------------------------------------------------

# transition: (the statuses it starts from, the status it leads to)
_TRANSITIONS: dict[str, tuple[frozenset[str], MembershipStatus]] = {
    "suspend": (frozenset({MembershipStatus.ACTIVE}), MembershipStatus.SUSPENDED),
    "withdraw": (
        frozenset({MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED}),
        MembershipStatus.WITHDRAWN,
    ),
    "reactivate": (frozenset({MembershipStatus.SUSPENDED}), MembershipStatus.ACTIVE),
}
_REFUSALS: dict[tuple[str, str], str] = {
    ("suspend", MembershipStatus.SUSPENDED): "この団体はすでに休止中です。",
    ("withdraw", MembershipStatus.WITHDRAWN): "この団体はすでに退会しています。",
    ("reactivate", MembershipStatus.ACTIVE): "この団体の会員資格はすでに有効です。",
}


def status_change_problem(current: str, target: str) -> str | None:
    """Why an organisation in status `current` cannot move to `target` (None: it can)."""
    if current == target:
        return None
    if current == MembershipStatus.WITHDRAWN:
        return "退会した団体の会員状態は変更できません（退会は取り消せません）。再入会は入会申込から受け付けてください。"
    if current == MembershipStatus.APPLIED:
        return "申請中の団体の会員状態は、入会申込の審査で決まります。"
    for sources, result in _TRANSITIONS.values():
        if result == target and current in sources:
            return None
    if target == MembershipStatus.SUSPENDED:
        return "休止にできるのは、会員資格が有効な団体だけです。"
    return f"「{STATUS_LABELS.get(current, current)}」から「{STATUS_LABELS.get(target, target)}」には変更できません。"


def _transition_problem(current: str, transition: str) -> str | None:
    sources, target = _TRANSITIONS[transition]
    if current in sources:
        return None
    return _REFUSALS.get((transition, current)) or status_change_problem(current, target)


def date_problem(
    value: object, label: str, *, not_before: date | None = None
) -> tuple[date | None, str | None]:
    """A date that has happened (status dates are facts, not plans)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"{label}を入力してください。"
    day = parse_date(value)
    if day is None:
        return None, f"{label}は「2024-04-01」の形式で入力してください。"
    if day > today():
        return None, f"{label}に未来の日付は指定できません。"
    if day < EARLIEST_DATE:
        return None, f"{label}が古すぎます。正しい日付を入力してください。"
    if not_before is not None and day < not_before:
        return None, f"{label}は入会日（{format_date(not_before)}）以降の日付を入力してください。"
    return day, None


async def _change_status(
    actor: Principal,
    organisation_id: int,
    transition: str,
    changes: dict[Any, Any],
    errors: dict[str, str],
    note: str,
) -> OrganisationView:
    before = await get_organisation(organisation_id)
    if problem := _transition_problem(before.status, transition):
        raise ValidationFailed({"status": problem})
    if problem := text_problem(note, "メモ", STATUS_NOTE_MAX, multiline=True):
        errors["note"] = problem
    if errors:
        raise ValidationFailed(errors)
    sources, target = _TRANSITIONS[transition]
    async with transaction():
        # The status is checked again in the write: a concurrent change makes this one fail.
        rows = await (
            Organisation.update(
                {
                    Organisation.status: target.value,
                    Organisation.status_note: note,
                    Organisation.updated_at: clock.now(),
                    **changes,
                }
            )
            .where(Organisation.id == organisation_id, Organisation.status.is_in(list(sources)))
            .returning(Organisation.id)
        )
        if not rows:
            raise Conflict("ほかの操作で会員状態が変更されました。ページを再読み込みしてください。")
        after = await get_organisation(organisation_id)
        await organisation_changed(organisation_id)  # only active members' solutions are found
        await audit.record(
            actor, f"organisation.{transition}", "organisation", organisation_id,
            target_label=after.name, before=_status_snapshot(before), after=_status_snapshot(after),
        )  # fmt: skip
    return after


def _status_snapshot(view: OrganisationView) -> dict[str, Any]:
    return {
        "status": view.status,
        "suspended_on": view.suspended_on.isoformat() if view.suspended_on else None,
        "withdrawn_on": view.withdrawn_on.isoformat() if view.withdrawn_on else None,
        "status_note": view.status_note,
    }


def _note(note: object) -> str:
    return (
        unicodedata.normalize("NFKC", str(note or ""))
        .replace("\r\n", "\n")
        .strip()[: STATUS_NOTE_MAX + 1]
    )


async def suspend(
    actor: Principal, organisation_id: int, on: object, note: object = ""
) -> OrganisationView:
    """Suspend an active membership from a date; its members' accounts stay but lose access."""
    current = await get_organisation(organisation_id)
    errors: dict[str, str] = {}
    day, problem = date_problem(on, "休止日", not_before=current.joined_on)
    if problem:
        errors["date"] = problem
    return await _change_status(
        actor, organisation_id, "suspend", {Organisation.suspended_on: day}, errors, _note(note)
    )


async def record_withdrawal(
    actor: Principal, organisation_id: int, on: object, note: object = ""
) -> OrganisationView:
    """Record that an active or suspended member withdrew on a date (final)."""
    current = await get_organisation(organisation_id)
    errors: dict[str, str] = {}
    day, problem = date_problem(on, "退会日", not_before=current.joined_on)
    if problem:
        errors["date"] = problem
    return await _change_status(
        actor, organisation_id, "withdraw", {Organisation.withdrawn_on: day}, errors, _note(note)
    )


async def reactivate(actor: Principal, organisation_id: int, note: object = "") -> OrganisationView:
    """Lift a suspension: the membership is active again (the audit log keeps the history)."""
    return await _change_status(
        actor, organisation_id, "reactivate", {Organisation.suspended_on: None}, {}, _note(note)
    )
