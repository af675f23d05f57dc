"""Hostile input on every form and JSON route: always a Japanese 4xx, never a 500, nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.audit.tables import AuditEntry
from api.permissions import Role
from api.settings import Settings
from tests.conftest import PASSWORD, csrf_token
from tests.http.conftest import (
    World,
    admin_principal,
    is_japanese,
    login_as,
    role_email,
    row_counts,
)

LONG = "長" * 10_000
INJECTIONS = [
    "' OR '1'='1' --",
    "'; DROP TABLE account; --",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "%_%",
    "\\",
    "{{ 7*7 }}",
    "\u202e\u200b",
]
CONTROL = ["a\x00b", "a\x07b", "a\x1bb", "\x00"]
HUGE_IDS = ["99999999999999999999", "9223372036854775808", "-1", "0", "abc", "1.5", "1e3", "%00"]


def _assert_problem(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"] == "about:blank"
    assert is_japanese(body["title"]) and is_japanese(body["detail"]), body
    for message in body.get("errors", {}).values():
        assert is_japanese(message), body


def _assert_page(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), response.headers
    assert '<html lang="ja">' in response.text
    assert "Traceback" not in response.text


# --- the JSON API -------------------------------------------------------------------------------

# Every JSON route that reads a body, with the body that would be valid.
API_BODIES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/v1/auth/login", {"email": "admin@example.jp", "password": PASSWORD}),
    ("POST", "/api/v1/auth/password-reset", {"email": "admin@example.jp"}),
    (
        "POST",
        "/api/v1/me/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "new_password_confirmation": "a brand new passphrase",
        },
    ),
    ("POST", "/api/v1/users", {"email": "new@example.jp", "display_name": "新規", "roles": []}),
    ("PATCH", "/api/v1/users/{target}", {"display_name": "変更", "roles": [], "is_active": True}),
    (
        "POST",
        "/api/v1/tokens",
        {"account_id": "{target}", "name": "名前", "scopes": ["users:read"]},
    ),
]

MALFORMED_BODIES: list[tuple[str, bytes]] = [
    ("invalid json", b"{not json"),
    ("truncated json", b'{"email": "a@example.jp"'),
    ("array", b"[]"),
    ("array of objects", b'[{"email": "a@example.jp"}]'),
    ("null", b"null"),
    ("number", b"42"),
    ("string", b'"text"'),
    ("empty", b""),
    ("nan", b'{"email": NaN}'),
    ("not utf-8", b'{"email": "\xff\xfe"}'),
    ("deeply nested", b"[" * 10_000 + b"]" * 10_000),
]


def _fill(value: Any, world: World) -> Any:
    if value == "{target}":
        return world.target.id
    return value


def _url(path: str, world: World) -> str:
    return path.replace("{target}", str(world.target.id))


async def _api_admin(client: AsyncTestClient) -> dict[str, str]:
    await login_as(client, role_email(Role.ADMIN))
    return {"X-CSRF-Token": await csrf_token(client)}


def _wrong_types(body: dict[str, Any], optional: set[str]) -> list[dict[str, Any]]:
    """Each field with values of the wrong type, and each required field left out."""
    variants: list[dict[str, Any]] = []
    for key, value in body.items():
        wrongs: list[Any] = [123, 1.5, [value], {"k": value}]
        wrongs.append(["x"] if isinstance(value, str) else "x")
        if not isinstance(value, bool):
            wrongs.append(True)
        if key not in optional:
            wrongs.append(None)
            variants.append({k: v for k, v in body.items() if k != key})
        variants.extend({**body, key: wrong} for wrong in wrongs if wrong != value)
    if body.keys() - optional:
        variants.append({})
    return variants


@pytest.mark.parametrize(("method", "path", "body"), API_BODIES, ids=[p for _, p, _ in API_BODIES])
async def test_api_malformed_and_mistyped_bodies(
    client: AsyncTestClient, world: World, method: str, path: str, body: dict[str, Any]
) -> None:
    headers = await _api_admin(client)
    url = _url(path, world)
    valid = {key: _fill(value, world) for key, value in body.items()}
    before = await row_counts()
    for label, raw in MALFORMED_BODIES:
        response = await client.request(
            method, url, content=raw, headers={**headers, "Content-Type": "application/json"}
        )
        _assert_problem(response, 400, 415, 422)
        assert response.status_code != 500, label
    optional = set(valid) if method == "PATCH" else {"roles"} & set(valid)
    for variant in _wrong_types(valid, optional):
        response = await client.request(method, url, json=variant, headers=headers)
        _assert_problem(response, 400, 422)
    # A body sent as a form or as text is refused too.
    response = await client.request(method, url, data={"email": "x"}, headers=headers)
    _assert_problem(response, 400, 415, 422)
    after = await row_counts()
    assert after["account"] == before["account"]
    assert after["mail"] == before["mail"]
    # Only the failed-login bookkeeping may move, never the audit log.
    assert after["audit"] == before["audit"]


async def test_api_oversized_body_is_413(client: AsyncTestClient, world: World) -> None:
    headers = await _api_admin(client)
    before = await row_counts()
    big = json.dumps({"email": "big@example.jp", "display_name": "x" * (2 * 1024 * 1024)})
    response = await client.post(
        "/api/v1/users", content=big, headers={**headers, "Content-Type": "application/json"}
    )
    _assert_problem(response, 413)
    assert await row_counts() == before


async def test_api_long_text_and_control_characters_are_422(
    client: AsyncTestClient, world: World
) -> None:
    headers = await _api_admin(client)
    before = await row_counts()
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", "/api/v1/users", {"email": "a@example.jp", "display_name": LONG}, "display_name"),
        ("POST", "/api/v1/users", {"email": "x" * 10_000, "display_name": "名前"}, "email"),
        (
            "POST",
            "/api/v1/users",
            {"email": "a@example.jp", "display_name": "名前", "roles": ["superuser"]},
            "roles",
        ),
        ("PATCH", "/api/v1/users/{target}", {"display_name": LONG}, "display_name"),
        ("PATCH", "/api/v1/users/{target}", {"roles": ["root"]}, "roles"),
        ("PATCH", "/api/v1/users/{target}", {"display_name": "   "}, "display_name"),
        (
            "POST",
            "/api/v1/tokens",
            {"account_id": "{target}", "name": LONG, "scopes": ["users:read"]},
            "name",
        ),
        (
            "POST",
            "/api/v1/tokens",
            {"account_id": "{target}", "name": "名前", "scopes": ["everything"]},
            "scopes",
        ),
        (
            "POST",
            "/api/v1/tokens",
            {"account_id": "{target}", "name": "名前", "scopes": []},
            "scopes",
        ),
        (
            "POST",
            "/api/v1/me/password",
            {
                "current_password": PASSWORD,
                "new_password": LONG,
                "new_password_confirmation": LONG,
            },
            "new_password",
        ),
    ]
    for text in CONTROL:
        cases.append(
            (
                "POST",
                "/api/v1/users",
                {"email": "c@example.jp", "display_name": text},
                "display_name",
            )
        )
        cases.append(
            (
                "POST",
                "/api/v1/users",
                {"email": f"c{text}@example.jp", "display_name": "名"},
                "email",
            )
        )
    for method, path, body, field in cases:
        body = {key: _fill(value, world) for key, value in body.items()}
        response = await client.request(method, _url(path, world), json=body, headers=headers)
        _assert_problem(response, 422)
        assert field in response.json()["errors"], (path, body, response.json())
    assert await row_counts() == before


async def test_api_login_with_hostile_credentials(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    headers = {"X-CSRF-Token": await csrf_token(client)}
    before = await row_counts()
    for email in [LONG, "a\x00b@example.jp", *INJECTIONS, "admin@example.jp\x00"]:
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": "x"}, headers=headers
        )
        _assert_problem(response, 422, 429)
    response = await client.post(
        "/api/v1/auth/login", json={"email": "admin@example.jp", "password": LONG}, headers=headers
    )
    _assert_problem(response, 422, 429)
    after = await row_counts()
    assert (after["account"], after["audit"], after["session"]) == (
        before["account"],
        before["audit"],
        before["session"],
    )


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/api/v1/users/{id}"),
        ("PATCH", "/api/v1/users/{id}"),
        ("DELETE", "/api/v1/tokens/{id}"),
        ("POST", "/api/v1/jobs/{id}/retry"),
    ],
)
async def test_api_odd_path_ids(
    client: AsyncTestClient, world: World, method: str, template: str
) -> None:
    headers = await _api_admin(client)
    before = await row_counts()
    for value in HUGE_IDS:
        response = await client.request(
            method, template.replace("{id}", value), headers=headers, json={}
        )
        _assert_problem(response, 400, 404, 405)
    assert await row_counts() == before


async def test_api_query_parameters(client: AsyncTestClient, world: World) -> None:
    await _api_admin(client)
    for url in [
        "/api/v1/users?page=0",
        "/api/v1/users?page=-1",
        "/api/v1/users?page=abc",
        "/api/v1/users?page=99999999999999999999999",
        "/api/v1/users?per_page=100000",
        "/api/v1/audit?page=99999999999999999999999",
        "/api/v1/audit?date_from=2024-13-45",
        "/api/v1/audit?date_from=yesterday",
        "/api/v1/jobs?status=unknown",
        "/api/v1/jobs?page=1e9",
    ]:
        _assert_problem(await client.get(url), 400)
    for url in [
        "/api/v1/users?page=100000",
        "/api/v1/users?role=superuser&status=whatever",
        "/api/v1/audit?page=100000",
        "/api/v1/audit?date_from=0001-01-01&date_to=9999-12-31",
        "/api/v1/audit?date_to=9999-12-31",
        "/api/v1/audit?date_from=9999-12-31",
        "/api/v1/audit?actor=%00&action=%00&target_type=%00",
        "/api/v1/jobs?page=100000",
        "/api/v1/users?q=%00",
        f"/api/v1/users?q={'x' * 5000}",
    ]:
        response = await client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    for text in INJECTIONS:
        response = await client.get("/api/v1/users", params={"q": text})
        assert response.status_code == 200, text
        assert response.json()["total"] == 0, text
        response = await client.get("/api/v1/audit", params={"actor": text, "action": text})
        assert response.status_code == 200, text


async def test_api_unknown_method_and_path(client: AsyncTestClient, world: World) -> None:
    await _api_admin(client)
    _assert_problem(await client.put("/api/v1/users", json={}), 403, 405)
    _assert_problem(await client.get("/api/v1/nothing/here"), 404)
    _assert_problem(await client.get("/api/v1/users/1/2/3"), 404)


# --- the pages ----------------------------------------------------------------------------------

# Every form route with the fields it reads.
FORMS: list[tuple[str, dict[str, str | list[str]]]] = [
    ("/login", {"email": "admin@example.jp", "password": PASSWORD}),
    ("/password-reset", {"email": "admin@example.jp"}),
    (
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "new_password_confirmation": "a brand new passphrase",
        },
    ),
    ("/console/users", {"email": "new@example.jp", "display_name": "新規", "roles": ["editor"]}),
    (
        "/console/users/{target}",
        {"display_name": "変更", "roles": ["staff"], "is_active": "true"},
    ),
    (
        "/console/tokens",
        {"name": "名前", "account_email": "target@example.jp", "scopes": ["users:read"]},
    ),
]


# Fields where an injection string is no valid value; in free text (names) it is just text.
REFUSE_INJECTIONS = {"email", "current_password", "account_email", "is_active"}


def _form_variants(form: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    variants: list[tuple[str, dict[str, Any]]] = [("empty", {})]
    for key in form:
        if key in ("roles", "scopes"):
            variants.append((f"unknown {key}", {**form, key: ["superuser"]}))
            variants.append((f"odd {key}", {**form, key: [LONG, "\x00", *INJECTIONS]}))
            continue
        missing = {k: v for k, v in form.items() if k != key}
        variants.append((f"missing {key}", missing))
        variants.append((f"long {key}", {**form, key: LONG}))
        for text in CONTROL:
            variants.append((f"control {key}", {**form, key: text}))
        if key in REFUSE_INJECTIONS:
            for text in INJECTIONS:
                variants.append((f"injection {key}", {**form, key: text}))
    return variants


@pytest.mark.parametrize(("path", "form"), FORMS, ids=[p for p, _ in FORMS])
async def test_forms_refuse_hostile_values(
    client: AsyncTestClient, world: World, path: str, form: dict[str, Any]
) -> None:
    url = _url(path, world)
    form = {key: (world.target.id if value == "{target}" else value) for key, value in form.items()}
    before = await row_counts()
    audit_before = await _audit_rows_besides_logins()
    for label, variant in _form_variants(form):
        if path == "/console/users/{target}" and label in (
            "missing is_active",  # an unchanged state: the rest of the form is valid
        ):
            continue
        if path.startswith(("/login", "/password-reset")):
            client.cookies.clear()
        else:
            await login_as(client, role_email(Role.ADMIN))
        token = await csrf_token(client)
        response = await client.post(url, data={**variant, "_csrf": token})
        if path == "/password-reset" and response.status_code == 200:
            # An injection string is no e-mail address; the rest look the same as unknown ones.
            assert "お送りしました" in response.text
            continue
        _assert_page(response, 400, 422, 429)
        assert "エラー" in response.text or "ログイン" in response.text, label
    after = await row_counts()
    assert after["account"] == before["account"]
    assert after["mail"] == before["mail"], "a hostile form sent mail"
    # The test's own logins write audit rows; nothing else may.
    assert await _audit_rows_besides_logins() == audit_before


async def _audit_rows_besides_logins() -> int:
    return await AuditEntry.count().where(AuditEntry.action != "session.login")


async def test_form_oversized_body_is_413_with_a_japanese_page(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    before = await row_counts()
    response = await client.post(
        "/console/users",
        data={"email": "big@example.jp", "display_name": "x" * (2 * 1024 * 1024), "_csrf": token},
    )
    _assert_page(response, 413)
    assert "大きすぎます" in response.text
    assert await row_counts() == before


async def test_form_sent_as_json_or_garbage(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    before = await row_counts()
    for content_type, raw in [
        ("application/json", b'{"email": "j@example.jp", "display_name": "J"}'),
        ("application/x-www-form-urlencoded", b"%%%&&&==="),
        ("application/x-www-form-urlencoded", b"email=%ZZ&display_name=%"),
        ("application/x-www-form-urlencoded", b"email=%FF%FE&display_name=%C3"),
        ("application/x-www-form-urlencoded", b"email=\xff\xfe&display_name=\x00"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken"),
        ("multipart/form-data", b"--xyz\r\nbroken"),
        (
            "multipart/form-data; boundary=xyz",
            b'--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\n\xff\xfe\r\n--xyz--\r\n',
        ),
        ("text/plain", b"email=a@example.jp"),
    ]:
        response = await client.post(
            "/console/users",
            content=raw,
            headers={"Content-Type": content_type, "X-CSRF-Token": token},
        )
        _assert_page(response, 400, 415, 422)
    assert await row_counts() == before


@pytest.mark.parametrize(
    "template",
    [
        "/console/users/{id}",
        "/console/users/{id}/invitation",
        "/console/jobs/{id}/retry",
        "/console/tokens/{id}/revoke",
    ],
)
async def test_form_odd_path_ids(client: AsyncTestClient, world: World, template: str) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    before = await row_counts()
    for value in HUGE_IDS:
        url = template.replace("{id}", value)
        response = await client.post(
            url, data={"display_name": "名前", "is_active": "true", "_csrf": token}
        )
        _assert_page(response, 400, 404, 405)
        if not url.endswith(("/invitation", "/retry", "/revoke")):
            _assert_page(await client.get(url), 400, 404)
    assert await row_counts() == before


async def test_pages_with_odd_query_parameters(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    for url in [
        "/console/users?page_number=0",
        "/console/users?page_number=abc",
        "/console/users?page_number=99999999999999999999999",
        "/console/audit?date_from=2024-13-45",
        "/console/audit?page_number=-5",
        "/console/jobs?page_number=1e9",
        "/console/mail?page_number=x",
    ]:
        _assert_page(await client.get(url), 400)
    for url in [
        "/console/users?page_number=100000",
        "/console/users?q=%00",
        "/console/users?role=superuser&status=%00",
        f"/console/users?q={'x' * 5000}",
        "/console/audit?date_from=0001-01-01&date_to=9999-12-31",
        "/console/audit?date_to=9999-12-31",
        "/console/audit?actor=%00&action=%00",
        "/console/audit?page_number=100000",
        "/console/jobs?status=%00",
        "/console/mail?page_number=100000",
        "/login?next=%00",
        "/login?next=javascript:alert(1)",
    ]:
        response = await client.get(url)
        _assert_page(response, 200)
    for text in INJECTIONS:
        response = await client.get("/console/users", params={"q": text})
        _assert_page(response, 200)
        assert "<script>alert(1)</script>" not in response.text
        assert "<img src=x onerror" not in response.text


async def test_unknown_tokens_in_links(client: AsyncTestClient, world: World) -> None:
    token = await csrf_token(client)
    before = await row_counts()
    for value in ["%00", "x" * 5000, "%3Cscript%3E", "..%2F..%2Fetc%2Fpasswd", "' OR 1=1"]:
        for base in ["/password-reset/", "/invitation/"]:
            _assert_page(await client.get(base + value), 404)
            response = await client.post(
                base + value,
                data={
                    "new_password": "a brand new passphrase",
                    "new_password_confirmation": "a brand new passphrase",
                    "_csrf": token,
                },
            )
            _assert_page(response, 404)
    assert await row_counts() == before


async def test_html_in_a_display_name_is_escaped(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    evil = '<script>alert("x")</script><b onmouseover=alert(1)>太郎</b>'
    await accounts.update_account(
        admin_principal(world.accounts[Role.ADMIN]), world.target.id, display_name=evil
    )
    await login_as(client, role_email(Role.ADMIN))
    for url in [
        "/console/users",
        f"/console/users/{world.target.id}",
        "/console/users?q=%E5%A4%AA%E9%83%8E",
        "/console/audit",
    ]:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert" not in response.text, url
        assert "<b onmouseover" not in response.text, url
    fragment = await client.get("/console/users", headers={"HX-Request": "true"})
    assert "&lt;script&gt;" in fragment.text
    assert "<script>alert" not in fragment.text
    api = await client.get(f"/api/v1/users/{world.target.id}")
    assert api.json()["display_name"] == evil  # JSON carries the text as it is
