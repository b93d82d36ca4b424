"""Users: the first administrator, adding, listing, disabling, signing in, and the acting user."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import jurisdictions
from app.core.errors import AuthenticationFailed, NotFound, UserError, ValidationError
from app.core.permissions import SYSTEM_USERNAME, Actor, Permission, require, require_same_state
from app.core.security import hash_password, password_problems, verify_password
from app.core.vocabulary import AuditAction, Role
from app.models import User, UserRole
from app.models.audit import record_event
from app.models.base import utcnow
from app.services import core_reads
from app.services.core_reads import SignInCandidate

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    jurisdiction_code: str
    roles: tuple[str, ...]
    active: bool
    email: str | None


def actor_from_user(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        jurisdiction_code=user.jurisdiction_code,
        roles=user.role_set,
        is_system=user.is_system,
    )


def system_actor(session: Session) -> Actor:
    user = session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
    if user is None:
        raise UserError("The local system account is missing: the database was not set up by us.")
    return actor_from_user(user)


def actor_for_username(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        raise NotFound(f"No active user named '{username}'.")
    return actor_from_user(user)


def needs_first_administrator(session: Session) -> bool:
    """True while nobody but the system account exists: the first start of a new database."""
    count = session.scalar(select(func.count()).select_from(User).where(User.is_system.is_(False)))
    return count == 0


def _validate_new_user(
    session: Session, username: str, full_name: str, state: str, roles: list[Role], password: str
) -> tuple[str, str]:
    problems: list[tuple[str, str]] = []
    name = username.strip().lower()
    if not USERNAME_PATTERN.match(name):
        problems.append(
            ("username", "2 to 64 characters: lowercase letters, digits, '.', '_' or '-'")
        )
    elif session.scalar(select(User.id).where(User.username == name)) is not None:
        problems.append(("username", f"'{name}' is already taken; user names are unique"))
    if not full_name.strip():
        problems.append(("full name", "is required"))
    found = jurisdictions.lookup(state)
    if found is None:
        problems.append(
            ("state", f"'{state}' is not a member jurisdiction or NO (National Office)")
        )
    if not roles:
        problems.append(("role", "at least one role is required"))
    if found is not None and Role.NATIONAL_OFFICE in roles and found.code != "NO":
        problems.append(
            ("role", "the national office role belongs to users of the National Office")
        )
    problems.extend(("password", rule) for rule in password_problems(password))
    if problems:
        raise ValidationError(problems)
    return name, found.code  # type: ignore[union-attr]


def _create(
    session: Session,
    username: str,
    full_name: str,
    state: str,
    roles: list[Role],
    password: str,
    email: str | None,
) -> User:
    name, code = _validate_new_user(session, username, full_name, state, roles, password)
    user = User(
        username=name,
        full_name=full_name.strip(),
        jurisdiction_code=code,
        email=(email or "").strip() or None,
        password_hash=hash_password(password),
        roles=[UserRole(role=role) for role in dict.fromkeys(roles)],
    )
    session.add(user)
    session.flush()
    return user


def create_first_administrator(
    session: Session, *, username: str, full_name: str, state: str, password: str, email=None
) -> User:
    """Only on an empty database; afterwards administrators add users."""
    if not needs_first_administrator(session):
        raise UserError("This database already has users; sign in as an administrator to add more.")
    return _create(session, username, full_name, state, [Role.STATE_ADMINISTRATOR], password, email)


def add_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    state: str,
    roles: list[Role],
    password: str,
    email: str | None = None,
) -> User:
    require(actor, Permission.MANAGE_USERS)
    found = jurisdictions.lookup(state)
    if found is not None:
        require_same_state(actor, found.code, "add users")
    return _create(session, username, full_name, state, roles, password, email)


def list_users(session: Session, actor: Actor, state: str | None = None) -> list[UserRow]:
    require(actor, Permission.MANAGE_USERS)
    query = select(User).where(User.is_system.is_(False)).order_by(User.username)
    if not actor.sees_all_states:
        query = query.where(User.jurisdiction_code == actor.jurisdiction_code)
    if state:
        query = query.where(User.jurisdiction_code == state.upper())
    return [
        UserRow(
            id=u.id,
            username=u.username,
            full_name=u.full_name,
            jurisdiction_code=u.jurisdiction_code,
            roles=tuple(sorted(r.value for r in u.role_set)),
            active=u.active,
            email=u.email,
        )
        for u in session.scalars(query)
    ]


def disable_user(session: Session, actor: Actor, username: str) -> User:
    require(actor, Permission.MANAGE_USERS)
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or user.is_system:
        raise NotFound(f"No user named '{username}'.")
    require_same_state(actor, user.jurisdiction_code, "disable users")
    if user.id == actor.user_id:
        raise UserError("You cannot disable your own account; ask another administrator.")
    user.active = False
    session.flush()
    return user


def sign_in_candidate(session: Session, username: str) -> SignInCandidate | None:
    """The account a sign-in names, or None when there is no active account of that name."""
    return core_reads.sign_in_candidate(session.connection(), username)


def record_sign_in(session: Session, username: str, actor: Actor | None) -> None:
    """Audits the attempt (never the password): `actor` when the password was right, else None."""
    if actor is None:
        _record_failure(session, username.strip().lower())
        return
    session.info["actor"] = actor
    user = session.get(User, actor.user_id)
    if user is not None:
        user.last_sign_in_at = utcnow()
        session.flush()
    record_event(session, AuditAction.SIGN_IN, "app_user", entity_id=str(actor.user_id))


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """Checks the password; None when wrong. The attempt is audited either way (never the password),
    so the caller commits before telling the user; `sign_in_failed` is the text to show."""
    candidate = sign_in_candidate(session, username)
    if candidate is None or not verify_password(candidate.password_hash, password):
        record_sign_in(session, username, None)
        return None
    record_sign_in(session, username, candidate.actor)
    return candidate.actor


def sign_in_failed() -> AuthenticationFailed:
    return AuthenticationFailed("Wrong user name or password, or the account is disabled.")


def _record_failure(session: Session, attempted_name: str) -> None:
    if "actor" not in session.info:
        session.info["actor"] = system_actor(session)
    record_event(
        session,
        AuditAction.SIGN_IN_FAILED,
        "app_user",
        note=f"failed sign-in for '{attempted_name[:64]}'",
    )
