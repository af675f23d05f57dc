"""The application pages and API over HTTP: permissions, CSRF, validation, hostile input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.applications import service
from api.applications.tables import AntisocialCheck, Application
from api.members.tables import Organisation
from api.permissions import Role
from api.settings import Settings
from tests.conftest import csrf_token
from tests.factories import organisation_form
from tests.http.conftest import World, admin_principal, is_japanese, login_as, role_email


def application_form(index: int = 1, **overrides: Any) -> dict[str, str]:
    """A complete, valid application as form fields (the applicant is contact 1 of the factory)."""
    values = organisation_form(index)
    for key in ("name", "department", "email", "phone"):
        values[f"applicant_{key}"] = values.pop(f"contact_0_{key}")
    values.pop("profile_public", None)
    values.pop("profile_text", None)
    values.update(
        agree_terms="on",
        declaration="on",
        declaration_name="代表 太郎",
        submission_key=service.new_submission_key(),
    )
    values.update({key: str(value) for key, value in overrides.items()})
    return values


# --- fixtures and helpers -------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
INJECTIONS = [
    "' OR '1'='1' --",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "%_%\\",
    "\u202e\u200b",
    "a\x00b",
    "\x1b[31m",
]
LONG = "長" * 5000


async def csrf_data(client: AsyncTestClient, values: dict[str, str]) -> dict[str, str]:
    return {**values, "_csrf": await csrf_token(client)}


async def api_headers(client: AsyncTestClient) -> dict[str, str]:
    return {"X-CSRF-Token": await csrf_token(client)}


def staff_principal(world: World, role: Role = Role.STAFF):
    return admin_principal(world.accounts[role])


async def screen_for_approval(client: AsyncTestClient, world: World, application_id: int) -> None:
    """As staff through the pages: the whole checklist OK and a clear check with evidence."""
    await login_as(client, role_email(Role.STAFF))
    page = await client.get(f"/console/applications/{application_id}")
    version = re.search(r'name="checklist_version" value="(\d+)"', page.text).group(1)
    keys = sorted(set(re.findall(r'name="answer_(i\d+)"', page.text)))
    answers = {f"answer_{key}": "ok" for key in keys}
    saved = await client.post(
        f"/console/applications/{application_id}/checklist",
        data=await csrf_data(client, {"checklist_version": version, **answers}),
    )
    assert saved.status_code == 303, saved.text
    recorded = await client.post(
        f"/console/applications/{application_id}/checks",
        data=await csrf_data(
            client, {"method": "police", "source": "熊本県警察本部", "result": "clear"}
        ),
        files={"evidence": ("照会回答.png", PNG, "image/png")},
    )
    assert recorded.status_code == 303, recorded.text


# --- the public form, three steps -----------------------------------------------------------------


async def test_the_three_steps_and_a_double_submission(
    settings: Settings, client: AsyncTestClient, db: None
) -> None:
    form = await client.get("/join")
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    assert 'aria-current="step"' in form.text and "入力" in form.text
    assert 'href="/membership-terms"' in form.text
    key = re.search(r'name="submission_key" value="([^"]+)"', form.text).group(1)
    values = application_form(1, submission_key=key)

    confirm = await client.post("/join/confirm", data=await csrf_data(client, values))
    assert confirm.status_code == 200
    assert "株式会社テスト1" in confirm.text and "contact1@example.jp" in confirm.text
    assert f'name="submission_key" value="{key}"' in confirm.text
    assert "修正する" in confirm.text and "申し込む" in confirm.text
    assert await Application.count() == 0  # nothing is written before 申し込む

    edit = await client.post("/join/edit", data=await csrf_data(client, values))
    assert edit.status_code == 200
    assert 'value="株式会社テスト1"' in edit.text and f'value="{key}"' in edit.text

    done = await client.post("/join", data=await csrf_data(client, values))
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith("/join/complete?ref=")
    again = await client.post("/join", data=await csrf_data(client, values))
    assert again.status_code == 303 and again.headers["location"] == location
    assert await Application.count() == 1

    complete = await client.get(location)
    assert complete.status_code == 200
    reference = location.split("=", 1)[1]
    assert reference in complete.text and "確認メール" in complete.text
    assert (await client.get("/join/complete?ref=R9-99999")).status_code == 404
    assert (await client.get("/membership-terms")).status_code == 200


async def test_page_validation_shows_each_message_next_to_its_field(
    client: AsyncTestClient, db: None
) -> None:
    values = application_form(1, corporate_number="1234567890123", applicant_email="x@")
    values.pop("agree_terms")
    response = await client.post("/join/confirm", data=await csrf_data(client, values))
    assert response.status_code == 422
    text = response.text
    assert "<title>エラー: " in text
    assert 'class="error-summary"' in text
    assert text.index("error-summary") < text.index('id="field-name"')
    for field in ("corporate_number", "applicant_email", "agree_terms"):
        assert f'href="#field-{field}"' in text
        assert f'id="error-{field}"' in text
    assert re.search(r'id="field-corporate_number"[^>]*aria-invalid="true"', text)
    assert "チェックデジット" in text
    assert 'value="株式会社テスト1"' in text  # what was typed stays
    # A tampered submission key is replaced quietly (the user cannot fix a hidden field).
    values = application_form(1, submission_key="bad key")
    response = await client.post("/join/confirm", data=await csrf_data(client, values))
    assert response.status_code == 200
    assert "bad key" not in response.text


async def test_duplicates_are_told_next_to_the_field(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    # World: organisations 1 and 2 are active members; application 9 is pending.
    for index, word in ((1, "会員として登録"), (9, "審査中")):
        response = await client.post(
            "/join/confirm", data=await csrf_data(client, application_form(index))
        )
        assert response.status_code == 422
        assert word in response.text
        assert 'id="error-corporate_number"' in response.text
        assert 'id="error-name"' in response.text


async def test_csrf_is_required_on_the_form_and_the_api(client: AsyncTestClient, db: None) -> None:
    await client.get("/join")
    response = await client.post("/join", data=application_form(1))
    assert response.status_code == 403
    response = await client.post("/api/v1/applications", json=application_form(1))
    assert response.status_code == 403
    assert await Application.count() == 0


# --- the JSON API: applying -----------------------------------------------------------------------


def api_body(index: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {**application_form(index), "agree_terms": True, "declaration": True}
    body.update(overrides)
    return body


async def test_api_application_and_its_replay(client: AsyncTestClient, db: None) -> None:
    headers = await api_headers(client)
    body = api_body(1)
    created = await client.post("/api/v1/applications", json=body, headers=headers)
    assert created.status_code == 201, created.text
    reference = created.json()["reference"]
    assert created.json()["created"] is True
    replay = await client.post("/api/v1/applications", json=body, headers=headers)
    assert replay.status_code == 200
    assert replay.json() == {**replay.json(), "reference": reference, "created": False}
    # Without a key, a second application of the same organisation is a duplicate.
    body.pop("submission_key")
    duplicate = await client.post("/api/v1/applications", json=body, headers=headers)
    assert duplicate.status_code == 422
    assert "審査中" in duplicate.json()["errors"]["corporate_number"]
    assert await Application.count() == 1


async def test_api_validation_is_the_same_as_the_form(client: AsyncTestClient, db: None) -> None:
    headers = await api_headers(client)
    response = await client.post(
        "/api/v1/applications",
        json=api_body(1, postal_code="86", agree_terms=False, submission_key="x"),
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert {"postal_code", "agree_terms", "submission_key"} <= errors.keys()
    assert all(is_japanese(message) for message in errors.values())
    empty = await client.post("/api/v1/applications", json={}, headers=headers)
    assert empty.status_code == 422
    assert {"name", "applicant_email", "declaration_name"} <= empty.json()["errors"].keys()
    wrong = await client.post(
        "/api/v1/applications", json={"name": 123, "agree_terms": "yes"}, headers=headers
    )
    assert wrong.status_code == 400


# --- permissions ----------------------------------------------------------------------------------

WRITES = [
    ("POST", "/console/applications/{id}/checklist", "form"),
    ("POST", "/console/applications/{id}/checks", "form"),
    ("POST", "/console/applications/{id}/decision", "form"),
    ("POST", "/console/screening-checklist", "form"),
    ("POST", "/api/v1/applications/{id}/checklist", "json"),
    ("POST", "/api/v1/applications/{id}/antisocial-checks", "form"),
    ("POST", "/api/v1/applications/{id}/decision", "json"),
    ("POST", "/api/v1/screening-checklist", "json"),
]
READS = [
    "/console/applications",
    "/console/applications/{id}",
    "/console/applications/{id}/evidence",
    "/api/v1/applications",
    "/api/v1/applications/{id}",
    "/api/v1/applications/{id}/evidence",
]


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.MEMBER_ADMIN, Role.MEMBER_USER, Role.EDITOR])
async def test_only_the_secretariat_screens(
    client: AsyncTestClient, world: World, role: Role
) -> None:
    await login_as(client, role_email(role))
    headers = await api_headers(client)
    valid_decision = {"decision": "reject", "reason": "テスト"}
    for method, path, kind in WRITES:
        url = path.replace("{id}", str(world.application_id))
        if kind == "json":
            response = await client.request(method, url, json=valid_decision, headers=headers)
        else:
            response = await client.request(
                method, url, data={**valid_decision, "items": "a"}, headers=headers
            )
        assert response.status_code == 403, (role, url, response.status_code)
    for path in READS:
        url = path.replace("{id}", str(world.application_id))
        assert (await client.get(url)).status_code == 403, (role, url)
    assert (await client.get("/console/screening-checklist")).status_code == 403
    assert await Application.count().where(Application.status == "submitted") == 1
    client.cookies.clear()
    assert (await client.get("/console/applications")).status_code == 401
    assert (await client.get("/api/v1/applications")).status_code == 401


async def test_staff_cannot_edit_the_checklist_but_admins_can(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.post(
        "/console/screening-checklist", data=await csrf_data(client, {"items": "a\nb"})
    )
    assert response.status_code == 403
    assert (await client.get("/api/v1/screening-checklist")).status_code == 200

    await login_as(client, role_email(Role.ADMIN))
    page = await client.get("/console/screening-checklist")
    assert page.status_code == 200 and "第1版" in page.text
    empty = await client.post(
        "/console/screening-checklist", data=await csrf_data(client, {"items": " \n "})
    )
    assert empty.status_code == 422 and 'id="error-items"' in empty.text
    saved = await client.post(
        "/console/screening-checklist",
        data=await csrf_data(client, {"items": "県内に事業所がある\r\n目的に合致する\r\n"}),
    )
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "第2版" in page.text and "目的に合致する" in page.text
    api = await client.post(
        "/api/v1/screening-checklist",
        json={"items": ["一つ", "二つ", "三つ"]},
        headers=await api_headers(client),
    )
    assert api.status_code == 201 and api.json()["version"] == 3


# --- screening through the pages ------------------------------------------------------------------


async def test_screening_through_the_pages(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    application_id = world.application_id
    await login_as(client, role_email(Role.STAFF))
    queue = await client.get("/console/applications")
    assert queue.status_code == 200
    assert f'href="/console/applications/{application_id}"' in queue.text
    assert "0日" in queue.text
    page = await client.get(f"/console/applications/{application_id}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "contact9@example.jp" in page.text  # staff see the applicant's contact
    assert "第1版" in page.text

    # Errors stay on the page, next to their fields.
    bad = await client.post(
        f"/console/applications/{application_id}/checks",
        data=await csrf_data(client, {"method": "x", "source": "", "result": ""}),
        files={"evidence": ("回答.pdf", b"plain text, not a PDF", "application/pdf")},
    )
    assert bad.status_code == 422
    for field in ("method", "source", "result", "evidence"):
        assert f'id="error-{field}"' in bad.text
    assert await AntisocialCheck.count() == 0
    incomplete = await client.post(
        f"/console/applications/{application_id}/checklist",
        data=await csrf_data(client, {"checklist_version": "1", "answer_i1": "ok"}),
    )
    assert incomplete.status_code == 422 and 'id="error-answer_i2"' in incomplete.text

    await screen_for_approval(client, world, application_id)
    page = await client.get(f"/console/applications/{application_id}?done=check")
    assert "照会回答.png" in page.text and "該当なし" in page.text
    link = re.search(r'href="(/console/applications/\d+/evidence\?check_id=\d+)"', page.text)
    download = await client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert "attachment" in download.headers["content-disposition"]
    assert "filename*=UTF-8''%E7%85%A7" in download.headers["content-disposition"]

    # The same staff member may not approve (the setting asks for a second person).
    refused = await client.post(
        f"/console/applications/{application_id}/decision",
        data=await csrf_data(client, {"decision": "approve"}),
    )
    assert refused.status_code == 422
    assert "記録した本人は承認できません" in refused.text
    assert 'href="#field-decision"' in refused.text

    await login_as(client, role_email(Role.ADMIN))
    approved = await client.post(
        f"/console/applications/{application_id}/decision",
        data=await csrf_data(client, {"decision": "approve"}),
    )
    assert approved.status_code == 303, approved.text
    page = await client.get(approved.headers["location"])
    assert "承認済み" in page.text and "会員団体を登録し" in page.text
    assert await Organisation.count().where(Organisation.name == "株式会社テスト9") == 1
    rejected = await client.post(
        f"/console/applications/{application_id}/decision",
        data=await csrf_data(client, {"decision": "reject", "reason": "やはり"}),
    )
    assert rejected.status_code == 409
    assert "承認済みの申込は却下できません" in rejected.text


async def test_evidence_over_the_app_limit_is_accepted_on_the_upload_route_only(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    values = {"method": "registry", "source": "登記情報提供サービス", "result": "clear"}
    response = await client.post(
        f"/console/applications/{world.application_id}/checks",
        data=await csrf_data(client, values),
        files={"evidence": ("登記.pdf", big, "application/pdf")},
    )
    assert response.status_code == 303, response.text[:500]
    too_big = b"%PDF-1.4\n" + b"0" * (settings.evidence_max_bytes + 1)
    response = await client.post(
        f"/console/applications/{world.application_id}/checks",
        data=await csrf_data(client, values),
        files={"evidence": ("大きすぎる.pdf", too_big, "application/pdf")},
    )
    assert response.status_code == 422
    assert "10MB以下" in response.text
    # Elsewhere the app-wide limit (1 MiB) still holds.
    response = await client.post(
        f"/console/applications/{world.application_id}/checklist",
        data=await csrf_data(client, {"note_i1": "x" * (2 * 1024 * 1024)}),
    )
    assert response.status_code == 413
    assert await AntisocialCheck.count() == 1


async def test_info_request_link_through_the_pages(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    from api.applications import service as applications

    _, token = await applications.request_info(
        settings, staff_principal(world), world.application_id, "建物名を追記してください。"
    )
    client.cookies.clear()
    form = await client.get(f"/join/respond/{token}")
    assert form.status_code == 200
    assert "建物名を追記してください。" in form.text
    assert 'value="株式会社テスト9"' in form.text  # the same application, prefilled
    values = application_form(9, address_line="中央区千葉城町9-1 くまもとビル")
    values.pop("submission_key")
    confirm = await client.post(
        f"/join/respond/{token}/confirm", data=await csrf_data(client, values)
    )
    assert confirm.status_code == 200 and "くまもとビル" in confirm.text
    assert f'action="/join/respond/{token}"' in confirm.text
    done = await client.post(f"/join/respond/{token}", data=await csrf_data(client, values))
    assert done.status_code == 303
    assert done.headers["location"].endswith("&resubmitted=1")
    again = await client.get(f"/join/respond/{token}")
    assert again.status_code == 404 and "無効" in again.text
    view = await applications.get_application(world.application_id)
    assert view.status == "submitted" and "くまもとビル" in view.organisation.address_line


# --- screening through the API --------------------------------------------------------------------


async def test_screening_through_the_api(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    application_id = world.application_id
    await login_as(client, role_email(Role.STAFF))
    headers = await api_headers(client)
    listed = await client.get("/api/v1/applications?status=pending")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [application_id]
    assert listed.json()["items"][0]["age_days"] == 0
    detail = await client.get(f"/api/v1/applications/{application_id}")
    assert detail.json()["applicant"]["email"] == "contact9@example.jp"
    checklist = (await client.get("/api/v1/screening-checklist")).json()
    answers = {item["key"]: {"answer": "ok", "note": ""} for item in checklist["items"]}
    bad = await client.post(
        f"/api/v1/applications/{application_id}/checklist",
        json={"version": checklist["version"], "answers": {}},
        headers=headers,
    )
    assert bad.status_code == 422
    saved = await client.post(
        f"/api/v1/applications/{application_id}/checklist",
        json={"version": checklist["version"], "answers": answers},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json()["checklist"]["version"] == 1
    check = await client.post(
        f"/api/v1/applications/{application_id}/antisocial-checks",
        data={"method": "center", "source": "暴追センター", "result": "clear", "notes": ""},
        files={"evidence": ("回答書.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers=headers,
    )
    assert check.status_code == 201, check.text
    assert check.json()["evidence_name"] == "回答書.pdf"
    no_file = await client.post(
        f"/api/v1/applications/{application_id}/antisocial-checks",
        data={"method": "media", "source": "ウェブ検索", "result": "clear"},
        headers=headers,
    )
    assert no_file.status_code == 201, no_file.text
    evidence = await client.get(
        f"/api/v1/applications/{application_id}/evidence?check_id={check.json()['id']}"
    )
    assert evidence.status_code == 200 and evidence.content.startswith(b"%PDF")
    missing = await client.get(
        f"/api/v1/applications/{application_id}/evidence?check_id={no_file.json()['id']}"
    )
    assert missing.status_code == 404
    own = await client.post(
        f"/api/v1/applications/{application_id}/decision",
        json={"decision": "approve"},
        headers=headers,
    )
    assert own.status_code == 422 and "本人" in own.json()["errors"]["decision"]

    await login_as(client, role_email(Role.ADMIN))
    headers = await api_headers(client)
    approved = await client.post(
        f"/api/v1/applications/{application_id}/decision",
        json={"decision": "approve"},
        headers=headers,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["organisation_id"] is not None
    for body in ({"decision": "reject", "reason": "x"}, {"decision": "approve"}):
        late = await client.post(
            f"/api/v1/applications/{application_id}/decision", json=body, headers=headers
        )
        assert late.status_code == 409
        assert is_japanese(late.json()["detail"])


async def test_api_tokens_with_the_applications_scopes(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    from api.accounts import service as accounts

    staff = world.accounts[Role.STAFF]
    _, token = await accounts.create_api_token(
        admin_principal(world.accounts[Role.ADMIN]), staff.id, "審査", ["applications:read"]
    )
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/applications", headers=headers)).status_code == 200
    response = await client.post(
        f"/api/v1/applications/{world.application_id}/decision",
        json={"decision": "reject", "reason": "x"},
        headers=headers,
    )
    assert response.status_code == 403


async def test_openapi_documents_the_applications_api(client: AsyncTestClient, db: None) -> None:
    schema = (await client.get("/api/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/checklist",
        "/api/v1/applications/{application_id}/antisocial-checks",
        "/api/v1/applications/{application_id}/evidence",
        "/api/v1/applications/{application_id}/decision",
        "/api/v1/screening-checklist",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert is_japanese(operation["summary"]) and is_japanese(operation["description"])
    upload = paths["/api/v1/applications/{application_id}/antisocial-checks"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


# --- hostile input --------------------------------------------------------------------------------


async def test_hostile_input_never_breaks_the_pages_or_the_api(
    client: AsyncTestClient, world: World
) -> None:
    fields = [key for key in application_form(1) if key not in ("agree_terms", "declaration")]
    headers = await api_headers(client)
    # Every field with a few of the worst values, then every value in all fields at once.
    cases = [{field: text} for field in fields for text in (INJECTIONS[1], "a\x00b", LONG)]
    cases += [dict.fromkeys(fields, text) for text in INJECTIONS]
    for overrides in cases:
        page = await client.post(
            "/join/confirm", data=await csrf_data(client, application_form(3, **overrides))
        )
        assert page.status_code in (200, 422), (overrides.keys(), page.status_code)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        body = api_body(3, **overrides)
        api = await client.post("/api/v1/applications", json=body, headers=headers)
        assert api.status_code in (201, 422), (overrides.keys(), api.status_code)
        if api.status_code == 201:
            # Valid after normalisation (e.g. the department): drop it for the next case.
            await Application.delete().where(Application.reference == api.json()["reference"])
    await login_as(client, role_email(Role.STAFF))
    headers = await api_headers(client)
    base = f"/console/applications/{world.application_id}"
    for text in INJECTIONS:
        for url, data in (
            (f"{base}/checklist", {"checklist_version": text, "answer_i1": text, "note_i1": text}),
            (f"{base}/checks", {"method": text, "source": text, "result": text, "notes": text}),
            (f"{base}/decision", {"decision": text, "reason": text, "message": text}),
            (f"{base}/decision", {"decision": "reject", "reason": text}),
        ):
            response = await client.post(url, data=await csrf_data(client, data))
            assert response.status_code in (303, 409, 413, 422), (
                url,
                text[:20],
                response.status_code,
            )
            assert "<script>alert" not in response.text
        response = await client.post(
            f"/api/v1/applications/{world.application_id}/checklist",
            json={"version": 1, "answers": {text: {"answer": text, "note": text}}},
            headers=headers,
        )
        assert response.status_code in (400, 409, 422), response.status_code
    for raw in ("99999999999999999999", "0", "-1", "abc", "2147483648"):
        for url in (f"/console/applications/{raw}", f"/api/v1/applications/{raw}",
                    f"/api/v1/applications/{world.application_id}/evidence?check_id={raw}",
                    f"/console/applications?status={raw}&page_number={raw}",
                    f"/join/complete?ref={raw}", f"/join/respond/{raw}"):  # fmt: skip
            response = await client.get(url)
            assert response.status_code in (200, 400, 404), (url, response.status_code)


async def test_the_home_page_leads_to_the_application_form_and_the_terms(
    client: AsyncTestClient, db: None
) -> None:
    home = await client.get("/")
    assert 'href="/join"' in home.text and 'href="/membership-terms"' in home.text
    assert (await client.get("/join")).status_code == 200
    assert (await client.get("/membership-terms")).status_code == 200
