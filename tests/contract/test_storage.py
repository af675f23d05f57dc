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
from storage.base import MIN_PART_SIZE, PartTooSmall, UploadNotFound
from storage.local import LocalObjectStore
from storage.s3 import PART_SIZE, S3Location, S3ObjectStore

FIRST = bytes(range(256)) * (MIN_PART_SIZE // 256)  # exactly the smallest part S3 allows
SECOND = b"\x01" * MIN_PART_SIZE
LAST = "録画の最後の部分".encode()


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

    # --- multipart uploads (recordings of several GB, resumable) ---------------------------

    def reopened(self, store: ObjectStore) -> ObjectStore:
        """The same store as a new process would open it (after a restart)."""
        raise NotImplementedError

    async def test_a_multipart_upload_joins_its_parts(self, store: ObjectStore) -> None:
        key = new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4")
        parts = [
            await store.upload_part(key, upload_id, number, data)
            for number, data in ((1, FIRST), (2, SECOND), (3, LAST))
        ]
        assert [(p.number, p.size) for p in await store.list_parts(key, upload_id)] == [
            (1, len(FIRST)), (2, len(SECOND)), (3, len(LAST)),
        ]  # fmt: skip
        pending = await store.pending_uploads("recordings/")
        assert [(u.key, u.upload_id) for u in pending] == [(key, upload_id)]
        assert pending[0].started_at is not None
        with pytest.raises(ObjectNotFound):
            await store.stat(key)  # nothing shows before it is complete
        stored = await store.complete_upload(key, upload_id, list(reversed(parts)))
        body = FIRST + SECOND + LAST
        assert stored.size == len(body) and stored.content_type == "video/mp4"
        seam = b"".join([c async for c in store.open(key, offset=MIN_PART_SIZE - 10, length=20)])
        assert seam == body[MIN_PART_SIZE - 10 : MIN_PART_SIZE + 10]
        tail = b"".join([c async for c in store.open(key, offset=len(body) - len(LAST))])
        assert tail == LAST
        assert await store.pending_uploads("recordings/") == []
        assert key in await store.keys("recordings/")
        with pytest.raises(UploadNotFound):
            await store.list_parts(key, upload_id)  # the upload is gone once complete

    async def test_an_interrupted_upload_resumes_from_its_stored_parts(
        self, store: ObjectStore
    ) -> None:
        key = new_key("recordings", "webm")
        upload_id = await store.create_upload(key, "video/webm")
        await store.upload_part(key, upload_id, 1, FIRST)
        await store.upload_part(key, upload_id, 2, b"cut off by a lost connection")
        later = self.reopened(store)
        [pending] = [u for u in await later.pending_uploads("recordings/") if u.key == key]
        assert pending.upload_id == upload_id
        kept = await later.list_parts(key, upload_id)
        assert [p.number for p in kept] == [1, 2]
        again = await later.upload_part(key, upload_id, 2, SECOND)  # a part sent again replaces it
        last = await later.upload_part(key, upload_id, 3, LAST)
        stored = await later.complete_upload(key, upload_id, [kept[0], again, last])
        assert stored.size == len(FIRST) + len(SECOND) + len(LAST)

    async def test_an_upload_with_a_part_size_joins_parts_sent_in_any_order(
        self, store: ObjectStore
    ) -> None:
        key = new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4", part_size=MIN_PART_SIZE)
        last = await store.upload_part(key, upload_id, 3, LAST)
        await store.upload_part(key, upload_id, 2, b"cut off by a lost connection")
        first = await store.upload_part(key, upload_id, 1, FIRST)
        later = self.reopened(store)  # a restart between the parts
        second = await later.upload_part(key, upload_id, 2, SECOND)  # sent again: replaced
        assert [(p.number, p.size) for p in await later.list_parts(key, upload_id)] == [
            (1, len(FIRST)), (2, len(SECOND)), (3, len(LAST)),
        ]  # fmt: skip
        stored = await later.complete_upload(key, upload_id, [first, second, last])
        body = FIRST + SECOND + LAST
        assert stored.size == len(body)
        assert b"".join([c async for c in later.open(key)]) == body
        assert await later.pending_uploads("recordings/") == []

    async def test_aborting_drops_the_parts(self, store: ObjectStore) -> None:
        key = new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4")
        await store.upload_part(key, upload_id, 1, FIRST)
        await store.abort_upload(key, upload_id)
        assert key not in {u.key for u in await store.pending_uploads("recordings/")}
        with pytest.raises(UploadNotFound):
            await store.list_parts(key, upload_id)
        await store.abort_upload(key, upload_id)  # again: not an error
        with pytest.raises(ObjectNotFound):
            await store.stat(key)

    async def test_a_small_part_before_the_last_is_refused(self, store: ObjectStore) -> None:
        key = new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4")
        parts = [
            await store.upload_part(key, upload_id, 1, b"too small to come first"),
            await store.upload_part(key, upload_id, 2, LAST),
        ]
        with pytest.raises(PartTooSmall):
            await store.complete_upload(key, upload_id, parts)
        with pytest.raises(ObjectNotFound):
            await store.stat(key)
        await store.abort_upload(key, upload_id)

    # Per backend: moto answers a part sent to an unknown upload with 500 (AWS S3 and MinIO
    # answer NoSuchUpload); every backend reports an unknown upload when its parts are listed.
    parts_to_unknown_uploads_are_refused = True

    async def test_unknown_uploads_and_part_numbers(self, store: ObjectStore) -> None:
        key = new_key("recordings", "mp4")
        if self.parts_to_unknown_uploads_are_refused:
            with pytest.raises(UploadNotFound):
                await store.upload_part(key, "0" * 32, 1, b"x")
        with pytest.raises(UploadNotFound):
            await store.list_parts(key, "0" * 32)
        upload_id = await store.create_upload(key, "video/mp4")
        for number in (0, 10_001):
            with pytest.raises(ValueError):
                await store.upload_part(key, upload_id, number, b"x")
        with pytest.raises(InvalidKey):
            await store.create_upload("../escape.mp4", "video/mp4")
        await store.abort_upload(key, upload_id)


class TestLocalStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> ObjectStore:
        return LocalObjectStore(tmp_path / "objects")

    def reopened(self, store: ObjectStore) -> ObjectStore:
        assert isinstance(store, LocalObjectStore)
        return LocalObjectStore(store.root)

    async def test_an_upload_id_belongs_to_its_key(self, store: LocalObjectStore) -> None:
        key, other = new_key("recordings", "mp4"), new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4")
        with pytest.raises(UploadNotFound):
            await store.upload_part(other, upload_id, 1, b"x")
        for bad in ("../../etc", "A" * 32, ""):
            with pytest.raises(UploadNotFound):
                await store.upload_part(key, bad, 1, b"x")

    async def test_parts_placed_by_their_size_must_keep_it(self, store: LocalObjectStore) -> None:
        """An upload with a part size writes parts in place: one larger than the size, a part
        in the middle shorter than it, or a gap in the numbers is refused, nothing stored."""
        key = new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4", part_size=MIN_PART_SIZE)
        with pytest.raises(ValueError):
            await store.upload_part(key, upload_id, 1, FIRST + b"x")
        short = await store.upload_part(key, upload_id, 1, FIRST[:-1] + b"")
        last = await store.upload_part(key, upload_id, 2, LAST)
        with pytest.raises(ValueError):
            await store.complete_upload(key, upload_id, [short, last])
        first = await store.upload_part(key, upload_id, 1, FIRST)
        third = await store.upload_part(key, upload_id, 3, LAST)
        with pytest.raises(ValueError):
            await store.complete_upload(key, upload_id, [first, third])  # no part 2
        with pytest.raises(ObjectNotFound):
            await store.stat(key)
        stored = await store.complete_upload(key, upload_id, [first, last])
        assert stored.size == len(FIRST) + len(LAST)
        assert [p for p in store.root.rglob("*") if p.is_file() and ".uploads" in p.parts] == []

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
    parts_to_unknown_uploads_are_refused = False  # moto answers 500 (see StoreContract)

    @pytest.fixture
    async def store(self, moto_endpoint: str) -> AsyncIterator[ObjectStore]:
        bucket = f"kdx-{os.urandom(4).hex()}"
        url = f"s3://test:testsecret@{moto_endpoint}/{bucket}?secure=false&region=ap-northeast-1"
        yield open_store(url, Path("."))

    def reopened(self, store: ObjectStore) -> ObjectStore:
        assert isinstance(store, S3ObjectStore)
        return S3ObjectStore(store.location)

    async def test_a_browser_sends_parts_straight_to_presigned_urls(
        self, store: S3ObjectStore
    ) -> None:
        from storage.base import UploadedPart

        key = new_key("recordings", "mp4")
        upload_id = await store.create_upload(key, "video/mp4")
        parts = []
        async with httpx.AsyncClient() as http:
            for number, data in ((1, FIRST), (2, LAST)):
                url = await store.presigned_part_url(key, upload_id, number, 600)
                assert url is not None
                sent = await http.put(url, content=data)
                assert sent.status_code == 200, sent.text
                parts.append(UploadedPart(number, sent.headers["etag"].strip('"'), len(data)))
        assert [p.etag for p in await store.list_parts(key, upload_id)] == [p.etag for p in parts]
        stored = await store.complete_upload(key, upload_id, parts)
        assert stored.size == len(FIRST) + len(LAST)

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

    def reopened(self, store: ObjectStore) -> ObjectStore:
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
