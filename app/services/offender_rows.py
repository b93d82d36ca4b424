"""What the offender list searched for and what each of its rows shows, importable without the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.core.text import identifier_key, name_key
from app.core.vocabulary import WARRANT_SPECIAL_STATUS

# A search that matches more than this is cut there and the screen asks the user to keep typing:
# nobody reads a thousand search results, and counting further costs every keystroke time
# (for a state user, each candidate row also passes the state-boundary check).
MATCH_CAP = 1_000
# Offender-number prefixes shorter than this would match a large share of all profiles.
MIN_NUMBER_PREFIX = 4
# Trigram search needs three characters.
MIN_FRAGMENT = 3


class SearchKind(StrEnum):
    ALL = "all"
    NAME_PREFIX = "name_prefix"
    NAME_FRAGMENT = "name_fragment"
    IDENTIFIER = "identifier"


@dataclass(frozen=True)
class OffenderSearch:
    """What the user typed. `contains` (or a leading '*') searches anywhere in names."""

    text: str = ""
    contains: bool = False

    @property
    def kind(self) -> SearchKind:
        stripped = self.text.strip()
        if not stripped or not name_key(stripped.lstrip("*")) and not identifier_key(stripped):
            return SearchKind.ALL
        if any(ch.isdigit() for ch in stripped):
            return SearchKind.IDENTIFIER
        if (self.contains or stripped.startswith("*")) and len(
            name_key(stripped.lstrip("*"))
        ) >= MIN_FRAGMENT:
            return SearchKind.NAME_FRAGMENT
        return SearchKind.NAME_PREFIX


@dataclass(frozen=True)
class OffenderRow:
    id: int
    offender_number: str
    last_name: str
    first_name: str
    middle_name: str | None
    suffix: str | None
    date_of_birth: date | None
    sex: str | None
    fbi_number: str | None
    state_id: str | None
    created_by_state: str
    sex_offender: bool
    victim_sensitive: bool
    history_of_assault: bool
    active_warrant: bool = False
    matched_alias: str | None = None
    # Where this row stands in the unfiltered list; pass it as `after` to fetch the next page.
    page_key: tuple | None = None

    @property
    def display_name(self) -> str:
        given = " ".join(p for p in (self.first_name, self.middle_name) if p)
        name = f"{self.last_name}, {given}" if given else self.last_name
        return f"{name} {self.suffix}" if self.suffix else name

    @property
    def special_statuses(self) -> tuple[str, ...]:
        flags = (
            (self.sex_offender, "Sex offender"),
            (self.victim_sensitive, "Victim sensitive"),
            (self.history_of_assault, "History of assault"),
            (self.active_warrant, WARRANT_SPECIAL_STATUS),
        )
        return tuple(label for on, label in flags if on)
