"""HTTP byte ranges (RFC 9110 section 14) for seeking in recordings: one range per request."""

from __future__ import annotations


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes the object does not have, or for several ranges."""

    def __init__(self, size: int) -> None:
        super().__init__(f"bytes */{size}")
        self.size = size


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive, of the one range asked for; None for the whole object
    (no header, or a unit other than bytes, which a server may ignore)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    spec = spec.strip()
    if "," in spec:
        raise RangeNotSatisfiable(size)  # several ranges: players never need them
    first, dash, last = spec.partition("-")
    if not dash or len(spec) > 40:
        raise RangeNotSatisfiable(size)
    if first == "":
        if not last.isdigit() or int(last) == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return max(0, size - int(last)), size - 1
    if not first.isdigit() or (last and not last.isdigit()):
        raise RangeNotSatisfiable(size)
    start, end = int(first), int(last) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable(size)
    return start, min(end, size - 1)
