"""The object-store port (DESIGN.md section 3): one ObjectStore interface with a local-directory
backend (embedded default) and an S3 backend on the minio client (MinIO in production).
It knows nothing about the domain: it takes bytes under generated keys and streams them back.
"""

from __future__ import annotations

from pathlib import Path

from storage.base import InvalidKey, ObjectNotFound, ObjectStore, StoredObject, new_key


def open_store(storage_url: str, data_dir: Path) -> ObjectStore:
    """The store STORAGE_URL names: empty or file:///dir for local files, s3://... for S3."""
    if not storage_url:
        from storage.local import LocalObjectStore

        return LocalObjectStore(data_dir / "objects")
    if storage_url.startswith("file://"):
        from storage.local import LocalObjectStore

        return LocalObjectStore(Path(storage_url.removeprefix("file://")))
    if storage_url.startswith("s3://"):
        from storage.s3 import S3Location, S3ObjectStore

        return S3ObjectStore(S3Location.parse(storage_url))
    raise ValueError(f"unsupported STORAGE_URL scheme: {storage_url.split(':', 1)[0]}")


__all__ = ["InvalidKey", "ObjectNotFound", "ObjectStore", "StoredObject", "new_key", "open_store"]
