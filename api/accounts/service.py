"""Accounts: login with throttling, sessions, passwords, invitations, roles and API tokens.

Every function that writes runs in one transaction and records an audit entry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from api import clock
from api.accounts.passwords import password_problem, passwords_for
from api.accounts.tables import (
    Account,
    AccountRole,
    ApiToken,
    LoginAttempt,
    OneTimeToken,
    UserSession,
)
from api.audit import service as audit
from api.db import contains, is_storable_id, text_agg, transaction
from api.errors import Conflict, NotFound, TooManyAttempts, ValidationFailed
from api.mail.service import queue_mail
from api.pagination import Page, PageRequest
from api.permissions import ROLE_LABELS, SCOPES, Role
from api.principal import Principal
from api.settings import Settings
from api.text import clean, email_problem, lookup_text, normalize_email, required_text_problem

PURPOSE_RESET = "password_reset"
PURPOSE_INVITATION = "invitation"
LOGIN_FAILED_MESSAGE = "メールアドレスまたはパスワードが正しくありません。"
THROTTLED_MESSAGE = (
    "ログインに続けて失敗したため、一時的にログインを制限しています。"
    "15分ほどたってから再度お試しください。"
)
RESET_REQUESTED_MESSAGE = (
    "入力されたメールアドレスが登録されている場合、パスワード再設定用のリンクをお送りしました。"
)
RESET_THROTTLED_MESSAGE = (
    "パスワード再設定の申請が短い時間に続いたため、一時的に受け付けを制限しています。"
    "1時間ほどたってから再度お試しください。"
)
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class AccountView:
    id: int
    email: str
    display_name: str
    roles: frozenset[Role]
    is_active: bool
    has_password: bool
    created_at: datetime
    last_login_at: datetime | None
    organisation_id: int | None = None

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[role] for role in Role if role in self.roles]

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of an account (never the password hash)."""
        return {
            "email": self.email,
            "display_name": self.display_name,
            "roles": sorted(self.roles),
            "is_active": self.is_active,
        }


@dataclass(frozen=True, slots=True)
class LoginResult:
    principal: Principal
    session_token: str


async def _roles_of(account_ids: list[int]) -> dict[int, frozenset[Role]]:
    if not account_ids:
        return {}
    rows = await AccountRole.select(AccountRole.account, AccountRole.role).where(
        AccountRole.account.is_in(account_ids)
    )
    found: dict[int, set[Role]] = {account_id: set() for account_id in account_ids}
    for row in rows:
        if row["role"] in Role.__members__.values():
            found[row["account"]].add(Role(row["role"]))
    return {key: frozenset(value) for key, value in found.items()}


def _roles_subquery(account_column: Literal["a.id", "account.id"]) -> str:
    """An account's roles as one space-separated text column of the caller's query."""
    roles = text_agg("r.role")
    return f"(SELECT {roles} FROM account_role r WHERE r.account = {account_column})"  # noqa: S608


def _principal_sql(source: Literal["user_session", "api_token"], columns: str) -> str:
    """One statement for a signed-in request: the session (or token), its account, the account's
    organisation and roles. Written out rather than built by the ORM: it runs on every request,
    and building the joined query cost more than running it."""
    # No outside text: source and columns are the literals of the two callers below.
    return (
        f'SELECT s.id, {columns}, a.id AS "account.id", a.email AS "account.email", '  # noqa: S608
        'a.display_name AS "account.display_name", a.is_active AS "account.is_active", '
        'o.id AS "account.organisation.id", o.status AS "account.organisation.status", '
        f"{_roles_subquery('a.id')} AS roles "
        f"FROM {source} s JOIN account a ON a.id = s.account "
        "LEFT JOIN organisation o ON o.id = a.organisation WHERE s.token_hash = {}"
    )


def _parse_roles(text: str | None) -> frozenset[Role]:
    known = Role.__members__.values()
    return frozenset(Role(name) for name in (text or "").split() if name in known)


def _view(row: dict[str, Any], roles: frozenset[Role]) -> AccountView:
    return AccountView(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        roles=roles,
        is_active=row["is_active"],
        has_password=row["password_hash"] is not None,
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        organisation_id=row["organisation"],
    )


