"""Who is acting: the current user as seen by services (no HTTP types)."""

from __future__ import annotations

from dataclasses import dataclass

from api.permissions import PERMISSIONS, Role


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    email: str
    display_name: str
    roles: frozenset[Role]
    session_id: int | None = None
    token_scopes: frozenset[str] | None = None  # set when acting through an API token
    client_address: str = ""
    organisation_id: int | None = None  # the member organisation of a member user or admin
    organisation_active: bool = False  # whether that organisation's membership is active

    def can(self, action_name: str) -> bool:
        return PERMISSIONS[action_name].allows(self.roles, self.token_scopes)

    @property
    def label(self) -> str:
        return self.email
