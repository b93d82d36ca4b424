"""The 53 member jurisdictions of the compact and the National Office pseudo-jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.vocabulary import JurisdictionKind

NATIONAL_OFFICE_CODE = "NO"

# States that keep probation and parole in separate ICOTS workflows (DOMAIN.md §0).
DIVIDED_STATES = frozenset({"AZ", "CO", "CT", "HI", "IL", "IN", "MA", "NE", "NJ", "NY", "SD"})


@dataclass(frozen=True)
class JurisdictionInfo:
    code: str
    name: str
    kind: JurisdictionKind

    @property
    def divided(self) -> bool:
        return self.code in DIVIDED_STATES


_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

JURISDICTIONS: tuple[JurisdictionInfo, ...] = (
    *(JurisdictionInfo(code, name, JurisdictionKind.STATE) for code, name in _STATES.items()),
    JurisdictionInfo("DC", "District of Columbia", JurisdictionKind.DISTRICT),
    JurisdictionInfo("PR", "Puerto Rico", JurisdictionKind.TERRITORY),
    JurisdictionInfo("VI", "U.S. Virgin Islands", JurisdictionKind.TERRITORY),
    JurisdictionInfo(NATIONAL_OFFICE_CODE, "National Office", JurisdictionKind.NATIONAL_OFFICE),
)

BY_CODE = {j.code: j for j in JURISDICTIONS}
MEMBER_CODES = tuple(j.code for j in JURISDICTIONS if j.kind != JurisdictionKind.NATIONAL_OFFICE)


def lookup(text: str) -> JurisdictionInfo | None:
    """Accepts a two-letter code or a full name, case-insensitively."""
    key = text.strip()
    if not key:
        return None
    found = BY_CODE.get(key.upper())
    if found:
        return found
    lowered = key.lower()
    return next((j for j in JURISDICTIONS if j.name.lower() == lowered), None)
