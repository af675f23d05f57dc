"""CSRF on every unsafe form and htmx request; security headers on every response."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from api.accounts import service as accounts
from api.accounts.tables import UserSession
from api.analytics.tables import PageView
from api.applications import service as applications
from api.db import current_engine
from api.http.guards import SAFE_METHODS
from api.http.headers import CONTENT_SECURITY_POLICY
from api.mail.tables import OutboxMail
from api.media import service as media
from api.media.service import MediaView
from api.members import service as members
from api.members.reference import MembershipStatus
from api.permissions import Role
from api.piccolo_app import TABLES
from api.reports import kpis
from api.searching.indexing import ensure_default_synonyms
from api.searching.tables import SearchLog, SearchSynonym
from api.settings import Settings
from api.spreadsheets import CSV_TYPE
from storage import new_key, open_store
from tests.conftest import PASSWORD, csrf_token, make_account
from tests.dbutil import using_postgres
from tests.factories import make_organisation, organisation_form
from tests.http.conftest import World, admin_principal, browser, login_as, role_email
from tests.http.test_applications import PNG, application_form
from tests.http.test_editor_pages import editor_forms
from tests.http.test_events_pages import event_forms
from tests.http.test_members import import_file, import_line
from tests.http.test_progress_pages import progress_forms
from tests.http.test_recordings_api import recording_forms
from tests.http.test_solutions_pages import solution_forms
from web.app import create_app

NEW_PASSWORD = "a brand new passphrase"


async def _event_of(world: World) -> Any:
    from tests.http.test_events_api import staff_event

    return await staff_event(world, title="資料追加用の催し")


def _pdf() -> bytes:
    from tests.service.test_media import pdf_bytes

    return pdf_bytes()


# On PostgreSQL one statement fingerprints every table (its rows as text, in key order): the
# walk takes a snapshot twice per form, and a statement per table made it the slowest test.
# The names are the project's own tables (TABLES), not input.
_FINGERPRINTS = "SELECT " + ", ".join(
    "(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY "  # noqa: S608
    f"t.\"{t._meta.primary_key._meta.db_column_name}\"), '')) "
    f'FROM "{t._meta.tablename}" t) AS "{t._meta.tablename}"'
    for t in TABLES
)


async def snapshot() -> dict[str, Any]:
    """Every row of every table: "writes nothing" means this does not change."""
    if using_postgres():
        return dict((await current_engine().run_ddl(_FINGERPRINTS))[0])
    return {
        table._meta.tablename: await table.select().order_by(table._meta.primary_key)
        for table in TABLES
    }


async def _reset_token(settings: Settings) -> str:
    await accounts.request_password_reset(settings, role_email(Role.MEMBER_USER))
    body = (await OutboxMail.select().order_by(OutboxMail.id, ascending=False).first())["body"]
    return body.rsplit("/password-reset/", 1)[1].split()[0]


async def _invitation_token(settings: Settings, world: World) -> str:
    """An invitation of its own, so that the routes acting on world.target leave it alone."""
    _, token = await accounts.invite_account(
        settings,
        admin_principal(world.accounts[Role.ADMIN]),
        accounts.AccountInput("invited@example.jp", "招待 花子", frozenset({Role.MEMBER_USER})),
    )
    return token


def _unsafe_web_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if route.path.startswith(("/api/", "/static")):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method not in SAFE_METHODS:
                    found.add((method, route.path))
    return found


@dataclass(frozen=True, slots=True)
class Form:
    """A form case that says more than a tuple: files for a multipart route, or that the route
    writes nothing to the database when it succeeds (a step page that only shows the next step,
    an import dry run that keeps its file in the object store)."""

    url: str
    data: dict[str, Any]
    role: Role = Role.ADMIN
    files: dict[str, tuple[str, bytes, str]] | None = None
    writes: bool = True


FormCase = tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], Role] | Form


def _case(case: FormCase) -> Form:
    """A form case is (url, form) posted as the admin, (url, form, role) as another role, or a
    Form."""
    if isinstance(case, Form):
        return case
    return Form(case[0], case[1], case[2] if len(case) == 3 else Role.ADMIN)  # type: ignore[misc]


async def _application(settings: Settings, index: int) -> int:
    """A pending membership application of its own (factories' organisation `index`)."""
    return (await applications.submit_application(settings, application_form(index))).application_id


async def _info_token(settings: Settings, world: World, index: int) -> str:
    """The link token of an application of its own for which the staff asked more information."""
    staff = admin_principal(world.accounts[Role.STAFF])
    _, token = await applications.request_info(
        settings, staff, await _application(settings, index), "所在地を確認させてください。"
    )
    return token


async def _colleague(settings: Settings, world: World, name: str) -> int:
    """A member user of the world's organisation, for one colleague route to act on."""
    email = f"{name}@example.jp"
    return (
        await make_account(
            settings, email, {Role.MEMBER_USER}, organisation_id=world.organisation_id
        )
    ).id


async def _invited_colleague(settings: Settings, world: World) -> int:
    """A colleague who has not accepted the invitation yet (so it can be sent again)."""
    view, _ = await accounts.invite_account(
        settings,
        admin_principal(world.accounts[Role.MEMBER_ADMIN]),
        accounts.AccountInput(
            "invited-colleague@example.jp", "招待中 同僚", frozenset({Role.MEMBER_USER}),
            organisation_id=world.organisation_id,
        ),
    )  # fmt: skip
    return view.id


async def _stored_import(settings: Settings, content: bytes) -> str:
    """An import file in the object store, as the dry run leaves it for the apply step."""
    key = new_key("imports", "csv")
    store = open_store(settings.storage_url, settings.data_dir)
    await store.put(key, io.BytesIO(content), len(content), CSV_TYPE)
    return key


def _png() -> bytes:
    """A real (decodable) PNG: the media library checks images by decoding them."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _media(settings: Settings, world: World, name: str) -> MediaView:
    return await media.upload(
        admin_principal(world.accounts[Role.EDITOR]),
        open_store(settings.storage_url, settings.data_dir),
        name,
        io.BytesIO(_png()),
        title=name,
        alt_text="赤い四角",
    )


async def _valid_forms(settings: Settings, world: World) -> dict[tuple[str, str], FormCase]:
    """For every unsafe form route: a URL and a form that succeeds when the CSRF token is sent."""
    reset = await _reset_token(settings)
    invitation = await _invitation_token(settings, world)
    password = {"new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    target = world.target.id
    # Applications: the applicant's answers to requests for more information (the step pages
    # and the resubmission each have a link of their own) and one application to reject.
    respond = await _info_token(settings, world, 13)
    # A logged search and a page view, so that rolling the logs up has something to write.
    await SearchLog.insert(SearchLog(index="solutions", query="kintone", audience="member"))
    await PageView.insert(PageView(path="/news", area="public", device="mobile", audience="public"))
    await ensure_default_synonyms()
    synonym_groups = [row["id"] for row in await SearchSynonym.select(SearchSynonym.id)]
    respond_form = (await applications.application_for_token(respond)).as_input().as_form()
    resubmit = await _info_token(settings, world, 14)
    resubmit_form = (await applications.application_for_token(resubmit)).as_input().as_form()
    rejected = await _application(settings, 15)
    edited_media = await _media(settings, world, "edit.png")
    deleted_media = await _media(settings, world, "delete.png")
    checklist = await applications.current_checklist()  # seeds version 1 before any snapshot
    answers = {f"answer_{item.key}": "ok" for item in checklist.items}
    # Member tools: an organisation for each change, and an import file the dry run left.
    today = members.today().isoformat()  # the day the factory's organisations joined
    edited = await make_organisation(3)
    suspended = await make_organisation(4)
    withdrawn = await make_organisation(5)
    reactivated = await make_organisation(
        6, status=MembershipStatus.SUSPENDED, joined_on=date(2024, 4, 1)
    )
    imported = await _stored_import(settings, import_file(import_line(22)))
    # Platform: a colleague for each colleague route.
    deactivated = await _colleague(settings, world, "colleague-active")
    promoted = await _colleague(settings, world, "colleague-role")
    successor = await _colleague(settings, world, "colleague-handover")
    invited = await _invited_colleague(settings, world)
    return {
        ("POST", "/login"): ("/login", {"email": role_email(Role.ADMIN), "password": PASSWORD}),
        ("POST", "/logout"): ("/logout", {}),
        ("POST", "/password-reset"): ("/password-reset", {"email": role_email(Role.STAFF)}),
        ("POST", "/password-reset/{token:str}"): (f"/password-reset/{reset}", password),
        ("POST", "/invitation/{token:str}"): (f"/invitation/{invitation}", password),
        ("POST", "/account/password"): (
            "/account/password",
            {"current_password": PASSWORD, **password},
        ),
        ("POST", "/console/users"): (
            "/console/users",
            {"email": "new@example.jp", "display_name": "新規 利用者", "roles": ["editor"]},
        ),
        # Resend the invitation before the update deactivates the target.
        ("POST", "/console/users/{account_id:int}/invitation"): (
            f"/console/users/{target}/invitation",
            {},
        ),
        ("POST", "/console/users/{account_id:int}"): (
            f"/console/users/{target}",
            {"display_name": "変更後", "roles": ["official"], "is_active": "false"},
        ),
        ("POST", "/console/jobs/{job_id:int}/retry"): (f"/console/jobs/{world.job_id}/retry", {}),
        ("POST", "/console/tokens"): (
            "/console/tokens",
            {
                "name": "新しいトークン",
                "account_email": role_email(Role.STAFF),
                "scopes": ["users:read"],
            },
        ),
        ("POST", "/console/tokens/{token_id:int}/revoke"): (
            f"/console/tokens/{world.token_id}/revoke",
            {},
        ),
        # --- membership applications (public): every step uses an organisation of its own ---
        ("POST", "/join/confirm"): Form("/join/confirm", application_form(12), writes=False),
        ("POST", "/join/edit"): Form("/join/edit", application_form(12), writes=False),
        ("POST", "/join"): ("/join", application_form(11)),
        ("POST", "/join/respond/{token:str}/confirm"): Form(
            f"/join/respond/{respond}/confirm", respond_form, writes=False
        ),
        ("POST", "/join/respond/{token:str}/edit"): Form(
            f"/join/respond/{respond}/edit", respond_form, writes=False
        ),
        ("POST", "/join/respond/{token:str}"): (f"/join/respond/{resubmit}", resubmit_form),
        # --- screening (staff) ---
        # Answer the checklist before the admin's new version makes its version number stale.
        ("POST", "/console/applications/{application_id:int}/checklist"): (
            f"/console/applications/{world.application_id}/checklist",
            {"checklist_version": str(checklist.version), **answers},
            Role.STAFF,
        ),
        ("POST", "/console/applications/{application_id:int}/checks"): Form(
            f"/console/applications/{world.application_id}/checks",
            {"method": "police", "source": "熊本県警察本部", "result": "clear"},
            Role.STAFF,
            files={"evidence": ("照会回答.png", PNG, "image/png")},
        ),
        ("POST", "/console/applications/{application_id:int}/decision"): (
            f"/console/applications/{rejected}/decision",
            {"decision": "reject", "reason": "所在地が県外のため。"},
            Role.STAFF,
        ),
        ("POST", "/console/screening-checklist"): (
            "/console/screening-checklist",
            {"items": "\n".join([*(item.label for item in checklist.items), "追加の確認項目"])},
        ),
        # --- the secretariat's member tools (staff): each organisation is changed once ---
        ("POST", "/console/members/import"): Form(
            "/console/members/import",
            {},
            Role.STAFF,
            files={"file": ("会員.csv", import_file(import_line(21)), "text/csv")},
            writes=False,
        ),
        ("POST", "/console/members/import/apply"): (
            "/console/members/import/apply",
            {"key": imported, "file_name": "会員.csv"},
            Role.STAFF,
        ),
        ("POST", "/console/members/{organisation_id:int}/edit"): (
            f"/console/members/{edited}/edit",
            organisation_form(3, address_line="中央区水前寺6-18-1"),
            Role.STAFF,
        ),
        ("POST", "/console/members/{organisation_id:int}/suspend"): (
            f"/console/members/{suspended}/suspend",
            {"suspend_date": today, "suspend_note": "会費未納", "suspend_confirm": "yes"},
            Role.STAFF,
        ),
        ("POST", "/console/members/{organisation_id:int}/withdraw"): (
            f"/console/members/{withdrawn}/withdraw",
            {"withdraw_date": today, "withdraw_note": "解散", "withdraw_confirm": "yes"},
            Role.STAFF,
        ),
        ("POST", "/console/members/{organisation_id:int}/reactivate"): (
            f"/console/members/{reactivated}/reactivate",
            {"reactivate_note": "会費納入を確認", "reactivate_confirm": "yes"},
            Role.STAFF,
        ),
        # --- the member platform (the member admin of world.organisation_id) ---
        ("POST", "/platform/organisation"): (
            "/platform/organisation",
            organisation_form(1, profile_text="CSRFの確認で保存した紹介文です。"),
            Role.MEMBER_ADMIN,
        ),
        ("POST", "/platform/organisation/users"): (
            "/platform/organisation/users",
            {"email": "colleague@example.jp", "display_name": "同僚 一郎"},
            Role.MEMBER_ADMIN,
        ),
        ("POST", "/platform/organisation/users/{account_id:int}/active"): (
            f"/platform/organisation/users/{deactivated}/active",
            {"is_active": "false"},
            Role.MEMBER_ADMIN,
        ),
        ("POST", "/platform/organisation/users/{account_id:int}/role"): (
            f"/platform/organisation/users/{promoted}/role",
            {"role": "member_admin"},
            Role.MEMBER_ADMIN,
        ),
        ("POST", "/platform/organisation/users/{account_id:int}/invitation"): (
            f"/platform/organisation/users/{invited}/invitation",
            {},
            Role.MEMBER_ADMIN,
        ),
        # Without stepping down: the member admin keeps the rights the other entries need.
        ("POST", "/platform/organisation/handover"): (
            "/platform/organisation/handover",
            {"account_id": str(successor)},
            Role.MEMBER_ADMIN,
        ),
        # The media library, as an editor: an upload, and two items of their own to edit and delete.
        ("POST", "/console/media"): Form(
            "/console/media",
            {"title": "熊本城", "alt_text": "石垣と天守閣"},
            Role.EDITOR,
            files={"file": ("kumamoto.png", _png(), "image/png")},
        ),
        ("POST", "/console/media/{media_id:int}"): Form(
            f"/console/media/{edited_media.id}",
            {"title": "新しい題名", "alt_text": "新しい代替テキスト"},
            Role.EDITOR,
        ),
        ("POST", "/console/media/{media_id:int}/delete"): Form(
            f"/console/media/{deleted_media.id}/delete", {"confirm": "yes"}, Role.EDITOR
        ),
        # The editors' console (articles, pages, themes): items of its own for every route.
        **{
            key: Form(url, data, role, writes=writes)
            for key, (url, data, role, writes) in (await editor_forms(settings, world)).items()
        },
        # The solutions directory: items of its own for every route.
        **{
            key: Form(
                case[0], case[1], case[2], writes=case[3], files=case[4] if len(case) > 4 else None
            )
            for key, case in (await solution_forms(settings, world)).items()
        },
        # Events: items of their own for every route (and a material, a multipart form).
        ("POST", "/console/events/{event_id:int}/materials"): Form(
            f"/console/events/{(await _event_of(world)).id}/materials",
            {"title": "講演資料"},
            Role.STAFF,
            files={"material_file": ("slides.pdf", _pdf(), "application/pdf")},
        ),
        **{
            key: Form(url, data, role, writes=writes)
            for key, (url, data, role, writes) in (await event_forms(settings, world)).items()
        },
        ("POST", "/reports/search/roll-up"): ("/reports/search/roll-up", {}, Role.STAFF),
        ("POST", "/reports/page-views/roll-up"): ("/reports/page-views/roll-up", {}, Role.STAFF),
        ("POST", "/reports/monthly/comments"): (
            "/reports/monthly/comments?month=2026-11",
            {"comments": "順調です。"},
            Role.STAFF,
        ),
        ("POST", "/reports/monthly/sent"): (
            "/reports/monthly/sent?month=2026-10",
            {"sent": "true"},
            Role.STAFF,
        ),
        ("POST", "/reports/kpis/targets"): (
            "/reports/kpis/targets",
            {f"target_{kpi.key}": "7" for kpi in kpis.KPIS},
            Role.STAFF,
        ),
        # Progress management: entries of their own for every route.
        **(await progress_forms(world)),
        # Search synonyms: a group of its own to change and one to delete.
        ("POST", "/console/search/synonyms"): (
            "/console/search/synonyms",
            {"words": "農作業\n農業", "intent": "save"},
            Role.STAFF,
        ),
        ("POST", "/console/search/synonyms/{synonym_id:int}"): (
            f"/console/search/synonyms/{synonym_groups[0]}",
            {"words": "DX\nデジタル変革"},
            Role.STAFF,
        ),
        ("POST", "/console/search/synonyms/{synonym_id:int}/delete"): (
            f"/console/search/synonyms/{synonym_groups[1]}/delete",
            {"confirm": "yes"},
            Role.STAFF,
        ),
        # Recordings: a recording of its own for every route (and a poster, a multipart form).
        **{
            key: Form(
                case[0], case[1], case[2], writes=case[3], files=case[4] if len(case) > 4 else None
            )
            for key, case in (await recording_forms(settings, world)).items()
        },
    }


async def test_the_valid_forms_cover_every_unsafe_web_route(
    settings: Settings, app: Litestar, world: World
) -> None:
    assert set(await _valid_forms(settings, world)) == _unsafe_web_routes(app)


@pytest.mark.parametrize("how", ["no token", "another clients token", "no cookie", "empty"])
async def test_unsafe_form_posts_without_the_right_token_are_refused(
    settings: Settings, app: Litestar, client: AsyncTestClient, world: World, how: str
) -> None:
    forms = await _valid_forms(settings, world)
    async with browser(app) as other:
        other_token = await csrf_token(other)
        for (_, route), case in forms.items():
            form = _case(case)
            await login_as(client, role_email(form.role))
            data = dict(form.data)
            if how == "another clients token":
                data["_csrf"] = other_token
            elif how == "no cookie":
                data["_csrf"] = await csrf_token(client)
                client.cookies.delete("kdx_csrf")
            elif how == "empty":
                data["_csrf"] = ""
            before = await snapshot()
            response = await client.post(form.url, data=data, files=form.files)
            assert response.status_code == 403, f"{route}: {response.status_code}"
            assert "フォームの有効期限が切れたか、不正な送信です" in response.text, route
            assert await snapshot() == before, f"{route} wrote although refused"


async def test_the_same_forms_succeed_with_the_token(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    forms = await _valid_forms(settings, world)
    password = PASSWORD
    for (_, route), case in forms.items():
        form = _case(case)
        await login_as(
            client, role_email(form.role), password if form.role == Role.ADMIN else PASSWORD
        )
        before = await snapshot()
        response = await client.post(
            form.url, data={**form.data, "_csrf": await csrf_token(client)}, files=form.files
        )
        if form.writes:
            assert response.status_code in (200, 201, 303), f"{route}: {response.status_code}"
            assert await snapshot() != before, f"{route} changed nothing"
        else:
            assert response.status_code == 200, f"{route}: {response.status_code}"
            assert await snapshot() == before, f"{route} wrote although it only shows a step"
        if route == "/account/password":
            password = NEW_PASSWORD


async def test_htmx_header_token_works(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    response = await client.post(
        "/console/users",
        data={"email": "htmx@example.jp", "display_name": "htmx 利用者"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 303, response.text
    wrong = await client.post(
        "/console/users",
        data={"email": "htmx2@example.jp", "display_name": "htmx 利用者"},
        headers={"X-CSRF-Token": "x" * 43, "HX-Request": "true"},
    )
    assert wrong.status_code == 403


async def test_multipart_form_token_works(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    response = await client.post(
        "/console/users",
        data={"email": "multi@example.jp", "display_name": "マルチ", "_csrf": token},
        files={"ignored": ("a.txt", b"x", "text/plain")},
    )
    assert response.status_code == 303, response.text


async def test_api_with_a_session_needs_the_csrf_header(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    body = {"email": "api@example.jp", "display_name": "API 利用者", "roles": []}
    before = await snapshot()
    refused = await client.post("/api/v1/users", json=body)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "フォームの有効期限" in refused.json()["detail"]
    assert await snapshot() == before
    # A JSON body cannot carry the token as a form field; only the header counts.
    refused = await client.post("/api/v1/users", json={**body, "_csrf": client.cookies["kdx_csrf"]})
    assert refused.status_code == 403
    accepted = await client.post(
        "/api/v1/users", json=body, headers={"X-CSRF-Token": client.cookies["kdx_csrf"]}
    )
    assert accepted.status_code == 201, accepted.text


async def test_api_with_a_bearer_token_needs_no_csrf(client: AsyncTestClient, world: World) -> None:
    admin = world.accounts[Role.ADMIN]
    _, token = await accounts.create_api_token(
        admin_principal(admin), admin.id, "書き込み", ["users:write"]
    )
    client.cookies.clear()
    response = await client.post(
        "/api/v1/users",
        json={"email": "bearer@example.jp", "display_name": "トークン 作成"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    # A bearer request never gets a session: the session cookie is ignored for it.
    await login_as(client, role_email(Role.MEMBER_USER))
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403  # the token has no account:read scope


async def test_safe_requests_do_not_need_a_token(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    client.cookies.delete("kdx_csrf")
    assert (await client.get("/console/users")).status_code == 200


async def test_logout_without_token_keeps_the_session(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    assert (await client.post("/logout")).status_code == 403
    assert await UserSession.count() == 1
    assert (await client.get("/console")).status_code == 200


# --- security headers ---------------------------------------------------------------------------


def _assert_security_headers(response, hsts: bool = False) -> None:
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"
    if hsts:
        assert response.headers["strict-transport-security"].startswith("max-age=")
    else:
        assert "strict-transport-security" not in response.headers


SAMPLE_REQUESTS = [
    ("GET", "/"),
    ("GET", "/login"),
    ("GET", "/api/v1/users"),  # 401 problem details
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/no-such-page"),  # 404 from the router
    ("GET", "/api/v1/no-such-thing"),
    ("DELETE", "/"),  # 405 from the router
    ("GET", "/static/css/site.css"),
    ("GET", "/static/no-such-file.css"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("OPTIONS", "/console"),
    ("GET", "/console"),  # 401 page
]


async def test_security_headers_on_every_response(client: AsyncTestClient, world: World) -> None:
    for method, path in SAMPLE_REQUESTS:
        response = await client.request(method, path)
        assert response.status_code < 500, path
        _assert_security_headers(response)
    await login_as(client, role_email(Role.MEMBER_USER))
    forbidden = await client.get("/console/users")
    assert forbidden.status_code == 403
    _assert_security_headers(forbidden)
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    _assert_security_headers(me)


async def test_hsts_only_behind_tls(settings: Settings, db: None) -> None:
    tls_app = create_app(replace(settings, behind_tls=True), migrate_on_start=False)
    async with AsyncTestClient(app=tls_app) as client:
        for method, path in SAMPLE_REQUESTS:
            response = await client.request(method, path, follow_redirects=False)
            _assert_security_headers(response, hsts=True)


async def test_pages_with_personal_data_are_not_cached(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    for path in ["/account", "/console/users", f"/console/users/{world.target.id}", "/login"]:
        response = await client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers.get("cache-control", ""), path


async def test_users_list_fragment_for_htmx(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    full = await client.get("/console/users")
    assert full.status_code == 200
    assert "<html" in full.text
    assert "HX-Request" in full.headers["vary"]
    fragment = await client.get("/console/users?q=target", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "<body" not in fragment.text
    assert "target@example.jp" in fragment.text
    assert "staff@example.jp" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    _assert_security_headers(fragment)
    # htmx restoring a page it lost from its history cache needs the whole page.
    restore = await client.get(
        "/console/users", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text
    assert "<html" in (await client.get("/console/users", headers={"HX-Request": "false"})).text
