"""Who, in broad terms, searched or saw a page: the only trace of a user the logs keep."""

from __future__ import annotations

from api.members.directory import SECRETARIAT
from api.principal import Principal

AUDIENCES = {"public": "一般（ログインなし）", "member": "会員", "staff": "事務局"}


def audience_of(principal: Principal | None) -> str:
    """public (not signed in), member (a user of a member organisation) or staff (the rest)."""
    if principal is None or not principal.roles:
        return "public"
    if principal.roles & SECRETARIAT:
        return "staff"
    return "member" if principal.organisation_id is not None else "staff"
