"""The media library over HTTP: permissions, CSRF, the upload form, the public file routes."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from api.media.tables import MediaItem
from api.permissions import Role
from api.settings import Settings
from tests.conftest import csrf_token, make_account
from tests.http.conftest import is_japanese, login_as
from tests.service.test_media import EXECUTABLE, GPS_IFD, jpeg_with_gps, office_bytes, pdf_bytes

EDITOR = "editor@example.jp"


@pytest.fixture
async def accounts(settings: Settings, db: None) -> None:
    await make_account(settings, EDITOR, {Role.EDITOR})
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER})
    await make_account(settings, "official@example.jp", {Role.OFFICIAL})


async def api_upload(client: AsyncTestClient, name: str, data: bytes, **fields: str):
    return await client.post(
        "/api/v1/media",
        files={"file": (name, data, "application/octet-stream")},
        data=fields,
        headers={"X-CSRF-Token": await csrf_token(client)},
    )


async def test_anonymous_and_members_cannot_list_or_upload(client, accounts) -> None:
    for path in ("/api/v1/media", "/console/media"):
        assert (await client.get(path)).status_code == 401
    assert (await api_upload(client, "a.pdf", pdf_bytes())).status_code in (401, 403)
    for email in ("member@example.jp", "official@example.jp"):
        await login_as(client, email)
        assert (await client.get("/api/v1/media")).status_code == 403
        assert (await client.get("/console/media")).status_code == 403
        assert (await api_upload(client, "a.pdf", pdf_bytes())).status_code == 403
    assert await MediaItem.count() == 0


async def test_editor_uploads_lists_edits_and_deletes_through_the_api(client, accounts) -> None:
    await login_as(client, EDITOR)
    response = await api_upload(client, "会員規約.pdf", pdf_bytes(), title="会員規約")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["link_text"] == "会員規約（PDF、1KB）"
    assert created["url"] == f"/media/{created['id']}/file"
    photo = (await api_upload(client, "写真.jpg", jpeg_with_gps(), alt_text="天守閣")).json()
    assert photo["srcset"] == ", ".join(f"/media/{photo['id']}/{w} {w}w" for w in (320, 640, 1280))
    listed = (await client.get("/api/v1/media", params={"kind": "image"})).json()
    assert [item["id"] for item in listed["items"]] == [photo["id"]]
    detail = await client.get(f"/api/v1/media/{created['id']}")
    assert detail.json()["file_name"] == "会員規約.pdf"

    headers = {"X-CSRF-Token": await csrf_token(client)}
    changed = await client.patch(
        f"/api/v1/media/{photo['id']}", json={"alt_text": "熊本城の天守閣"}, headers=headers
    )
    assert changed.json()["alt_text"] == "熊本城の天守閣"
    too_long = await client.patch(
        f"/api/v1/media/{photo['id']}", json={"title": "あ" * 201}, headers=headers
    )
    assert too_long.status_code == 422 and is_japanese(too_long.text)
    assert (await client.delete(f"/api/v1/media/{photo['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/media/{photo['id']}/320")).status_code == 404
    assert (await client.get(f"/api/v1/media/{photo['id']}")).status_code == 404


async def test_renamed_executable_is_refused_with_a_japanese_message(client, accounts) -> None:
    await login_as(client, EDITOR)
    response = await api_upload(client, "会員規約.pdf", EXECUTABLE)
    assert response.status_code == 422
    assert "実行ファイルはアップロードできません" in response.text
    form = await client.post(
        "/console/media",
        files={"file": ("setup.pdf", EXECUTABLE, "application/pdf")},
        data={"_csrf": await csrf_token(client), "title": "", "alt_text": ""},
    )
    assert form.status_code == 422
    assert 'id="error-file"' in form.text and "実行ファイルはアップロードできません" in form.text
    assert await MediaItem.count() == 0


async def test_the_web_form_needs_the_csrf_token(client, accounts) -> None:
    await login_as(client, EDITOR)
    response = await client.post(
        "/console/media", files={"file": ("a.pdf", pdf_bytes(), "application/pdf")}
    )
    assert response.status_code == 403
    assert await MediaItem.count() == 0


async def test_upload_form_edit_and_delete(client, accounts) -> None:
    await login_as(client, EDITOR)
    token = await csrf_token(client)
    page = await client.get("/console/media")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    dashboard = await client.get("/console")
    assert 'href="/console/media"' in dashboard.text
    response = await client.post(
        "/console/media",
        files={"file": ("熊本城.jpg", jpeg_with_gps(), "image/jpeg")},
        data={"_csrf": token, "title": "熊本城", "alt_text": ""},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    item = await MediaItem.objects().first()
    assert item is not None and location == f"/console/media/{item.id}?done=uploaded"
    edit = await client.get(location)
    assert "アップロードしました" in edit.text and f'srcset="/media/{item.id}/320 320w' in edit.text
    listing = await client.get("/console/media", params={"kind": "image"})
    assert f'<img src="/media/{item.id}/320" alt=""' in listing.text

    saved = await client.post(
        f"/console/media/{item.id}", data={"_csrf": token, "title": "城", "alt_text": "天守閣"}
    )
    assert saved.status_code == 303
    assert (await MediaItem.objects().first()).alt_text == "天守閣"
    unconfirmed = await client.post(f"/console/media/{item.id}/delete", data={"_csrf": token})
    assert unconfirmed.status_code == 422 and "チェックを入れてください" in unconfirmed.text
    deleted = await client.post(
        f"/console/media/{item.id}/delete", data={"_csrf": token, "confirm": "yes"}
    )
    assert deleted.headers["location"] == "/console/media?done=deleted"
    assert await MediaItem.count() == 0


async def test_public_routes_serve_files_with_the_right_headers(client, accounts) -> None:
    await login_as(client, EDITOR)
    document = (await api_upload(client, "会員規約 2026年度.docx", office_bytes())).json()
    photo = (await api_upload(client, "写真.jpg", jpeg_with_gps())).json()
    client.cookies.clear()  # anonymous visitors fetch them

    response = await client.get(f"/media/{document['id']}/file")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="media-')
    assert f"filename*=UTF-8''{quote('会員規約 2026年度.docx', safe='')}" in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == office_bytes()

    rendition = await client.get(f"/media/{photo['id']}/640")
    assert rendition.status_code == 200 and rendition.headers["content-type"] == "image/webp"
    assert "max-age=31536000" in rendition.headers["cache-control"]
    image = Image.open(io.BytesIO(rendition.content))
    assert image.width == 640 and len(image.getexif()) == 0
    etag = rendition.headers["etag"]
    again = await client.get(f"/media/{photo['id']}/640", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""

    original = await client.get(f"/media/{photo['id']}/file")
    assert original.headers["content-type"] == "image/jpeg"
    assert original.headers["content-disposition"].startswith("inline;")
    assert not Image.open(io.BytesIO(original.content)).getexif().get_ifd(GPS_IFD)
    assert (await client.get(f"/media/{photo['id']}/500")).status_code == 404
    assert (await client.get(f"/media/{document['id']}/320")).status_code == 404
    assert (await client.get("/media/999999/file")).status_code == 404


@pytest.mark.parametrize(
    "name, data",
    [
        ("", b""),
        ("../../etc/passwd", b"root:x:0:0"),
        ("<script>alert(1)</script>.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("a" * 5000 + ".pdf", pdf_bytes()),
        ("zip.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("\x00\u202e.gif", b"GIF89a\xff\xff\xff\xff"),
    ],
)
async def test_hostile_uploads_never_fail_with_500(client, accounts, name, data) -> None:
    await login_as(client, EDITOR)
    response = await api_upload(client, name, data)
    assert response.status_code in (201, 400, 422), response.text
    if response.status_code == 201:
        assert len(response.json()["file_name"]) <= 255
    form = await client.post(
        "/console/media",
        files={"file": (name, data, "application/octet-stream")},
        data={"_csrf": await csrf_token(client)},
    )
    assert form.status_code in (303, 400, 422)
    if form.status_code != 303:
        assert "<script>alert" not in form.text


async def test_hostile_requests_to_other_routes(client, accounts) -> None:
    await login_as(client, EDITOR)
    headers = {"X-CSRF-Token": await csrf_token(client)}
    for response in (
        await client.get("/api/v1/media", params={"page": "x", "kind": "<b>"}),
        await client.patch("/api/v1/media/1", content=b"{not json", headers=headers),
        await client.patch("/api/v1/media/999999", json={"title": "x"}, headers=headers),
        await client.post("/api/v1/media", json={"file": "x"}, headers=headers),
        await client.get("/media/1/99999999999999999999"),
        await client.get("/console/media", params={"page_number": "-1"}),
    ):
        assert response.status_code < 500, response.text


async def test_openapi_documents_the_media_api_in_japanese(client, accounts) -> None:
    schema = (await client.get("/api/openapi.json")).json()
    media = schema["paths"]["/api/v1/media"]
    assert {"get", "post"} <= set(media)
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/api/v1/media/{media_id}"])
    assert is_japanese(media["post"]["summary"]) and "10MB" in media["post"]["description"]
    assert "multipart/form-data" in media["post"]["requestBody"]["content"]
    assert not any(path.startswith("/media/") for path in schema["paths"])


async def test_anonymous_clients_read_public_metadata_without_personal_fields(
    client, accounts
) -> None:
    await login_as(client, EDITOR)
    photo = (
        await api_upload(client, "山田様の写真.jpg", jpeg_with_gps(), alt_text="天守閣")
    ).json()
    await api_upload(client, "会員規約.pdf", pdf_bytes(), title="会員規約")
    client.cookies.clear()

    listing = await client.get("/api/v1/public-media", params={"kind": "image"})
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [item["id"] for item in items] == [photo["id"]]
    assert items[0]["alt_text"] == "天守閣" and items[0]["renditions"][0]["url"].startswith(
        "/media/"
    )
    assert "file_name" not in items[0] and "uploaded_by" not in items[0]
    assert "山田" not in listing.text

    detail = await client.get(f"/api/v1/public-media/{photo['id']}")
    assert detail.status_code == 200 and detail.json()["srcset"]
    again = await client.get(
        f"/api/v1/public-media/{photo['id']}", headers={"If-None-Match": detail.headers["etag"]}
    )
    assert again.status_code == 304
    missing = await client.get("/api/v1/public-media/99999999")
    assert missing.status_code == 404 and is_japanese(missing.text)
    # Writing stays with the staff side.
    assert (await client.get("/api/v1/media")).status_code == 401
