"""Rules of the accounts service that no page should be able to get around."""

import json
from dataclasses import replace

import pytest

from api.accounts import service
from api.accounts.tables import Account, UserSession
from api.audit.tables import AuditEntry
from api.errors import ValidationFailed
from api.pagination import PageRequest
from api.permissions import PERMISSIONS, Role
from api.principal import Principal
from api.settings import Argon2Parameters, Settings
from tests.conftest import PASSWORD, make_account


def as_principal(view: service.AccountView) -> Principal:
    return Principal(view.id, view.email, view.display_name, view.roles)


async def test_the_last_active_admin_cannot_lose_the_role(settings: Settings, db: None) -> None:
    admin = await make_account(settings, "admin@example.jp", {Role.ADMIN})
    with pytest.raises(ValidationFailed) as caught:
        await service.update_account(as_principal(admin), admin.id, roles=[Role.STAFF.value])
    assert "システム管理者" in caught.value.errors["roles"]
    second = await make_account(settings, "admin2@example.jp", {Role.ADMIN})
    after = await service.update_account(as_principal(second), admin.id, roles=["staff"])
    assert after.roles == {Role.STAFF}


async def test_nobody_deactivates_themselves(settings: Settings, db: None) -> None:
    admin = await make_account(settings, "admin@example.jp", {Role.ADMIN})
    await make_account(settings, "admin2@example.jp", {Role.ADMIN})
    with pytest.raises(ValidationFailed) as caught:
        await service.update_account(as_principal(admin), admin.id, is_active=False)
    assert "is_active" in caught.value.errors


async def test_deactivation_ends_sessions_and_is_audited_with_before_and_after(
    settings: Settings, db: None
) -> None:
    admin = await make_account(settings, "admin@example.jp", {Role.ADMIN})
    member = await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    login = await service.login(settings, "member@example.jp", PASSWORD, "10.0.0.1")
    assert await service.resolve_session(settings, login.session_token) is not None

    await service.update_account(as_principal(admin), member.id, is_active=False)

    assert await UserSession.count().where(UserSession.account == member.id) == 0
    assert await service.resolve_session(settings, login.session_token) is None
    entry = await AuditEntry.select().where(AuditEntry.action == "account.deactivate").first()
    assert entry is not None
    assert entry["actor_label"] == "admin@example.jp"
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert before["is_active"] is True and after["is_active"] is False
    assert after["sessions_ended"] == 1
    assert "password_hash" not in before


async def test_failed_validation_writes_nothing(settings: Settings, db: None) -> None:
    admin = await make_account(settings, "admin@example.jp", {Role.ADMIN})
    accounts_before = await Account.count()
    audit_before = await AuditEntry.count()
    with pytest.raises(ValidationFailed):
        await service.update_account(
            as_principal(admin), admin.id, display_name="", roles=["emperor"]
        )
    with pytest.raises(ValidationFailed):
        service.validate_account_input("not an address", "", ["admin"])
    assert await Account.count() == accounts_before
    assert await AuditEntry.count() == audit_before


async def test_emails_are_normalised_from_full_width(settings: Settings, db: None) -> None:
    data = service.validate_account_input("ＴＡＲＯ＠Ｅｘａｍｐｌｅ．ｊｐ", " 熊本　太郎 ", [])
    assert data.email == "taro@example.jp"
    assert data.display_name == "熊本 太郎"


async def test_password_hash_is_upgraded_when_parameters_change(
    settings: Settings, db: None
) -> None:
    await make_account(settings, "member@example.jp")
    old = await Account.select(Account.password_hash).first()
    stronger = replace(settings, argon2=Argon2Parameters(time_cost=2, memory_kib=16, parallelism=1))
    await service.login(stronger, "member@example.jp", PASSWORD, "10.0.0.1")
    new = await Account.select(Account.password_hash).first()
    assert new["password_hash"] != old["password_hash"]
    assert "m=16,t=2" in new["password_hash"]
    assert new["password_hash"].startswith("$argon2id$")


async def test_user_list_pages_and_filters(settings: Settings, db: None) -> None:
    for n in range(25):
        await make_account(settings, f"user{n:02d}@example.jp", {Role.MEMBER_USER})
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    first = await service.list_accounts(service.AccountFilter(), PageRequest.of(1, 20))
    assert first.total == 26 and len(first.items) == 20 and first.pages == 2
    second = await service.list_accounts(service.AccountFilter(), PageRequest.of(2, 20))
    assert len(second.items) == 6
    staff = await service.list_accounts(service.AccountFilter(role="staff"), PageRequest.of(1))
    assert [a.email for a in staff.items] == ["staff@example.jp"]
    found = await service.list_accounts(service.AccountFilter(q="user1"), PageRequest.of(1))
    assert found.total == 10


