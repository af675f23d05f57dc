"""One contract for every ObjectStore: the local directory, S3 on moto's server, and MinIO when
STORAGE_URL points at one (skipped otherwise, with the reason)."""

from __future__ import annotations

import io
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from storage import InvalidKey, ObjectNotFound, ObjectStore, new_key, open_store
from storage.local import LocalObjectStore
from storage.s3 import PART_SIZE, S3Location, S3ObjectStore


class CountingReader(io.RawIOBase):
    """A large upload made up on the fly: proves the store reads in parts, never all at once."""

    BLOCK = bytes(range(256)) * 4096  # 1 MiB

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            n = self.size - self.position
        n = min(n, self.size - self.position)
        self.largest_read = max(self.largest_read, n)
        self.position += n
        whole, rest = divmod(n, len(self.BLOCK))
        return self.BLOCK * whole + self.BLOCK[:rest]


class StoreContract:
    """Subclasses provide a `store` fixture; every backend must pass these tests."""

    async def test_put_stat_and_read_back(self, store: ObjectStore) -> None:
        key = new_key("contract", "txt")
        body = "熊本県DX推進コンソーシアム".encode()
        stored = await store.put(key, io.BytesIO(body), len(body), "text/plain; charset=utf-8")
        assert stored.size == len(body)
        info = await store.stat(key)
        assert info.size == len(body)
        assert info.content_type.startswith("text/plain")
        assert await store.read_all(key) == body

    async def test_ranges_for_seeking(self, store: ObjectStore) -> None:
        key = new_key("contract", "bin")
        body = bytes(range(256)) * 10
        await store.put(key, io.BytesIO(body), len(body), "application/octet-stream")
        part = b"".join([c async for c in store.open(key, offset=100, length=50)])
        assert part == body[100:150]
        tail = b"".join([c async for c in store.open(key, offset=2500)])
        assert tail == body[2500:]

    async def test_missing_objects(self, store: ObjectStore) -> None:
        with pytest.raises(ObjectNotFound):
            await store.stat("contract/missing.bin")
        with pytest.raises(ObjectNotFound):
            await store.read_all("contract/missing.bin")
        await store.delete("contract/missing.bin")  # not an error

    async def test_delete_and_list_keys(self, store: ObjectStore) -> None:
        keys = [new_key("listing/a"), new_key("listing/a"), new_key("listing/b")]
        for key in keys:
            await store.put(key, io.BytesIO(b"x"), 1, "application/octet-stream")
        assert await store.keys("listing/a/") == sorted(keys[:2])
        await store.delete(keys[0])
        assert await store.keys("listing/") == sorted(keys[1:])
        assert await store.unused_keys("listing/", {keys[1]}) == [keys[2]]

    async def test_keys_cannot_escape(self, store: ObjectStore) -> None:
        for key in ["../etc/passwd", "/abs", "a/../../b", "Upper/Case", "日本語.pdf", "a//b"]:
            with pytest.raises(InvalidKey):
                await store.put(key, io.BytesIO(b"x"), 1, "text/plain")

    async def test_a_short_upload_stores_nothing(self, store: ObjectStore) -> None:
        key = new_key("contract")
        with pytest.raises(Exception):  # noqa: B017 (each backend words it differently)
            await store.put(key, io.BytesIO(b"only ten.."), 100, "text/plain")
        with pytest.raises(ObjectNotFound):
            await store.stat(key)

    async def test_large_upload_is_read_in_parts(self, store: ObjectStore) -> None:
        size = PART_SIZE + 1024 * 1024
        reader = CountingReader(size)
        key = new_key("large", "bin")
        stored = await store.put(key, reader, size, "video/mp4")  # type: ignore[arg-type]
        assert stored.size == size
        assert reader.largest_read <= PART_SIZE
        total = 0
        async for chunk in store.open(key):
            total += len(chunk)
        assert total == size


class TestLocalStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> ObjectStore:
        return LocalObjectStore(tmp_path / "objects")

    async def test_no_temporary_files_are_left_behind(self, store: LocalObjectStore) -> None:
        with pytest.raises(ValueError):
            await store.put("contract/a.bin", io.BytesIO(b"x"), 5, "text/plain")
        assert [p for p in store.root.rglob("*") if p.is_file()] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


class TestS3StoreOnMoto(StoreContract):
    @pytest.fixture
    async def store(self, moto_endpoint: str) -> AsyncIterator[ObjectStore]:
        bucket = f"kdx-{os.urandom(4).hex()}"
        url = f"s3://test:testsecret@{moto_endpoint}/{bucket}?secure=false&region=ap-northeast-1"
        yield open_store(url, Path("."))

    async def test_presigned_url_downloads_and_uses_public_endpoint(
        self, store: S3ObjectStore, moto_endpoint: str
    ) -> None:
        key = new_key("contract", "txt")
        await store.put(key, io.BytesIO(b"hello"), 5, "text/plain")
        url = await store.presigned_url(key, 600)
        assert url is not None
        async with httpx.AsyncClient() as http:
            assert (await http.get(url)).content == b"hello"
        public = S3ObjectStore(
            S3Location.parse(
                f"s3://test:testsecret@{moto_endpoint}/{store.location.bucket}"
                "?secure=false&region=ap-northeast-1&public_endpoint=https://files.example.jp"
            )
        )
        signed = await public.presigned_url(key, 600)
        assert signed is not None and signed.startswith("https://files.example.jp/")


MINIO_URL = os.environ.get("STORAGE_URL", "")


@pytest.mark.skipif(
    not MINIO_URL.startswith("s3://"),
    reason="STORAGE_URL does not point at a MinIO/S3 server; the MinIO run of the contract is skipped",
)
class TestS3StoreOnMinio(StoreContract):
    @pytest.fixture
    def store(self) -> ObjectStore:
        return open_store(MINIO_URL, Path("."))


def test_storage_url_parsing() -> None:
    location = S3Location.parse(
        "s3://AKIA:se%2Fcret@minio:9000/recordings?secure=false&region=ap-northeast-1"
    )
    assert location.endpoint == "minio:9000"
    assert location.secret_key == "se/cret"
    assert location.bucket == "recordings"
    assert not location.secure and location.region == "ap-northeast-1"
    with pytest.raises(ValueError):
        S3Location.parse("s3://key:secret@minio:9000/")
    assert isinstance(open_store("", Path("/tmp/kdx-store-test")), LocalObjectStore)
