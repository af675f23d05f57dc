"""A member organisation's own tools: its profile and its colleagues' accounts.

Every function takes the acting principal and works only on the principal's own, active
organisation (api.members.service.own_organisation_id). Accounts of other organisations answer
NotFound, exactly like accounts that do not exist, so ids reveal nothing about other members.

The organisation always keeps at least one member admin who can act (active, invitation
accepted). Changes that could break that rule lock the organisation row first, so two admins
demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from api.accounts import service as accounts
from api.audit import service as audit
from api.db import is_postgres, transaction
from api.errors import NotFound, ValidationFailed
from api.members.service import (
    OrganisationView,
    duplicate_problems,
    get_organisation,
    own_organisation_id,
    update_organisation_fields,
)
from api.members.tables import Organisation
from api.members.validation import MAX_CONTACTS, validate_organisation
from api.pagination import Page, PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings

CONTACT_PREFIXES = tuple(f"contact_{index}_" for index in range(MAX_CONTACTS))
CONTACT_KEYS = ("name", "department", "email", "phone")
# Staff change these; a member admin sees them read-only.
READ_ONLY_FIELDS = ("corporate_number",)
MEMBER_ROLES = (Role.MEMBER_USER, Role.MEMBER_ADMIN)

COLLEAGUE_NOT_FOUND = "指定されたユーザーは見つかりませんでした。"
LAST_ADMIN = (
    "団体には、ログインできる有効な会員管理者が1人以上必要です。"
    "先にほかの同僚を会員管理者にしてください。"
)
EMAIL_TAKEN = (
    "このメールアドレスはすでに登録されています。別のメールアドレスを入力するか、"
    "事務局にお問い合わせください。"
)


# --- the organisation's profile -----------------------------------------------------------------


async def own_organisation(principal: Principal) -> OrganisationView:
    """The principal's organisation; contacts (personal data) only for its member admins."""
    organisation_id = own_organisation_id(principal)
    return await get_organisation(
        organisation_id, with_contacts=principal.can("organisation.manage")
    )


def form_values_of(view: OrganisationView) -> dict[str, str]:
    """An organisation as the profile form's values (contacts as contact_0_name ...)."""
    data = view.as_input()
    values = {
        key: str(value)
        for key, value in data.as_dict().items()
        if key not in ("contacts", "profile_public")
    }
    values["profile_public"] = "on" if data.profile_public else ""
    for prefix, contact in zip(CONTACT_PREFIXES, data.contacts, strict=False):
        for key in CONTACT_KEYS:
            values[f"{prefix}{key}"] = getattr(contact, key)
    return values


def _filled_contact_prefixes(values: Mapping[str, object]) -> tuple[str, ...]:
    """Contact slots with anything typed in them; an empty slot is no contact. With none at all,
    the first slot is checked, so its fields say what is missing."""
    filled = tuple(
        prefix
        for prefix in CONTACT_PREFIXES
        if any(str(values.get(f"{prefix}{key}") or "").strip() for key in CONTACT_KEYS)
    )
    return filled or CONTACT_PREFIXES[:1]


async def update_own_organisation(
    principal: Principal, values: Mapping[str, object]
) -> OrganisationView:
    """Save the profile form of the member admin's own organisation.

    Everything but the corporate number (and the membership status, which is not a form field)
    may change; the stored corporate number is kept whatever was sent.
    """
    organisation_id = own_organisation_id(principal)
    before = await get_organisation(organisation_id, with_contacts=True)
    submitted = {**values, "corporate_number": before.corporate_number}
    errors: dict[str, str] = {}
    data = validate_organisation(
        submitted, contact_prefixes=_filled_contact_prefixes(values), errors=errors
    )
    if problem := errors.pop("corporate_number", None):
        # The only way to get here: a kind that needs a corporate number while none is stored.
        errors["kind"] = (
            "法人番号が登録されていないため、この種別は選べません。"
            f"種別の変更は事務局にお問い合わせください。（{problem}）"
        )
    if not errors:
        errors.update(await duplicate_problems(data, excluding_organisation=organisation_id))
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await update_organisation_fields(organisation_id, data)
        after = await get_organisation(organisation_id, with_contacts=True)
        old, new = before.as_input().as_dict(), after.as_input().as_dict()
        changed = sorted(key for key in new if new[key] != old[key])
        await audit.record(
            principal, "organisation.update_own", "organisation", organisation_id,
            target_label=after.name, before=before.snapshot(),
            after=after.snapshot() | {"changed": changed},
        )  # fmt: skip
    return after


async def patch_own_organisation(
    principal: Principal,
    changes: Mapping[str, object],
    contacts: list[Mapping[str, object]] | None = None,
) -> OrganisationView:
    """The JSON API's partial update: fields left out keep their value; contacts, when sent,
    replace the list (an empty list is refused: one contact is required)."""
    organisation_id = own_organisation_id(principal)
    current = await get_organisation(organisation_id, with_contacts=True)
    values: dict[str, object] = dict(form_values_of(current))
    values.update({key: value for key, value in changes.items() if value is not None})
    if contacts is not None:
        if len(contacts) > MAX_CONTACTS:
            raise ValidationFailed({"contacts": f"担当者は{MAX_CONTACTS}名まで登録できます。"})
        values = {key: value for key, value in values.items() if not key.startswith("contact_")}
        for prefix, contact in zip(CONTACT_PREFIXES, contacts, strict=False):
            values.update({f"{prefix}{key}": contact.get(key) or "" for key in CONTACT_KEYS})
    return await update_own_organisation(principal, values)


# --- colleagues' accounts -----------------------------------------------------------------------


def member_role_of(view: accounts.AccountView) -> Role:
    return Role.MEMBER_ADMIN if Role.MEMBER_ADMIN in view.roles else Role.MEMBER_USER


