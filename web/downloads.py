"""File downloads of reports and lists: a Japanese file name with an ASCII fallback."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Response


def download(body: bytes, content_type: str, names: tuple[str, str]) -> Response[bytes]:
    """names: (ASCII fallback, Japanese name)."""
    ascii_name, japanese_name = names
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(japanese_name)}"
    return Response(
        body,
        media_type=content_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
