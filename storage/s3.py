"""The S3 object store on the minio client (MinIO in production, any S3 API).

STORAGE_URL: s3://ACCESS_KEY:SECRET_KEY@host:9000/bucket?secure=true&region=ap-northeast-1
and optionally &public_endpoint=https://files.example.jp for presigned download URLs.

The minio client blocks, so every call runs in a thread. Multipart uploads use the client's
S3 multipart calls (create, upload part, list parts, complete, abort, list uploads) and
presigned part URLs, so a browser may send parts straight to MinIO. Uploads read one part at a time:
memory is (parallel parts + 1) x PART_SIZE, and 10,000 parts of PART_SIZE cover far more than
the 4 GB recordings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO
from urllib.parse import parse_qs, unquote, urlparse

from minio import Minio
from minio.datatypes import Part
from minio.error import S3Error

from storage.base import (
    CHUNK_SIZE,
    MIN_PART_SIZE,
    ObjectNotFound,
    ObjectStore,
    PartTooSmall,
    PendingUpload,
    StoredObject,
    UploadedPart,
    UploadNotFound,
    check_key,
    check_part_number,
)

PART_SIZE = 16 * 1024 * 1024  # 10,000 parts = 160 GB
_MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchBucket"}
_NO_UPLOAD = {"NoSuchUpload"}


@dataclass(frozen=True, slots=True)
class S3Location:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    secure: bool
    region: str
    public_endpoint: str = ""

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.hostname:
            raise ValueError("STORAGE_URL must look like s3://key:secret@host:port/bucket")
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        bucket = parsed.path.strip("/")
        if not bucket:
            raise ValueError("STORAGE_URL needs a bucket name as its path")
        port = f":{parsed.port}" if parsed.port else ""
        return cls(
            endpoint=f"{parsed.hostname}{port}",
            access_key=unquote(parsed.username or ""),
            secret_key=unquote(parsed.password or ""),
            bucket=bucket,
            secure=query.get("secure", "true").lower() != "false",
            region=query.get("region", "us-east-1"),
            public_endpoint=query.get("public_endpoint", ""),
        )


class S3ObjectStore(ObjectStore):
    def __init__(self, location: S3Location) -> None:
        self.location = location
        self.client = Minio(
            location.endpoint,
            access_key=location.access_key,
            secret_key=location.secret_key,
            secure=location.secure,
            region=location.region,
        )
        self._public_client: Minio | None = None
        if location.public_endpoint:
            public = urlparse(location.public_endpoint)
            # Presigned URLs sign the Host header: sign with the address browsers will use.
            self._public_client = Minio(
                public.netloc,
                access_key=location.access_key,
                secret_key=location.secret_key,
                secure=public.scheme == "https",
                region=location.region,
            )
        self._bucket_ready = False

    async def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return

        def ensure() -> None:
            if not self.client.bucket_exists(self.location.bucket):
                self.client.make_bucket(self.location.bucket)

        await asyncio.to_thread(ensure)
        self._bucket_ready = True

    async def put(self, key: str, data: BinaryIO, size: int, content_type: str) -> StoredObject:
        check_key(key)
        await self._ensure_bucket()
        await asyncio.to_thread(
            self.client.put_object,
            self.location.bucket,
            key,
            data,
            size,
            content_type=content_type,
            part_size=PART_SIZE,
            num_parallel_uploads=1,
        )
        return await self.stat(key)

    async def stat(self, key: str) -> StoredObject:
        check_key(key)
        try:
            info = await asyncio.to_thread(self.client.stat_object, self.location.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound(key) from None
            raise
        return StoredObject(
            key=key,
            size=info.size or 0,
            content_type=info.content_type or "application/octet-stream",
            modified_at=info.last_modified,
        )

    async def open(
        self, key: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        check_key(key)
        kwargs: dict[str, Any] = {"offset": offset}
        if length is not None:
            kwargs["length"] = length
        try:
            response = await asyncio.to_thread(
                self.client.get_object, self.location.bucket, key, **kwargs
            )
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound(key) from None
            raise
        try:
            while True:
                chunk = await asyncio.to_thread(response.read, CHUNK_SIZE)
                if not chunk:
                    break
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._ensure_bucket()
        await asyncio.to_thread(self.client.remove_object, self.location.bucket, key)

    async def keys(self, prefix: str = "") -> list[str]:
        await self._ensure_bucket()

        def collect() -> list[str]:
            objects = self.client.list_objects(self.location.bucket, prefix=prefix, recursive=True)
            return sorted(obj.object_name for obj in objects if obj.object_name)

        return await asyncio.to_thread(collect)

    async def presigned_url(self, key: str, expires_seconds: int = 3600) -> str | None:
        check_key(key)
        return await asyncio.to_thread(
            self._signing_client().presigned_get_object,
            self.location.bucket,
            key,
            expires=timedelta(seconds=expires_seconds),
        )

    # --- multipart uploads -----------------------------------------------------------------

    def _signing_client(self) -> Minio:
        return self._public_client or self.client

    async def _call(self, upload_id: str, function: Any, *args: Any) -> Any:
        await self._ensure_bucket()
        try:
            return await asyncio.to_thread(function, *args)
        except S3Error as exc:
            if exc.code in _NO_UPLOAD:
                raise UploadNotFound(upload_id) from None
            raise

    async def create_upload(self, key: str, content_type: str, part_size: int | None = None) -> str:
        # S3 joins parts itself on completion; the part size changes nothing here.
        check_key(key)
        await self._ensure_bucket()
        return await asyncio.to_thread(
            self.client._create_multipart_upload,
            self.location.bucket,
            key,
            {"Content-Type": content_type},
        )

    async def upload_part(
        self, key: str, upload_id: str, number: int, data: bytes | bytearray
    ) -> UploadedPart:
        check_key(key)
        check_part_number(number)
        etag = await self._call(
            upload_id, self.client._upload_part, self.location.bucket, key, data, None, upload_id,
            number,
        )  # fmt: skip
        return UploadedPart(number, etag.strip('"'), len(data))

    async def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        check_key(key)
        parts: list[UploadedPart] = []
        marker: str | None = None
        while True:
            result = await self._call(
                upload_id, self.client._list_parts, self.location.bucket, key, upload_id, 1000,
                marker,
            )  # fmt: skip
            parts += [
                UploadedPart(p.part_number, p.etag.strip('"'), p.size or 0) for p in result.parts
            ]
            if not result.is_truncated or not result.next_part_number_marker:
                return sorted(parts, key=lambda part: part.number)
            marker = result.next_part_number_marker

    async def complete_upload(
        self, key: str, upload_id: str, parts: list[UploadedPart]
    ) -> StoredObject:
        check_key(key)
        ordered = sorted(parts, key=lambda part: part.number)
        if not ordered:
            raise ValueError("an upload needs at least one part")
        # Said before S3 does (MinIO and AWS word it differently): every part but the last.
        for part in ordered[:-1]:
            if part.size < MIN_PART_SIZE:
                raise PartTooSmall(f"part {part.number} has {part.size} bytes")
        await self._call(
            upload_id, self.client._complete_multipart_upload, self.location.bucket, key,
            upload_id, [Part(part.number, part.etag) for part in ordered],
        )  # fmt: skip
        return await self.stat(key)

    async def abort_upload(self, key: str, upload_id: str) -> None:
        check_key(key)
        try:
            await self._call(
                upload_id, self.client._abort_multipart_upload, self.location.bucket, key,
                upload_id,
            )  # fmt: skip
        except UploadNotFound:
            return

    async def pending_uploads(self, prefix: str = "") -> list[PendingUpload]:
        await self._ensure_bucket()
        found: list[PendingUpload] = []
        key_marker: str | None = None
        upload_marker: str | None = None
        while True:
            result = await asyncio.to_thread(
                self.client._list_multipart_uploads,
                self.location.bucket,
                None,
                None,
                key_marker,
                1000,
                prefix,
                upload_marker,
            )
            found += [
                PendingUpload(upload.object_name, upload.upload_id or "", upload.initiated_time)
                for upload in result.uploads
            ]
            if not result.is_truncated:
                return sorted(found, key=lambda upload: (upload.key, upload.upload_id))
            key_marker, upload_marker = result.next_key_marker, result.next_upload_id_marker

    async def presigned_part_url(
        self, key: str, upload_id: str, number: int, expires_seconds: int = 900
    ) -> str | None:
        check_key(key)
        check_part_number(number)
        return await asyncio.to_thread(
            self._signing_client().get_presigned_url,
            "PUT",
            self.location.bucket,
            key,
            expires=timedelta(seconds=expires_seconds),
            extra_query_params={"partNumber": str(number), "uploadId": upload_id},
        )