def _is_usable_admin(view: accounts.AccountView) -> bool:
    return Role.MEMBER_ADMIN in view.roles and view.is_active and view.has_password


async def list_colleagues(principal: Principal, page: PageRequest) -> Page[accounts.AccountView]:
    return await accounts.list_organisation_accounts(own_organisation_id(principal), page)


async def get_colleague(principal: Principal, account_id: int) -> accounts.AccountView:
    """An account of the principal's own organisation; any other id is simply not found."""
    organisation_id = own_organisation_id(principal)
    try:
        view = await accounts.get_account(account_id)
    except NotFound:
        raise NotFound(COLLEAGUE_NOT_FOUND) from None
    if view.organisation_id != organisation_id:
        raise NotFound(COLLEAGUE_NOT_FOUND)
    return view


async def invite_colleague(
    settings: Settings, principal: Principal, email: object, display_name: object
) -> accounts.AccountView:
    """Invite a colleague as a member user of the organisation (a single-use link by mail)."""
    organisation_id = own_organisation_id(principal)
    data = accounts.validate_account_input(email, display_name, [Role.MEMBER_USER.value])
    try:
        view, _ = await accounts.invite_account(
            settings, principal, replace(data, organisation_id=organisation_id)
        )
    except ValidationFailed as exc:
        if "email" in exc.errors:
            raise ValidationFailed({**exc.errors, "email": EMAIL_TAKEN}) from None
        raise
    return view


async def resend_colleague_invitation(
    settings: Settings, principal: Principal, account_id: int
) -> None:
    await get_colleague(principal, account_id)
    await accounts.resend_invitation(settings, principal, account_id)


async def _lock_organisation(organisation_id: int) -> None:
    """Serialise admin changes of one organisation. SQLite's write transactions are IMMEDIATE and
    already exclusive; PostgreSQL locks the organisation's row until the transaction ends."""
    if is_postgres():
        await (
            Organisation.select(Organisation.id)
            .where(Organisation.id == organisation_id)
            .lock_rows()
        )


def _with_member_role(view: accounts.AccountView, role: Role) -> list[str]:
    # Member accounts hold one member role; any other role they might have is kept.
    others = [value for value in view.roles if value not in MEMBER_ROLES]
    return sorted({*others, role})


async def _ensure_an_admin_remains(organisation_id: int) -> None:
    if await accounts.count_usable_member_admins(organisation_id) == 0:
        raise ValidationFailed({"account": LAST_ADMIN}, LAST_ADMIN)


async def update_colleague(
    principal: Principal,
    account_id: int,
    *,
    role: str | None = None,
    is_active: bool | None = None,
) -> accounts.AccountView:
    """Change a colleague's member role or deactivate/reactivate them (their sessions end at
    once). Refused when it would leave no member admin who can act."""
    errors: dict[str, str] = {}
    new_role: Role | None = None
    if role is not None:
        if role not in {value.value for value in MEMBER_ROLES}:
            errors["role"] = "役割は「会員ユーザー」か「会員管理者」を選んでください。"
        else:
            new_role = Role(role)
    if errors:
        raise ValidationFailed(errors)
    organisation_id = own_organisation_id(principal)
    async with transaction():
        await _lock_organisation(organisation_id)
        before = await get_colleague(principal, account_id)
        if account_id == principal.account_id and is_active is False:
            raise ValidationFailed({"is_active": "自分自身のアカウントは無効にできません。"})
        after = await accounts.update_account(
            principal,
            account_id,
            roles=_with_member_role(before, new_role) if new_role else None,
            is_active=is_active,
        )
        if _is_usable_admin(before) and not _is_usable_admin(after):
            await _ensure_an_admin_remains(organisation_id)
    return after


async def hand_over_admin(
    principal: Principal, account_id: int, *, step_down: bool = False
) -> accounts.AccountView:
    """Make a colleague a member admin and, if asked, make oneself a member user, in one step."""
    organisation_id = own_organisation_id(principal)
    async with transaction():
        await _lock_organisation(organisation_id)
        target = await get_colleague(principal, account_id)
        errors: dict[str, str] = {}
        if target.id == principal.account_id:
            errors["account_id"] = "引き継ぐ相手には、自分以外の同僚を選んでください。"
        elif not target.is_active:
            errors["account_id"] = (
                "無効になっている同僚には引き継げません。先に有効にしてください。"
            )
        elif step_down and not target.has_password:
            errors["account_id"] = (
                "招待を承諾していない（パスワード未設定の）同僚に引き継いで、"
                "自分が会員管理者を外れることはできません。承諾後にもう一度お試しください。"
            )
        elif not step_down and Role.MEMBER_ADMIN in target.roles:
            errors["account_id"] = "この同僚はすでに会員管理者です。"
        if errors:
            raise ValidationFailed(errors)
        if Role.MEMBER_ADMIN not in target.roles:
            target = await accounts.update_account(
                principal, account_id, roles=_with_member_role(target, Role.MEMBER_ADMIN)
            )
        if step_down:
            me = await get_colleague(principal, principal.account_id)
            await accounts.update_account(
                principal, me.id, roles=_with_member_role(me, Role.MEMBER_USER)
            )
            await _ensure_an_admin_remains(organisation_id)
        await audit.record(
            principal, "organisation.admin_handover", "organisation", organisation_id,
            target_label=target.email, after={"new_admin": target.email, "stepped_down": step_down},
        )  # fmt: skip
    return target


def colleague_state(view: accounts.AccountView) -> str:
    """ "inactive", "invited" (no password yet) or "active": what the colleague list shows."""
    if not view.is_active:
        return "inactive"
    return "active" if view.has_password else "invited"
