"""The error kinds the application distinguishes: user-facing ones and infrastructure ones."""

from __future__ import annotations


class UserError(Exception):
    """A refusal the user can act on; its text is shown as is."""


class ValidationError(UserError):
    """One or more fields break a rule. Each problem names the field and the rule."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {rule}" for field, rule in problems))

    @classmethod
    def single(cls, field: str, rule: str) -> ValidationError:
        return cls([(field, rule)])


class PermissionDenied(UserError):
    """The signed-in user may not do this."""


class NotFound(UserError):
    """The record asked for does not exist (or is not visible to this user)."""


class ConcurrencyConflict(UserError):
    """Somebody else saved the record since it was read; nothing was written."""

    def __init__(self, message: str, *, theirs: dict | None = None, mine: dict | None = None):
        super().__init__(message)
        self.theirs = theirs or {}
        self.mine = mine or {}


class AuthenticationFailed(UserError):
    """Wrong user name or password (deliberately not saying which)."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened or reached; the message says what and where, never a password."""


class DatabaseTooNew(DatabaseUnavailable):
    """The database was written by a newer version of the application."""