async def get_account(account_id: int) -> AccountView:
    # An id beyond the column's range names no row (and would overflow the driver).
    rows: list[dict[str, Any]] = []
    if is_storable_id(account_id):
        rows = await Account.select().where(Account.id == account_id)
    if not rows:
        raise NotFound("指定されたユーザーは見つかりませんでした。")
    roles = await _roles_of([account_id])
    return _view(rows[0], roles[account_id])


async def _find_account(account_id: int) -> AccountView | None:
    try:
        return await get_account(account_id)
    except NotFound:
        return None


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountInput:
    email: str
    display_name: str
    roles: frozenset[Role]
    organisation_id: int | None = None  # a member organisation's user or admin


def validate_account_input(
    email: object, display_name: object, roles: list[str] | None
) -> AccountInput:
    errors: dict[str, str] = {}
    clean_email = normalize_email(email)
    name = clean(display_name, 100)
    if problem := email_problem(clean_email):
        errors["email"] = problem
    if problem := required_text_problem(name, "氏名", 100):
        errors["display_name"] = problem
    role_values = roles or []
    unknown = [value for value in role_values if value not in Role.__members__.values()]
    if unknown:
        errors["roles"] = "選択できない役割が含まれています。"
    if errors:
        raise ValidationFailed(errors)
    return AccountInput(
        email=clean_email, display_name=name, roles=frozenset(Role(v) for v in role_values)
    )


# --- creating accounts ------------------------------------------------------------------------


async def _insert_account(data: AccountInput, password_hash: str | None) -> int:
    if await Account.exists().where(Account.email == data.email):
        raise ValidationFailed({"email": "このメールアドレスはすでに登録されています。"})
    rows = await Account.insert(
        Account(
            email=data.email,
            display_name=data.display_name,
            password_hash=password_hash,
            organisation=data.organisation_id,
        )
    ).returning(Account.id)
    account_id = int(rows[0]["id"])
    if data.roles:
        await AccountRole.insert(
            *[AccountRole(account=account_id, role=role.value) for role in sorted(data.roles)]
        )
    return account_id


async def invite_account(
    settings: Settings, actor: Principal, data: AccountInput
) -> tuple[AccountView, str]:
    """Create an account without a password and mail a single-use invitation link."""
    async with transaction():
        account_id = await _insert_account(data, password_hash=None)
        token = await _issue_one_time_token(
            account_id, PURPOSE_INVITATION, timedelta(days=settings.invitation_days)
        )
        link = f"{settings.public_base_url}/invitation/{token}"
        await queue_mail(
            data.email,
            "【熊本県DX推進コンソーシアム】アカウントへのご招待",
            f"{data.display_name} 様\n\n"
            "熊本県DX推進コンソーシアムのプラットフォームにご招待します。\n"
            f"次のリンクを開き、パスワードを設定してください（有効期限: {settings.invitation_days}日、1回限り）。\n\n"
            f"{link}\n\n"
            "お心当たりのない場合は、このメールを破棄してください。\n",
        )
        view = await get_account(account_id)
        await audit.record(
            actor, "account.invite", "account", account_id,
            target_label=data.email, after=view.snapshot(),
        )  # fmt: skip
    return view, token


async def create_account_with_password(
    settings: Settings,
    data: AccountInput,
    password: str,
    actor: Principal | None = None,
    action: str = "account.create",
) -> AccountView:
    """Used by the create-admin command and the demo content; people normally get invitations."""
    if problem := password_problem(password, data.email):
        raise ValidationFailed({"password": problem})
    password_hash = await passwords_for(settings.argon2).hash(password)
    async with transaction():
        account_id = await _insert_account(data, password_hash)
        view = await get_account(account_id)
        await audit.record(
            actor, action, "account", account_id, target_label=data.email, after=view.snapshot()
        )
    return view


# --- login, sessions --------------------------------------------------------------------------


def _attempt_keys(settings: Settings, email: str, client_address: str) -> list[tuple[str, int]]:
    """Failure counters and their limits: one account, and one client address. Offices share an
    address behind NAT, so the address allows more failures than one account does."""
    return [
        (f"account:{email}", settings.login_max_failures),
        (f"address:{client_address}", settings.login_max_failures_per_client),
    ]


