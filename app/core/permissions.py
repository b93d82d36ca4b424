"""Who may do what: roles to permissions, and the acting user every service receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.core.errors import PermissionDenied
from app.core.jurisdictions import NATIONAL_OFFICE_CODE
from app.core.vocabulary import Role


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    VIEW_OFFENDERS = "view_offenders"
    EDIT_OFFENDERS = "edit_offenders"
    LOAD_DATA = "load_data"
    # The managed-activity chain (DOMAIN 3.1): draft, approve as a supervisor, approve and transmit
    # as the compact office.
    DRAFT_ACTIVITIES = "draft_activities"
    APPROVE_ACTIVITIES = "approve_activities"
    TRANSMIT_ACTIVITIES = "transmit_activities"


_CASEWORK = frozenset(
    {Permission.VIEW_OFFENDERS, Permission.EDIT_OFFENDERS, Permission.DRAFT_ACTIVITIES}
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: _CASEWORK,
    Role.SUPERVISOR: _CASEWORK | {Permission.APPROVE_ACTIVITIES},
    Role.COMPACT_OFFICE: _CASEWORK | {Permission.TRANSMIT_ACTIVITIES},
    Role.STATE_ADMINISTRATOR: _CASEWORK | {Permission.MANAGE_USERS, Permission.LOAD_DATA},
    Role.NATIONAL_OFFICE: frozenset(Permission),
}

SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class Actor:
    """The person (or the local system account) on whose behalf a service runs."""

    user_id: int | None
    username: str
    jurisdiction_code: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    is_system: bool = False

    @property
    def sees_all_states(self) -> bool:
        return self.is_system or self.jurisdiction_code == NATIONAL_OFFICE_CODE

    @property
    def permissions(self) -> frozenset[Permission]:
        if self.is_system:
            return frozenset(Permission)
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS[role]
        return frozenset(granted)


def can(actor: Actor, permission: Permission) -> bool:
    return permission in actor.permissions


def require(actor: Actor, permission: Permission) -> None:
    if not can(actor, permission):
        raise PermissionDenied(
            f"{actor.username} may not {permission.value.replace('_', ' ')}: "
            "ask a state administrator for the role that allows it"
        )


def require_same_state(actor: Actor, jurisdiction_code: str, what: str) -> None:
    """State administrators act within their own state; the National Office and system act anywhere."""
    if not actor.sees_all_states and actor.jurisdiction_code != jurisdiction_code:
        raise PermissionDenied(
            f"{actor.username} ({actor.jurisdiction_code}) may not {what} in {jurisdiction_code}"
        )