def test_token_scopes_narrow_but_never_widen_roles() -> None:
    member = frozenset({Role.MEMBER_USER})
    admin = frozenset({Role.ADMIN})
    users_write = PERMISSIONS["users.manage"]
    assert users_write.allows(admin, None)
    assert users_write.allows(admin, frozenset({"users:write"}))
    assert not users_write.allows(admin, frozenset({"account:read"}))
    assert not users_write.allows(member, frozenset({"users:write"}))
    assert not PERMISSIONS["tokens.manage"].allows(admin, frozenset({"users:write"}))


async def test_user_list_query_count_does_not_grow_with_page_size(
    settings: Settings, db: None
) -> None:
    from tests.querycount import count_queries

    for n in range(60):
        await make_account(settings, f"user{n:02d}@example.jp", {Role.MEMBER_USER, Role.EDITOR})
    with count_queries() as small:
        await service.list_accounts(service.AccountFilter(), PageRequest.of(1, 5))
    with count_queries() as large:
        page = await service.list_accounts(service.AccountFilter(), PageRequest.of(1, 50))
    assert len(page.items) == 50 and all(len(a.roles) == 2 for a in page.items)
    assert small.count > 0
    assert large.count == small.count


async def test_housekeeping_purges_expired_sessions_and_old_attempts(
    settings: Settings, db: None, monkeypatch
) -> None:
    from datetime import timedelta

    from api import clock
    from api.accounts.tables import LoginAttempt

    await make_account(settings, "member@example.jp")
    await service.login(settings, "member@example.jp", PASSWORD, "10.0.0.1")
    with pytest.raises(ValidationFailed):
        await service.login(settings, "member@example.jp", "wrong password!", "10.0.0.1")
    fresh = await service.purge_expired()
    assert fresh == {"sessions": 0, "tokens": 0, "login_attempts": 0}

    later = clock.now() + timedelta(days=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    purged = await service.purge_expired()
    assert purged["sessions"] == 1 and purged["login_attempts"] >= 2
    assert await UserSession.count() == 0 and await LoginAttempt.count() == 0


# --- password reset throttling ------------------------------------------------------------------


async def _reset_mails(address: str) -> int:
    from api.mail.tables import OutboxMail

    return await OutboxMail.count().where(OutboxMail.to_address == address)


async def test_reset_mails_per_address_are_limited_silently(
    settings: Settings, db: None, monkeypatch
) -> None:
    from datetime import timedelta

    from api import clock

    await make_account(settings, "member@example.jp")
    limit = settings.password_reset_max_mails
    # From a new client each time: the per-address limit alone stops the mails.
    for n in range(limit + 2):
        await service.request_password_reset(settings, "Member@Example.jp", f"10.0.0.{n}")
    assert await _reset_mails("member@example.jp") == limit
    # The window passes: one more mail goes out.
    later = clock.now() + timedelta(minutes=settings.password_reset_window_minutes + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    await service.request_password_reset(settings, "member@example.jp", "10.0.1.1")
    assert await _reset_mails("member@example.jp") == limit + 1


async def test_reset_requests_per_client_are_limited(settings: Settings, db: None) -> None:
    from api.errors import TooManyAttempts

    await make_account(settings, "member@example.jp")
    # Unknown addresses count as much as known ones: the limit says nothing about accounts.
    for n in range(settings.password_reset_max_requests):
        await service.request_password_reset(settings, f"guess{n}@example.jp", "10.0.0.9")
    with pytest.raises(TooManyAttempts) as caught:
        await service.request_password_reset(settings, "member@example.jp", "10.0.0.9")
    assert caught.value.message == service.RESET_THROTTLED_MESSAGE
    assert await _reset_mails("member@example.jp") == 0
    # Another client is not affected, and neither is logging in from the throttled one.
    await service.request_password_reset(settings, "member@example.jp", "10.0.0.10")
    assert await _reset_mails("member@example.jp") == 1
    await service.login(settings, "member@example.jp", PASSWORD, "10.0.0.9")


async def test_invalid_reset_requests_do_not_count(settings: Settings, db: None) -> None:
    for _ in range(settings.password_reset_max_requests + 1):
        with pytest.raises(ValidationFailed):
            await service.request_password_reset(settings, "not an address", "10.0.0.9")
    await service.request_password_reset(settings, "nobody@example.jp", "10.0.0.9")