async def _is_throttled(settings: Settings, keys: list[tuple[str, int]]) -> bool:
    """Whether any key reached its limit of recent failures (one query for all keys)."""
    since = clock.now() - timedelta(minutes=settings.login_window_minutes)
    rows = (
        await LoginAttempt.select(LoginAttempt.key, Count(alias="failures"))
        .where(
            LoginAttempt.key.is_in([key for key, _ in keys])
            & (LoginAttempt.attempted_at >= since)
            & (LoginAttempt.succeeded.eq(False))
        )
        .group_by(LoginAttempt.key)
    )
    failures = {row["key"]: row["failures"] for row in rows}
    return any(failures.get(key, 0) >= limit for key, limit in keys)


async def login(
    settings: Settings,
    email: object,
    password: object,
    client_address: str,
    user_agent: str = "",
    replaces_session_token: str | None = None,
) -> LoginResult:
    """Check credentials and open a new session (the old one, if any, is ended: rotation).

    The message and the work done are the same whether or not the account exists.
    """
    # Control characters cannot be part of any address (and PostgreSQL refuses NUL).
    address = lookup_text(email, 254).lower()
    password_text = str(password or "")[:1024]
    errors: dict[str, str] = {}
    if not address:
        errors["email"] = "メールアドレスを入力してください。"
    if not password_text:
        errors["password"] = "パスワードを入力してください。"
    if errors:
        raise ValidationFailed(errors)
    keys = _attempt_keys(settings, address, client_address)
    if await _is_throttled(settings, keys):
        raise TooManyAttempts(THROTTLED_MESSAGE)

    rows = await Account.select(
        Account.all_columns(),
        Account.organisation.id,
        Account.organisation.status,
        QueryString(f"{_roles_subquery('account.id')} AS roles"),  # no query for them later
    ).where(Account.email == address)
    row = rows[0] if rows else None
    passwords = passwords_for(settings.argon2)
    result = await passwords.verify(row["password_hash"] if row else None, password_text)
    if row is None or not result.ok or not row["is_active"]:
        async with transaction():
            await LoginAttempt.insert(*[LoginAttempt(key=key, succeeded=False) for key, _ in keys])
        raise ValidationFailed({"email": LOGIN_FAILED_MESSAGE}, LOGIN_FAILED_MESSAGE)

    # Hashed before the transaction: the writer slot is not held while argon2 works.
    new_hash = await passwords.hash(password_text) if result.needs_rehash else None
    async with transaction():
        now = clock.now()
        values: dict[Any, Any] = {Account.last_login_at: now}
        if new_hash is not None:
            values[Account.password_hash] = new_hash
        await Account.update(values).where(Account.id == row["id"])
        if replaces_session_token:
            await UserSession.delete().where(
                UserSession.token_hash == hash_token(replaces_session_token)
            )
        token, session_id = await _open_session(settings, row["id"], client_address, user_agent)
        await LoginAttempt.insert(LoginAttempt(key=keys[0][0], succeeded=True))
        principal = Principal(
            account_id=row["id"],
            email=row["email"],
            display_name=row["display_name"],
            roles=_parse_roles(row["roles"]),
            session_id=session_id,
            client_address=client_address,
            **_organisation_of(row, "organisation"),
        )
        await audit.record(principal, "session.login", "account", row["id"], target_label=address)
    return LoginResult(principal=principal, session_token=token)


async def _open_session(
    settings: Settings, account_id: int, client_address: str, user_agent: str
) -> tuple[str, int]:
    token = new_token()
    now = clock.now()
    rows = await UserSession.insert(
        UserSession(
            token_hash=hash_token(token),
            account=account_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            client_address=client_address[:64],
            user_agent=user_agent[:255],
        )
    ).returning(UserSession.id)
    return token, int(rows[0]["id"])


async def logout(principal: Principal) -> None:
    if principal.session_id is None:
        return
    async with transaction():
        await UserSession.delete().where(UserSession.id == principal.session_id)
        await audit.record(
            principal,
            "session.logout",
            "account",
            principal.account_id,
            target_label=principal.email,
        )


