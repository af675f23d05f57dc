"""What JSON routes share: the acting principal and the bounds of paging parameters."""

from __future__ import annotations

from typing import Annotated

from litestar import Request
from litestar.params import QueryParameter

from api.principal import Principal

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
PerPage = Annotated[int, QueryParameter(ge=1, le=100)]


def request_principal(request: Request) -> Principal:
    found = request.scope.get("principal")
    assert found is not None  # the guard let only authenticated callers through
    return found
