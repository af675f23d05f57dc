"""Login, sessions, throttling, password reset, invitations and argon2 rehashing over HTTP."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from api import clock
from api.accounts import service as accounts
from api.accounts.passwords import Passwords
from api.accounts.tables import Account, OneTimeToken, UserSession
from api.mail.tables import OutboxMail
from api.permissions import Role
from api.settings import Argon2Parameters, Settings
from tests.conftest import PASSWORD, csrf_token, make_account, web_login
from tests.http.conftest import browser
from web.app import create_app

NEW_PASSWORD = "a brand new passphrase"
SESSION = "kdx_session"


def _set_cookie(response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers}")


def _attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


async def _session_exists(token: str) -> bool:
    return await UserSession.exists().where(UserSession.token_hash == accounts.hash_token(token))


async def _api_login(client: AsyncTestClient, email: str, password: str = PASSWORD):
    token = await csrf_token(client)
    return await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token},
    )


async def _web_login_attempt(client: AsyncTestClient, email: str, password: str):
    token = await csrf_token(client)
    return await client.post("/login", data={"email": email, "password": password, "_csrf": token})


def _link(body: str, prefix: str) -> str:
    found = re.search(rf"https?://[^\s]+{prefix}/([A-Za-z0-9_\-]+)", body)
    assert found, body
    return found.group(1)


# --- login and logout -------------------------------------------------------------------------


async def test_web_login_and_logout(settings: Settings, client: AsyncTestClient) -> None:
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": "staff@example.jp", "password": PASSWORD, "_csrf": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    assert (await client.get("/console")).status_code == 200
    session = client.cookies[SESSION]
    assert await _session_exists(session)

    response = await client.post("/logout", data={"_csrf": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=logout"
    cleared = _set_cookie(response, SESSION)
    assert "max-age=0" in cleared.lower()
    assert not await _session_exists(session)
    # Even a client that kept the old cookie is logged out.
    client.cookies.set(SESSION, session)
    assert (await client.get("/console")).status_code == 401


async def test_login_redirects_to_a_safe_next_path_only(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    token = await csrf_token(client)
    for next_path, expected in [
        ("/account?x=1", "/account?x=1"),
        ("https://evil.example/", "/account"),
        ("//evil.example/", "/account"),
        ("/\\evil.example", "/account"),
    ]:
        client.cookies.delete(SESSION)
        response = await client.post(
            "/login",
            data={
                "email": "member@example.jp",
                "password": PASSWORD,
                "next": next_path,
                "_csrf": token,
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == expected


async def test_api_login_me_and_logout(settings: Settings, client: AsyncTestClient) -> None:
    await make_account(settings, "editor@example.jp", {Role.EDITOR})
    response = await _api_login(client, "editor@example.jp")
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "editor@example.jp"
    assert "password_hash" not in response.text
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["roles"] == ["editor"]
    session = client.cookies[SESSION]
    logout = await client.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": await csrf_token(client)}
    )
    assert logout.status_code == 204
    assert not await _session_exists(session)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_wrong_password_and_unknown_account_get_the_same_answer(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    wrong = await _web_login_attempt(client, "member@example.jp", "not the password")
    unknown = await _web_login_attempt(client, "nobody@example.jp", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert accounts.LOGIN_FAILED_MESSAGE in wrong.text
    assert accounts.LOGIN_FAILED_MESSAGE in unknown.text
    api_wrong = await _api_login(client, "member@example.jp", "not the password")
    api_unknown = await _api_login(client, "nobody@example.jp", "not the password")
    assert api_wrong.status_code == api_unknown.status_code == 422
    assert api_wrong.json() == api_unknown.json()
    assert api_wrong.json()["detail"] == accounts.LOGIN_FAILED_MESSAGE


async def test_deactivated_account_cannot_log_in(
    settings: Settings, client: AsyncTestClient
) -> None:
    account = await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await Account.update({Account.is_active: False}).where(Account.id == account.id)
    response = await _web_login_attempt(client, "member@example.jp", PASSWORD)
    assert response.status_code == 422
    assert accounts.LOGIN_FAILED_MESSAGE in response.text
    assert SESSION not in client.cookies


# --- cookies and sessions ---------------------------------------------------------------------


async def test_session_cookie_flags(settings: Settings, client: AsyncTestClient) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    response = await _web_login_attempt(client, "member@example.jp", PASSWORD)
    header = _set_cookie(response, SESSION)
    attributes = _attributes(header)
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=lax" in header.lower()
    assert "secure" not in attributes  # settings.session_cookie_secure is off in the tests
    api = await _api_login(client, "member@example.jp")
    assert "samesite=lax" in _set_cookie(api, SESSION).lower()


async def test_session_cookie_is_secure_when_configured(settings: Settings, db: None) -> None:
    secure_app = create_app(replace(settings, session_cookie_secure=True), migrate_on_start=False)
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    async with AsyncTestClient(app=secure_app, base_url="https://testserver.local") as client:
        client.follow_redirects = False
        first = await client.get("/login")
        assert "secure" in _attributes(_set_cookie(first, "kdx_csrf"))
        response = await _web_login_attempt(client, "member@example.jp", PASSWORD)
        assert response.status_code == 303
        header = _set_cookie(response, SESSION)
        assert {"httponly", "secure"} <= _attributes(header)
        assert "samesite=lax" in header.lower()


async def test_session_rotates_on_login(settings: Settings, client: AsyncTestClient) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await web_login(client, "member@example.jp")
    before = client.cookies[SESSION]
    assert await _session_exists(before)
    await web_login(client, "member@example.jp")
    after = client.cookies[SESSION]
    assert after != before
    assert not await _session_exists(before)
    assert await _session_exists(after)
    # The API login rotates too.
    response = await _api_login(client, "member@example.jp")
    assert response.status_code == 200
    rotated = client.cookies[SESSION]
    assert rotated != after
    assert not await _session_exists(after)
    assert await UserSession.count() == 1


async def test_deactivating_a_user_in_the_console_ends_their_sessions(
    settings: Settings, client: AsyncTestClient, app
) -> None:
    await make_account(settings, "admin@example.jp", {Role.ADMIN})
    member = await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    async with browser(app) as member_client:
        await web_login(member_client, "member@example.jp")
        assert (await member_client.get("/account")).status_code == 200

        await web_login(client, "admin@example.jp")
        response = await client.post(
            f"/console/users/{member.id}",
            data={
                "display_name": member.display_name,
                "roles": ["member_user"],
                "is_active": "false",
                "_csrf": await csrf_token(client),
            },
        )
        assert response.status_code == 303, response.text
        assert await UserSession.count().where(UserSession.account == member.id) == 0
        refused = await member_client.get("/account")
        assert refused.status_code == 401
        assert "ログイン" in refused.text


async def test_password_change_keeps_this_session_and_ends_the_others(
    settings: Settings, client: AsyncTestClient, app
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    async with browser(app) as other:
        await web_login(other, "member@example.jp")
        await web_login(client, "member@example.jp")
        response = await client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirmation": NEW_PASSWORD,
                "_csrf": await csrf_token(client),
            },
        )
        assert response.status_code == 303, response.text
        assert (await client.get("/account")).status_code == 200
        assert (await other.get("/account")).status_code == 401
    client.cookies.clear()
    await web_login(client, "member@example.jp", NEW_PASSWORD)


async def test_api_password_change(settings: Settings, client: AsyncTestClient, app) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    async with browser(app) as other:
        await web_login(other, "member@example.jp")
        await _api_login(client, "member@example.jp")
        headers = {"X-CSRF-Token": await csrf_token(client)}
        wrong = await client.post(
            "/api/v1/me/password",
            json={
                "current_password": "wrong password!",
                "new_password": NEW_PASSWORD,
                "new_password_confirmation": NEW_PASSWORD,
            },
            headers=headers,
        )
        assert wrong.status_code == 422
        assert "current_password" in wrong.json()["errors"]
        response = await client.post(
            "/api/v1/me/password",
            json={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirmation": NEW_PASSWORD,
            },
            headers=headers,
        )
        assert response.status_code == 204, response.text
        assert (await client.get("/api/v1/me")).status_code == 200
        assert (await other.get("/api/v1/me")).status_code == 401


async def test_idle_session_expires(
    settings: Settings, client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await web_login(client, "member@example.jp")
    later = clock.now() + timedelta(minutes=settings.session_idle_minutes + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert (await client.get("/account")).status_code == 401
    assert await UserSession.count() == 0


async def test_garbage_session_cookie_is_anonymous(client: AsyncTestClient) -> None:
    for value in ["x", "a" * 500, "%00", "%E3%81%82", "kdx_" + "0" * 43]:
        client.cookies.clear()
        client.cookies.set(SESSION, value)
        assert (await client.get("/account")).status_code == 401
        assert (await client.get("/")).status_code == 200


# --- throttling -------------------------------------------------------------------------------


async def test_login_throttled_after_five_failures_for_an_account(
    settings: Settings, client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    addresses = iter(f"192.0.2.{n}" for n in range(1, 100))
    # Each attempt from a different address: only the per-account limit applies.
    monkeypatch.setattr("web.controllers.auth.client_address", lambda scope: next(addresses))
    monkeypatch.setattr("api.accounts.routes.client_address", lambda scope: next(addresses))
    for _ in range(settings.login_max_failures):
        response = await _web_login_attempt(client, "member@example.jp", "wrong password!")
        assert response.status_code == 422
    throttled = await _web_login_attempt(client, "member@example.jp", PASSWORD)
    assert throttled.status_code == 429
    assert accounts.THROTTLED_MESSAGE in throttled.text
    assert SESSION not in client.cookies
    api = await _api_login(client, "member@example.jp")
    assert api.status_code == 429
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"] == accounts.THROTTLED_MESSAGE

    # The same status and message for an account that does not exist (no enumeration).
    for _ in range(settings.login_max_failures):
        response = await _web_login_attempt(client, "nobody@example.jp", "wrong password!")
        assert response.status_code == 422
    unknown = await _web_login_attempt(client, "nobody@example.jp", "wrong password!")
    assert unknown.status_code == 429
    assert accounts.THROTTLED_MESSAGE in unknown.text
    api_unknown = await _api_login(client, "nobody@example.jp", "wrong password!")
    assert (api_unknown.status_code, api_unknown.json()) == (api.status_code, api.json())

    # The window passes: the account can log in again.
    later = clock.now() + timedelta(minutes=settings.login_window_minutes + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = await _web_login_attempt(client, "member@example.jp", PASSWORD)
    assert response.status_code == 303


async def test_login_throttled_per_client_address(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    # Failures spread over many accounts from one address.
    for n in range(settings.login_max_failures_per_client):
        response = await _web_login_attempt(client, f"guess{n}@example.jp", "wrong password!")
        assert response.status_code == 422
    throttled = await _web_login_attempt(client, "member@example.jp", PASSWORD)
    assert throttled.status_code == 429
    assert accounts.THROTTLED_MESSAGE in throttled.text
    api = await _api_login(client, "member@example.jp")
    assert api.status_code == 429


# --- password reset ---------------------------------------------------------------------------


async def _request_reset(client: AsyncTestClient, email: str):
    return await client.post(
        "/password-reset", data={"email": email, "_csrf": await csrf_token(client)}
    )


async def _reset_link_token(email: str) -> str:
    mails = await OutboxMail.select().where(OutboxMail.to_address == email).order_by(OutboxMail.id)
    assert mails, f"no mail to {email}"
    return _link(mails[-1]["body"], "/password-reset")


async def _submit_password(client: AsyncTestClient, path: str, password: str = NEW_PASSWORD):
    return await client.post(
        path,
        data={
            "new_password": password,
            "new_password_confirmation": password,
            "_csrf": await csrf_token(client),
        },
    )


async def test_password_reset_link_works_once_and_ends_sessions(
    settings: Settings, client: AsyncTestClient, app
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    async with browser(app) as logged_in:
        await web_login(logged_in, "member@example.jp")
        response = await _request_reset(client, "member@example.jp")
        assert response.status_code == 200
        assert "お送りしました" in response.text
        token = await _reset_link_token("member@example.jp")
        mail = await OutboxMail.select().where(OutboxMail.to_address == "member@example.jp")
        assert f"{settings.public_base_url}/password-reset/{token}" in mail[0]["body"]
        assert await OneTimeToken.exists().where(OneTimeToken.token_hash == token) is False

        form = await client.get(f"/password-reset/{token}")
        assert form.status_code == 200
        assert "member@example.jp" in form.text
        assert form.headers["cache-control"] == "no-store"
        done = await _submit_password(client, f"/password-reset/{token}")
        assert done.status_code == 303
        assert done.headers["location"] == "/login?done=reset"
        assert (await logged_in.get("/account")).status_code == 401

    again = await client.get(f"/password-reset/{token}")
    assert again.status_code == 404
    assert "有効期限" in again.text
    reused = await _submit_password(client, f"/password-reset/{token}", "yet another passphrase")
    assert reused.status_code == 404
    await web_login(client, "member@example.jp", NEW_PASSWORD)


async def test_password_reset_mismatch_shows_errors_and_keeps_the_link(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await _request_reset(client, "member@example.jp")
    token = await _reset_link_token("member@example.jp")
    response = await client.post(
        f"/password-reset/{token}",
        data={
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": "something else entirely",
            "_csrf": await csrf_token(client),
        },
    )
    assert response.status_code == 422
    assert "確認用のパスワードが一致しません" in response.text
    assert (await client.get(f"/password-reset/{token}")).status_code == 200


async def test_expired_reset_link_is_refused(
    settings: Settings, client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await _request_reset(client, "member@example.jp")
    token = await _reset_link_token("member@example.jp")
    later = clock.now() + timedelta(minutes=settings.password_reset_minutes + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = await client.get(f"/password-reset/{token}")
    assert response.status_code == 404
    assert "有効期限が切れています" in response.text
    submit = await _submit_password(client, f"/password-reset/{token}")
    assert submit.status_code == 404
    monkeypatch.undo()
    client.cookies.clear()
    await web_login(client, "member@example.jp")  # the old password still works


async def test_unknown_reset_token_is_404_in_japanese(client: AsyncTestClient) -> None:
    for token in ["no-such-token", "x" * 300, "%E3%81%82"]:
        response = await client.get(f"/password-reset/{token}")
        assert response.status_code == 404
        assert '<html lang="ja">' in response.text
        assert "このリンクは無効か、有効期限が切れています" in response.text


async def test_reset_for_unknown_address_looks_the_same_and_sends_nothing(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    known = await _request_reset(client, "member@example.jp")
    unknown = await _request_reset(client, "nobody@example.jp")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="_csrf" value="[^"]*"')
    assert strip.sub("", known.text) == strip.sub("", unknown.text)
    assert await OutboxMail.count().where(OutboxMail.to_address == "nobody@example.jp") == 0


async def test_new_reset_link_replaces_the_earlier_one(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await _request_reset(client, "member@example.jp")
    first = await _reset_link_token("member@example.jp")
    await _request_reset(client, "member@example.jp")
    second = await _reset_link_token("member@example.jp")
    assert first != second
    assert (await client.get(f"/password-reset/{first}")).status_code == 404
    assert (await client.get(f"/password-reset/{second}")).status_code == 200


async def _api_reset(client: AsyncTestClient, email: object):
    return await client.post(
        "/api/v1/auth/password-reset",
        json={"email": email},
        headers={"X-CSRF-Token": await csrf_token(client)},
    )


async def test_reset_mails_per_address_are_limited_and_the_page_looks_the_same(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    limit = settings.password_reset_max_mails
    strip = re.compile(r'name="_csrf" value="[^"]*"')
    pages = [await _request_reset(client, "member@example.jp") for _ in range(limit + 1)]
    assert [page.status_code for page in pages] == [200] * (limit + 1)
    # Over the limit nothing tells the caller that no mail went out.
    assert strip.sub("", pages[-1].text) == strip.sub("", pages[0].text)
    assert await OutboxMail.count().where(OutboxMail.to_address == "member@example.jp") == limit


async def test_reset_requests_per_client_are_limited_with_a_message(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    for n in range(settings.password_reset_max_requests):
        assert (await _request_reset(client, f"guess{n}@example.jp")).status_code == 200
    throttled = await _request_reset(client, "member@example.jp")
    assert throttled.status_code == 429
    assert '<html lang="ja">' in throttled.text
    assert accounts.RESET_THROTTLED_MESSAGE in throttled.text
    # The form is shown again, with the message tied to the address field and the value kept.
    assert 'id="error-email"' in throttled.text
    assert 'value="member@example.jp"' in throttled.text
    assert 'action="/password-reset"' in throttled.text
    assert await OutboxMail.count() == 0
    api = await _api_reset(client, "member@example.jp")
    assert api.status_code == 429
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"] == accounts.RESET_THROTTLED_MESSAGE
    assert api.json()["status"] == 429
    assert await OutboxMail.count() == 0


async def test_api_password_reset_answers_the_same_either_way(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    known = await _api_reset(client, "member@example.jp")
    unknown = await _api_reset(client, "nobody@example.jp")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"message": accounts.RESET_REQUESTED_MESSAGE}
    token = await _reset_link_token("member@example.jp")
    assert (await client.get(f"/password-reset/{token}")).status_code == 200
    assert await OutboxMail.count().where(OutboxMail.to_address == "nobody@example.jp") == 0
    invalid = await _api_reset(client, "not an address")
    assert invalid.status_code == 422
    assert invalid.headers["content-type"].startswith("application/problem+json")
    assert "email" in invalid.json()["errors"]
    # Like every unsafe request with a session cookie, it needs the CSRF header.
    refused = await client.post("/api/v1/auth/password-reset", json={"email": "a@example.jp"})
    assert refused.status_code == 403


# --- invitations ------------------------------------------------------------------------------


async def test_invitation_from_the_console_to_first_login(
    settings: Settings, client: AsyncTestClient, app
) -> None:
    await make_account(settings, "admin@example.jp", {Role.ADMIN})
    await web_login(client, "admin@example.jp")
    response = await client.post(
        "/console/users",
        data={
            "display_name": "熊本 花子",
            "email": "Hanako@Example.JP",
            "roles": ["member_admin"],
            "_csrf": await csrf_token(client),
        },
    )
    assert response.status_code == 303, response.text
    assert re.fullmatch(r"/console/users/\d+\?done=invited", response.headers["location"])
    mails = await OutboxMail.select().where(OutboxMail.to_address == "hanako@example.jp")
    assert len(mails) == 1
    token = _link(mails[0]["body"], "/invitation")

    async with browser(app) as invitee:
        form = await invitee.get(f"/invitation/{token}")
        assert form.status_code == 200
        assert "熊本 花子" in form.text
        # Before accepting there is no password: login fails.
        failed = await _web_login_attempt(invitee, "hanako@example.jp", NEW_PASSWORD)
        assert failed.status_code == 422
        done = await _submit_password(invitee, f"/invitation/{token}")
        assert done.status_code == 303
        assert done.headers["location"] == "/login?done=invitation"
        await web_login(invitee, "hanako@example.jp", NEW_PASSWORD)
        me = await invitee.get("/api/v1/me")
        assert me.json()["roles"] == ["member_admin"]
        # The link works once.
        assert (await invitee.get(f"/invitation/{token}")).status_code == 404
        again = await _submit_password(invitee, f"/invitation/{token}", "another passphrase!")
        assert again.status_code == 404
        assert "事務局に招待の再送を依頼してください" in again.text
    # An invitation link is not a reset link.
    assert (await client.get(f"/password-reset/{token}")).status_code == 404


async def test_invitation_resend_replaces_the_first_link(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "admin@example.jp", {Role.ADMIN})
    await web_login(client, "admin@example.jp")
    csrf = await csrf_token(client)
    response = await client.post(
        "/console/users",
        data={"display_name": "招待 太郎", "email": "taro@example.jp", "_csrf": csrf},
    )
    assert response.status_code == 303, response.text
    account_id = int(re.findall(r"\d+", response.headers["location"])[0])
    first = _link((await OutboxMail.select().first())["body"], "/invitation")
    resent = await client.post(f"/console/users/{account_id}/invitation", data={"_csrf": csrf})
    assert resent.status_code == 303
    mails = await OutboxMail.select().order_by(OutboxMail.id)
    second = _link(mails[-1]["body"], "/invitation")
    assert (await client.get(f"/invitation/{first}")).status_code == 404
    assert (await client.get(f"/invitation/{second}")).status_code == 200


# --- argon2 -----------------------------------------------------------------------------------


async def test_login_rehashes_a_password_hashed_with_other_parameters(
    settings: Settings, client: AsyncTestClient
) -> None:
    account = await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    old_parameters = Argon2Parameters(time_cost=2, memory_kib=16, parallelism=1)
    old_hash = Passwords(old_parameters).hash_now(PASSWORD)
    await Account.update({Account.password_hash: old_hash}).where(Account.id == account.id)
    await web_login(client, "member@example.jp")
    row = await Account.select(Account.password_hash).where(Account.id == account.id).first()
    assert row is not None
    new_hash = row["password_hash"]
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    expected = settings.argon2
    assert f"m={expected.memory_kib},t={expected.time_cost},p={expected.parallelism}" in new_hash
    assert Passwords(settings.argon2).verify_now(new_hash, PASSWORD).ok
    # An unchanged hash is kept as it is on the next login.
    client.cookies.clear()
    await web_login(client, "member@example.jp")
    again = await Account.select(Account.password_hash).where(Account.id == account.id).first()
    assert again is not None and again["password_hash"] == new_hash