def _organisation_of(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The principal's organisation fields from a row joined to the account's organisation."""
    organisation_id = row.get(f"{prefix}.id")
    # Membership status values belong to the members domain; "active" is the one that opens it.
    return {
        "organisation_id": organisation_id,
        "organisation_active": organisation_id is not None
        and row.get(f"{prefix}.status") == "active",
    }


async def resolve_session(
    settings: Settings, token: str, client_address: str = ""
) -> Principal | None:
    """The principal of a live session, or None (expired, idle too long, account inactive)."""
    if not token or len(token) > 200:
        return None
    sql = _principal_sql("user_session", "s.last_seen_at, s.expires_at")
    rows = await UserSession.raw(sql, hash_token(token))
    if not rows:
        return None
    row = rows[0]
    now = clock.now()
    idle_limit = row["last_seen_at"] + timedelta(minutes=settings.session_idle_minutes)
    if not row["account.is_active"] or row["expires_at"] <= now or idle_limit <= now:
        await UserSession.delete().where(UserSession.id == row["id"])
        return None
    if now - row["last_seen_at"] >= TOUCH_INTERVAL:
        await UserSession.update({UserSession.last_seen_at: now}).where(UserSession.id == row["id"])
    account_id = row["account.id"]
    return Principal(
        account_id=account_id,
        email=row["account.email"],
        display_name=row["account.display_name"],
        roles=_parse_roles(row["roles"]),
        session_id=row["id"],
        client_address=client_address,
        **_organisation_of(row, "account.organisation"),
    )


async def resolve_api_token(token: str, client_address: str = "") -> Principal | None:
    if not token or len(token) > 200:
        return None
    sql = _principal_sql("api_token", "s.scopes, s.revoked_at, s.last_used_at")
    rows = await ApiToken.raw(sql, hash_token(token))
    if not rows or rows[0]["revoked_at"] is not None or not rows[0]["account.is_active"]:
        return None
    row = rows[0]
    now = clock.now()
    if row["last_used_at"] is None or now - row["last_used_at"] >= TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    account_id = row["account.id"]
    return Principal(
        account_id=account_id,
        email=row["account.email"],
        display_name=row["account.display_name"],
        roles=_parse_roles(row["roles"]),
        token_scopes=frozenset(row["scopes"].split()),
        client_address=client_address,
        **_organisation_of(row, "account.organisation"),
    )


async def end_sessions(account_id: int, keep_session_id: int | None = None) -> int:
    query = UserSession.delete().where(UserSession.account == account_id)
    if keep_session_id is not None:
        query = UserSession.delete().where(
            (UserSession.account == account_id) & (UserSession.id != keep_session_id)
        )
    rows = await query.returning(UserSession.id)
    return len(rows)


async def count_sessions(account_id: int) -> int:
    return await UserSession.count().where(UserSession.account == account_id)


# --- passwords --------------------------------------------------------------------------------


def _new_password_errors(password: str, confirmation: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := password_problem(password, email):
        errors["new_password"] = problem
    elif password != confirmation:
        errors["new_password_confirmation"] = "確認用のパスワードが一致しません。"
    return errors


async def change_password(
    settings: Settings,
    principal: Principal,
    current_password: object,
    new_password: object,
    confirmation: object,
) -> None:
    """Change one's own password; other sessions of the account end."""
    current, new, again = (
        str(current_password or ""),
        str(new_password or ""),
        str(confirmation or ""),
    )
    rows = await Account.select(Account.password_hash).where(Account.id == principal.account_id)
    passwords = passwords_for(settings.argon2)
    errors = _new_password_errors(new, again, principal.email)
    if not current:
        errors["current_password"] = "現在のパスワードを入力してください。"
    elif not rows or not (await passwords.verify(rows[0]["password_hash"], current[:1024])).ok:
        errors["current_password"] = "現在のパスワードが正しくありません。"
    if errors:
        raise ValidationFailed(errors)
    new_hash = await passwords.hash(new)
    async with transaction():
        await Account.update(
            {Account.password_hash: new_hash, Account.updated_at: clock.now()}
        ).where(Account.id == principal.account_id)
        ended = await end_sessions(principal.account_id, keep_session_id=principal.session_id)
        await audit.record(
            principal, "account.password_change", "account", principal.account_id,
            target_label=principal.email, after={"other_sessions_ended": ended},
        )  # fmt: skip


async def _issue_one_time_token(account_id: int, purpose: str, valid_for: timedelta) -> str:
    # A new link replaces any earlier unused one of the same purpose.
    await OneTimeToken.update({OneTimeToken.used_at: clock.now()}).where(
        (OneTimeToken.account == account_id)
        & (OneTimeToken.purpose == purpose)
        & OneTimeToken.used_at.is_null()
    )
    token = new_token()
    await OneTimeToken.insert(
        OneTimeToken(
            token_hash=hash_token(token),
            account=account_id,
            purpose=purpose,
            expires_at=clock.now() + valid_for,
        )
    )
    return token


def _reset_keys(email: str, client_address: str) -> tuple[str, str]:
    # Rows of the login-attempt table under keys of their own (login uses "account:"/"address:").
    return f"reset-mail:{email}", f"reset-client:{client_address}"


async def _recent_attempts(key: str, window_minutes: int) -> int:
    since = clock.now() - timedelta(minutes=window_minutes)
    return await LoginAttempt.count().where(
        (LoginAttempt.key == key) & (LoginAttempt.attempted_at >= since)
    )


async def rate_limit(key: str, limit: int, window_minutes: int, message: str, detail: str) -> None:
    """Count one more action under `key` (a kind and a client address) and refuse it with
    TooManyAttempts when `limit` were counted within the window (kept a day, like login
    attempts)."""
    if await _recent_attempts(key, window_minutes) >= limit:
        raise TooManyAttempts(message)
    async with transaction():
        await LoginAttempt.insert(LoginAttempt(key=key, detail=detail))


async def request_password_reset(
    settings: Settings, email: object, client_address: str = ""
) -> None:
    """Mail a reset link if the address belongs to an active account; say nothing either way.

    Throttled per client address (TooManyAttempts, whatever the address) and per e-mail address
    (silently: no further mail, the same answer, so the limit tells nothing about the account).
    """
    address = normalize_email(email)
    if problem := email_problem(address):
        raise ValidationFailed({"email": problem})
    window = settings.password_reset_window_minutes
    mail_key, client_key = _reset_keys(address, client_address)
    # Every request counts against the client, known address or not.
    await rate_limit(
        client_key, settings.password_reset_max_requests, window, RESET_THROTTLED_MESSAGE,
        "password_reset",
    )  # fmt: skip
    rows = await Account.select(Account.id, Account.display_name, Account.is_active).where(
        Account.email == address
    )
    if not rows or not rows[0]["is_active"]:
        return
    if await _recent_attempts(mail_key, window) >= settings.password_reset_max_mails:
        return
    async with transaction():
        await LoginAttempt.insert(LoginAttempt(key=mail_key, detail="password_reset"))
        token = await _issue_one_time_token(
            rows[0]["id"], PURPOSE_RESET, timedelta(minutes=settings.password_reset_minutes)
        )
        await queue_mail(
            address,
            "【熊本県DX推進コンソーシアム】パスワード再設定のご案内",
            f"{rows[0]['display_name']} 様\n\n"
            "パスワード再設定の申請を受け付けました。次のリンクから新しいパスワードを設定してください"
            f"（有効期限: {settings.password_reset_minutes}分、1回限り）。\n\n"
            f"{settings.public_base_url}/password-reset/{token}\n\n"
            "お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。\n",
        )
        await audit.record(
            None, "account.password_reset_request", "account", rows[0]["id"], target_label=address
        )


@dataclass(frozen=True, slots=True)
class TokenHolder:
    account_id: int
    email: str
    display_name: str


async def check_one_time_token(token: str, purpose: str) -> TokenHolder:
    """The account behind a usable link, or NotFound with a message that explains what to do."""
    expired = (
        "このリンクは無効か、有効期限が切れています。"
        + ("もう一度パスワード再設定を申請してください。" if purpose == PURPOSE_RESET
           else "事務局に招待の再送を依頼してください。")
    )  # fmt: skip
    if not token or len(token) > 200:
        raise NotFound(expired)
    rows = await OneTimeToken.select(
        OneTimeToken.id,
        OneTimeToken.expires_at,
        OneTimeToken.used_at,
        OneTimeToken.account.id,
        OneTimeToken.account.email,
        OneTimeToken.account.display_name,
        OneTimeToken.account.is_active,
    ).where((OneTimeToken.token_hash == hash_token(token)) & (OneTimeToken.purpose == purpose))
    if (
        not rows
        or rows[0]["used_at"] is not None
        or rows[0]["expires_at"] <= clock.now()
        or not rows[0]["account.is_active"]
    ):
        raise NotFound(expired)
    return TokenHolder(
        account_id=rows[0]["account.id"],
        email=rows[0]["account.email"],
        display_name=rows[0]["account.display_name"],
    )


async def set_password_with_token(
    settings: Settings, token: str, purpose: str, new_password: object, confirmation: object
) -> TokenHolder:
    """Reset a forgotten password or accept an invitation; the link works once."""
    holder = await check_one_time_token(token, purpose)
    new, again = str(new_password or ""), str(confirmation or "")
    errors = _new_password_errors(new, again, holder.email)
    if errors:
        raise ValidationFailed(errors)
    new_hash = await passwords_for(settings.argon2).hash(new)
    async with transaction():
        # Mark used first and check that it was still unused: two tabs cannot both use it.
        used = (
            await OneTimeToken.update({OneTimeToken.used_at: clock.now()})
            .where((OneTimeToken.token_hash == hash_token(token)) & OneTimeToken.used_at.is_null())
            .returning(OneTimeToken.id)
        )
        if not used:
            raise Conflict("このリンクはすでに使用されています。")
        await Account.update(
            {
                Account.password_hash: new_hash,
                Account.updated_at: clock.now(),
            }
        ).where(Account.id == holder.account_id)
        ended = await end_sessions(holder.account_id)
        action = (
            "account.password_reset" if purpose == PURPOSE_RESET else "account.invitation_accept"
        )
        await audit.record(
            None, action, "account", holder.account_id,
            target_label=holder.email, after={"sessions_ended": ended},
        )  # fmt: skip
    return holder


# --- administration ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountFilter:
    q: str = ""
    role: str = ""
    status: str = ""  # "", "active", "inactive", "invited"


async def list_accounts(filters: AccountFilter, page: PageRequest) -> Page[AccountView]:
    clauses: list[Any] = []
    q = lookup_text(filters.q, 100)
    if q:
        clauses.append(contains(Account.email, q) | contains(Account.display_name, q))
    if filters.role in Role.__members__.values():
        clauses.append(
            Account.id.is_in(
                AccountRole.select(AccountRole.account).where(AccountRole.role == filters.role)
            )
        )
    if filters.status == "active":
        clauses.append(Account.is_active.eq(True) & Account.password_hash.is_not_null())
    elif filters.status == "inactive":
        clauses.append(Account.is_active.eq(False))
    elif filters.status == "invited":
        clauses.append(Account.is_active.eq(True) & Account.password_hash.is_null())
    query = Account.select().order_by(Account.email)
    count = Account.count()
    if clauses:
        query = query.where(*clauses)
        count = count.where(*clauses)
    rows = await query.limit(page.per_page).offset(page.offset)
    roles = await _roles_of([row["id"] for row in rows])
    items = [_view(row, roles[row["id"]]) for row in rows]
    return Page(items=items, total=await count, page=page.page, per_page=page.per_page)


async def _active_admin_count(excluding: int) -> int:
    return await Account.count().where(
        Account.is_active.eq(True)
        & (Account.id != excluding)
        & Account.id.is_in(
            AccountRole.select(AccountRole.account).where(AccountRole.role == Role.ADMIN.value)
        )
    )


async def update_account(
    actor: Principal,
    account_id: int,
    *,
    display_name: object | None = None,
    roles: list[str] | None = None,
    is_active: bool | None = None,
) -> AccountView:
    """Change a user's name, roles or active state; deactivating ends their sessions at once."""
    before = await get_account(account_id)
    errors: dict[str, str] = {}
    name = before.display_name
    if display_name is not None:
        name = clean(display_name, 100)
        if problem := required_text_problem(name, "氏名", 100):
            errors["display_name"] = problem
    new_roles = before.roles
    if roles is not None:
        if any(value not in Role.__members__.values() for value in roles):
            errors["roles"] = "選択できない役割が含まれています。"
        else:
            new_roles = frozenset(Role(value) for value in roles)
    active = before.is_active if is_active is None else is_active
    loses_admin = Role.ADMIN in before.roles and (Role.ADMIN not in new_roles or not active)
    if loses_admin and await _active_admin_count(excluding=account_id) == 0:
        errors.setdefault(
            "roles", "有効なシステム管理者が1人もいなくなるため、この変更はできません。"
        )
    if account_id == actor.account_id and not active:
        errors["is_active"] = "自分自身のアカウントは無効にできません。"
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await Account.update(
            {Account.display_name: name, Account.is_active: active, Account.updated_at: clock.now()}
        ).where(Account.id == account_id)
        if new_roles != before.roles:
            await AccountRole.delete().where(AccountRole.account == account_id)
            if new_roles:
                await AccountRole.insert(
                    *[
                        AccountRole(account=account_id, role=role.value)
                        for role in sorted(new_roles)
                    ]
                )
        ended = 0
        if before.is_active and not active:
            ended = await end_sessions(account_id)
        after = await get_account(account_id)
        if after.snapshot() != before.snapshot():
            action = "account.update"
            if before.is_active != active:
                action = "account.deactivate" if not active else "account.reactivate"
            elif new_roles != before.roles:
                action = "account.roles_change"
            snapshot = after.snapshot() | ({"sessions_ended": ended} if ended else {})
            await audit.record(
                actor, action, "account", account_id,
                target_label=after.email, before=before.snapshot(), after=snapshot,
            )  # fmt: skip
    return after


async def resend_invitation(settings: Settings, actor: Principal, account_id: int) -> str:
    account = await get_account(account_id)
    if account.has_password:
        raise ValidationFailed({"account": "このユーザーはすでにパスワードを設定済みです。"})
    if not account.is_active:
        raise ValidationFailed({"account": "無効なユーザーには招待を送れません。"})
    async with transaction():
        token = await _issue_one_time_token(
            account_id, PURPOSE_INVITATION, timedelta(days=settings.invitation_days)
        )
        await queue_mail(
            account.email,
            "【熊本県DX推進コンソーシアム】アカウントへのご招待（再送）",
            f"{account.display_name} 様\n\n"
            "次のリンクを開き、パスワードを設定してください"
            f"（有効期限: {settings.invitation_days}日、1回限り）。\n\n"
            f"{settings.public_base_url}/invitation/{token}\n",
        )
        await audit.record(
            actor, "account.invite_resend", "account", account_id, target_label=account.email
        )
    return token


# --- API tokens -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiTokenView:
    id: int
    name: str
    prefix: str
    account_id: int
    account_email: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def create_api_token(
    actor: Principal, account_id: int, name: object, scopes: list[str]
) -> tuple[ApiTokenView, str]:
    """A new token for the account with this id (the JSON API)."""
    account = await _find_account(account_id)
    errors: dict[str, str] = {}
    if account is None:
        errors["account_id"] = "トークンを使うユーザーを選択してください。"
    elif not account.is_active:
        errors["account_id"] = "無効なユーザーにはトークンを発行できません。"
    return await _create_api_token(actor, account, name, scopes, errors)


async def create_api_token_for_email(
    actor: Principal, email: object, name: object, scopes: list[str]
) -> tuple[ApiTokenView, str]:
    """A new token for the account with this e-mail address (the console form: a typed address
    scales to any number of users, where a list to choose from does not)."""
    address = normalize_email(email)
    account: AccountView | None = None
    problem = email_problem(address)
    if problem is None:
        rows = await Account.select(Account.id).where(Account.email == address)
        account = await _find_account(rows[0]["id"]) if rows else None
        if account is None:
            problem = "このメールアドレスのユーザーは登録されていません。"
        elif not account.is_active:
            problem = (
                "このメールアドレスのユーザーは無効になっているため、トークンを発行できません。"
            )
    return await _create_api_token(
        actor, account, name, scopes, {"account_email": problem} if problem else {}
    )


async def _create_api_token(
    actor: Principal,
    account: AccountView | None,
    name: object,
    scopes: list[str],
    account_errors: dict[str, str],
) -> tuple[ApiTokenView, str]:
    """A new token; the plain value is returned once and only its hash is kept."""
    label = clean(name, 100)
    errors: dict[str, str] = {}
    if problem := required_text_problem(label, "トークン名", 100):
        errors["name"] = problem
    errors.update(account_errors)
    if not scopes:
        errors["scopes"] = "スコープを1つ以上選択してください。"
    elif any(scope not in SCOPES for scope in scopes):
        errors["scopes"] = "選択できないスコープが含まれています。"
    if errors or account is None:
        raise ValidationFailed(errors)
    account_id = account.id
    token = "kdx_" + new_token()
    async with transaction():
        rows = await ApiToken.insert(
            ApiToken(
                name=label,
                token_hash=hash_token(token),
                prefix=token[:12],
                account=account_id,
                scopes=" ".join(sorted(set(scopes))),
                created_by=actor.account_id,
            )
        ).returning(ApiToken.id)
        token_id = int(rows[0]["id"])
        await audit.record(
            actor, "token.create", "api_token", token_id,
            target_label=f"{label} ({account.email})",
            after={"account": account.email, "scopes": sorted(set(scopes))},
        )  # fmt: skip
    views = await list_api_tokens(token_id=token_id)
    return views[0], token


async def list_api_tokens(token_id: int | None = None) -> list[ApiTokenView]:
    query = ApiToken.select(
        ApiToken.all_columns(exclude=[ApiToken.token_hash]), ApiToken.account.email
    ).order_by(ApiToken.id, ascending=False)
    if token_id is not None:
        if not is_storable_id(token_id):
            return []
        query = query.where(ApiToken.id == token_id)
    rows = await query
    return [
        ApiTokenView(
            id=r["id"],
            name=r["name"],
            prefix=r["prefix"],
            account_id=r["account"],
            account_email=r["account.email"],
            scopes=tuple(r["scopes"].split()),
            created_at=r["created_at"],
            last_used_at=r["last_used_at"],
            revoked_at=r["revoked_at"],
        )
        for r in rows
    ]


async def revoke_api_token(actor: Principal, token_id: int) -> None:
    tokens = await list_api_tokens(token_id=token_id)
    if not tokens:
        raise NotFound("指定されたトークンは見つかりませんでした。")
    if tokens[0].revoked_at is not None:
        return
    async with transaction():
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(ApiToken.id == token_id)
        await audit.record(
            actor, "token.revoke", "api_token", token_id, target_label=tokens[0].name
        )


async def purge_expired() -> dict[str, int]:
    """Housekeeping run by the worker: drop sessions, links and login attempts nobody can use."""
    now = clock.now()
    async with transaction():
        sessions = (
            await UserSession.delete()
            .where(UserSession.expires_at <= now)
            .returning(UserSession.id)
        )
        tokens = (
            await OneTimeToken.delete()
            .where(OneTimeToken.expires_at <= now - timedelta(days=30))
            .returning(OneTimeToken.id)
        )
        attempts = (
            await LoginAttempt.delete()
            .where(LoginAttempt.attempted_at <= now - timedelta(days=1))
            .returning(LoginAttempt.id)
        )
    return {"sessions": len(sessions), "tokens": len(tokens), "login_attempts": len(attempts)}


# --- accounts of a member organisation (the member admin's tools in api.members.colleagues) -----


async def list_organisation_accounts(organisation_id: int, page: PageRequest) -> Page[AccountView]:
    """One member organisation's accounts by name: three queries whatever the page size."""
    where = Account.organisation == organisation_id
    rows = (
        await Account.select()
        .where(where)
        .order_by(Account.display_name)
        .order_by(Account.id)
        .limit(page.per_page)
        .offset(page.offset)
    )
    roles = await _roles_of([row["id"] for row in rows])
    items = [_view(row, roles[row["id"]]) for row in rows]
    total = await Account.count().where(where)
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


async def count_usable_member_admins(organisation_id: int) -> int:
    """Member admins of an organisation who can act: active and with a password (invitation
    accepted). An invitation nobody accepts must not count as the organisation's admin."""
    return await Account.count().where(
        (Account.organisation == organisation_id)
        & Account.is_active.eq(True)
        & Account.password_hash.is_not_null()
        & Account.id.is_in(
            AccountRole.select(AccountRole.account).where(
                AccountRole.role == Role.MEMBER_ADMIN.value
            )
        )
    )
