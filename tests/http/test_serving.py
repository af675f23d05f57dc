"""Static files (fingerprinted, immutable, precompressed) and compression negotiated by
Accept-Encoding for pages, cached pages, JSON and streamed responses."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar, get
from litestar.response import Stream
from litestar.testing import AsyncTestClient

from api.http.compression import Compression, accepted_encoding
from api.permissions import Role
from tests.http.conftest import World, login_as, role_email
from web.assets import StaticAssets

BR = {"Accept-Encoding": "br, gzip"}
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


async def test_pages_link_fingerprinted_assets_cached_for_a_year(
    client: AsyncTestClient, world: World
) -> None:
    page = await client.get("/login")
    urls = linked_assets(page.text)
    assert {url.rsplit(".", 1)[-1] for url in urls} == {"svg", "css", "js"}
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.[a-z]+$", url), url
        response = await client.get(url, headers=IDENTITY)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "content-encoding" not in response.headers
    css = next(url for url in urls if url.endswith(".css"))
    response = await client.get(css, headers=IDENTITY)
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    source = (Path("web/static/css/site.css")).read_bytes()
    assert response.content == source


async def test_static_files_are_sent_precompressed_as_the_client_accepts(
    client: AsyncTestClient, world: World
) -> None:
    css = next(u for u in linked_assets((await client.get("/login")).text) if u.endswith(".css"))
    source = Path("web/static/css/site.css").read_bytes()
    raw: dict[str, bytes] = {}
    for headers, encoding in ((BR, "br"), (GZIP, "gzip"), (IDENTITY, None)):
        response = await client.get(css, headers=headers)
        assert response.headers.get("content-encoding") == encoding
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.content == source  # decoded by the client
        assert int(response.headers["content-length"]) == response.num_bytes_downloaded
        raw[str(encoding)] = response.headers["content-length"].encode()
    assert int(raw["br"]) < int(raw["None"]) and int(raw["gzip"]) < int(raw["None"])
    # Revalidation: the ETag (weak for an encoded copy) answers 304 without a body.
    first = await client.get(css, headers=BR)
    again = await client.get(css, headers={**BR, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_plain_and_outdated_static_urls_still_work_but_revalidate(
    client: AsyncTestClient, world: World
) -> None:
    plain = await client.get("/static/css/site.css")
    outdated = await client.get("/static/css/site.000000000000.css")
    for response in (plain, outdated):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, no-cache"
        assert "etag" in response.headers
    for missing in ("/static/no-such-file.css", "/static/css/../../app.py", "/static/"):
        response = await client.get(missing)
        assert response.status_code == 404, missing
        assert "text/html" in response.headers["content-type"]


def test_a_changed_file_gets_a_new_url(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "site.css"
    style.write_text("body { color: #000; }\n")
    (tmp_path / "LICENSE").write_text("license text")
    before = StaticAssets(tmp_path)
    style.write_text("body { color: #111; }\n")
    after = StaticAssets(tmp_path)
    assert before.url("css/site.css") != after.url("css/site.css")
    assert after.url("css/site.css").startswith("/static/css/site.")
    assert before.url("LICENSE") == after.url("LICENSE")
    found = after.find(after.url("css/site.css"))
    assert found is not None and found[1] is True  # the current fingerprint: immutable
    old = after.find(before.url("css/site.css"))
    assert old is not None and old[1] is False and old[0].body == style.read_bytes()
    with pytest.raises(LookupError):
        after.url("css/missing.css")


async def test_signed_in_pages_and_json_are_compressed_as_negotiated(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    for path in ("/console/users", "/api/v1/users"):
        outputs = {}
        for headers, encoding in ((BR, "br"), (GZIP, "gzip"), (IDENTITY, None)):
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, path
            assert response.headers.get("content-encoding") == encoding, path
            assert "Accept-Encoding" in response.headers["vary"], path
            outputs[encoding] = response.text
        assert outputs["br"] == outputs["gzip"] == outputs[None]
    refused = await client.get("/console/users", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "content-encoding" not in refused.headers


async def test_cached_pages_are_kept_compressed_in_both_encodings(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    await client.get("/", headers=BR)
    answers = {}
    for headers, encoding in ((BR, "br"), (GZIP, "gzip"), (IDENTITY, None)):
        response = await client.get("/", headers=headers)
        assert response.headers.get("content-encoding") == encoding
        assert response.headers["vary"] in ("Cookie, Accept-Encoding", "Accept-Encoding, Cookie")
        answers[encoding] = response.text
    assert answers["br"] == answers["gzip"] == answers[None]
    assert app.state.page_cache.hits >= 3


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepted_encoding(b"gzip, deflate, br") == "br"
    assert accepted_encoding(b"gzip;q=1.0, br;q=0") == "gzip"
    assert accepted_encoding(b"*") == "br"
    assert accepted_encoding(b"identity") is None
    assert accepted_encoding(b"") is None
    assert accepted_encoding(b"br;q=nonsense, gzip") == "gzip"


async def test_small_and_streamed_responses() -> None:
    chunks = [f"行{n:03d},".encode() * 40 for n in range(20)]

    @get("/stream", media_type="text/csv")
    async def streamed() -> Stream:
        async def parts() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return Stream(parts(), media_type="text/csv")

    @get("/small", media_type="text/plain")
    async def small() -> str:
        return "小さい"

    inner = Litestar(route_handlers=[streamed, small])
    for encoding in ("br", "gzip"):
        app = Compression(inner)
        async with AsyncTestClient(app=app) as client:  # type: ignore[arg-type]
            response = await client.get("/stream", headers={"Accept-Encoding": encoding})
            assert response.headers["content-encoding"] == encoding
            assert "content-length" not in response.headers
            assert response.content == b"".join(chunks)
            little = await client.get("/small", headers={"Accept-Encoding": encoding})
            assert "content-encoding" not in little.headers and little.text == "小さい"
