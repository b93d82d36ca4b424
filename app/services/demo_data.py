"""A reproducible synthetic data set (people, cases, activities, warrants, users), loaded in bulk."""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import os
import random
import sys
import threading
import traceback
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    column,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    table,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from app.core.errors import UserError
from app.core.jurisdictions import BY_CODE, MEMBER_CODES, NATIONAL_OFFICE_CODE
from app.core.permissions import Actor
from app.core.security import hash_password, password_problems
from app.core.text import name_key
from app.core.vocabulary import (
    ActivityOutcome,
    ActivityStatus,
    ActivityType,
    AuditAction,
    CaseStatus,
    InterestSide,
    Role,
    WarrantStatus,
)
from app.db import Database
from app.models import (
    Activity,
    Alias,
    CaseInterest,
    CompactCase,
    NumberCounter,
    Offender,
    OffenderName,
    Setting,
    User,
    UserRole,
    WarrantStatusRecord,
)
from app.models.audit import record_event
from app.models.next_due import refresh_next_due_for_case_range
from app.models.special_status import refresh_special_statuses_for_case_range
from app.services.links import add_links_for_id_range
from app.services.numbering import NUMBER_FORMATS
from app.services.users import system_actor

# --- What the data set looks like -------------------------------------------------------------
# Everything is dated relative to this day, never to the clock, so that a seed always gives the
# same rows. 'Junk' and 'recent' are judged against it too (DECISIONS.md: 30 calendar days).
REFERENCE_DATE = date(2026, 11, 1)
JUNK_MIN_AGE_DAYS = 31
RECENT_MAX_AGE_DAYS = 29

# Shares of all profiles.
JUNK_SHARE = 0.05  # no case, or cases without any transmitted activity; older than 30 days
JUNK_WITHOUT_CASE_SHARE = 0.5  # of junk profiles: no case at all (the rest: unworked cases)
RECENT_UNWORKED_SHARE = 0.005  # like junk but newer than 30 days: still being worked, not junk
DUPLICATE_SHARE = 0.03  # a second profile of an earlier person: same names + same DOB or SSN
DUPLICATE_TYPO_SHARE = 0.3  # of duplicates: a typo in a name (only a fuzzy finder sees them)
ALIAS_SHARE = 0.25  # profiles with one or two aliases
WARRANT_SHARE = 0.03  # profiles with warrant status records
SECOND_WARRANT_SHARE = 0.1  # of those: an older, executed record as well

# Share of all compact cases that were rejected and never transferred (no notice of arrival),
# left on the workload as 'rejected' (the seed's 'Rejected Cases Never Transferred' dashboard).
REJECTED_NEVER_TRANSFERRED_SHARE = 0.02

# Cases per worked profile (1 to 4): about 1.3 on average over all profiles.
CASES_PER_PROFILE_WEIGHTS = (0.74, 0.2, 0.05, 0.01)
# The most recent case of a worked profile; earlier cases are historical.
LAST_CASE_STATUS_WEIGHTS = {
    CaseStatus.PENDING: 0.28,
    CaseStatus.ACCEPTED: 0.36,
    CaseStatus.REJECTED: 0.02,  # rejected after the person had moved on reporting instructions
    CaseStatus.WITHDRAWN: 0.2,
    CaseStatus.CLOSED: 0.14,
}
EARLIER_CASE_STATUS_WEIGHTS = {CaseStatus.CLOSED: 0.35, CaseStatus.WITHDRAWN: 0.65}

# Demographics and identifiers.
UNICODE_LAST_NAME_SHARE = 0.04
UNICODE_FIRST_NAME_SHARE = 0.02
HYPHENATED_NAME_SHARE = {"F": 0.04, "M": 0.005}
UPPERCASE_ENTRY_SHARE = 0.03  # names typed in capitals, as legacy interfaces send them
MIDDLE_NAME_SHARE = 0.6
MIDDLE_INITIAL_SHARE = 0.2
SUFFIX_SHARE = 0.03
SSN_MISSING_SHARE = 0.03
SSN_INVALID_SHARE = 0.01  # 999-99-9999, area 000/666/9xx, group 00, serial 0000
DOB_MISSING_SHARE = 0.005
DOB_UNDER_14_SHARE = 0.001  # a mistyped year that makes a child: a demographic-audit finding
FBI_MISSING_SHARE = 0.12
STATE_ID_MISSING_SHARE = 0.08
RACE_MISSING_SHARE = 0.03
SEX_OFFENDER_SHARE = 0.07
VICTIM_SENSITIVE_SHARE = 0.09
HISTORY_OF_ASSAULT_SHARE = 0.12
CONFIDENTIAL_SHARE = 0.002

USERS_PER_STATE = (
    ("officer1", Role.OFFICER, "supervisor1"),
    ("officer2", Role.OFFICER, "supervisor1"),
    ("officer3", Role.OFFICER, None),  # reports straight to the compact office
    ("supervisor1", Role.SUPERVISOR, None),
    ("compact1", Role.COMPACT_OFFICE, None),
    ("admin", Role.STATE_ADMINISTRATOR, None),
)
NATIONAL_OFFICE_USERS = (("national1", Role.NATIONAL_OFFICE, None),)
DEMO_PASSWORD_ENV = "COMPACT_OFFICE_PASSWORD"

# Display numbers: prefix and zero-padded value of the matching number_counter row.

# --- How it is loaded -------------------------------------------------------------------------
# One unit of work per this many profiles: big enough to amortise the per-statement work, small
# enough to keep memory flat (about 60 MB of rows in flight) and to report progress often.
OFFENDERS_PER_UNIT = 25_000
# Rows per INSERT statement on SQLite (its limit is 32,766 bound values per statement).
SQLITE_ROWS_PER_STATEMENT = 500
# Rows per executemany call on backends without a faster way.
INSERT_BATCH_ROWS = 10_000
# Generate in a forked child process while this one writes (Linux: fork is cheap and safe).
GENERATE_IN_CHILD_PROCESS = sys.platform.startswith("linux")

_DAY = 86_400
# Generated times are seconds from noon UTC of the reference date.
_REFERENCE_TIME = datetime(
    REFERENCE_DATE.year, REFERENCE_DATE.month, REFERENCE_DATE.day, 12, tzinfo=UTC
)


@dataclass(frozen=True)
class DemoSummary:
    """What one run added, as generated (the clean-up shares are known by construction)."""

    offenders: int
    aliases: int
    cases: int
    activities: int
    warrant_records: int
    users_added: int
    users_already_present: int
    junk_profiles: int
    recent_unworked_profiles: int
    duplicate_profiles: int
    duplicate_profiles_with_typo: int
    rejected_never_transferred_cases: int
    first_offender_number: str = ""
    last_offender_number: str = ""
    users_got_password: bool = False
    cases_by_status: dict[str, int] = field(default_factory=dict)
    activities_by_status: dict[str, int] = field(default_factory=dict)
    warrants_by_status: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        def listing(counts: dict[str, int]) -> str:
            return ", ".join(f"{key.replace('_', ' ')} {value:,}" for key, value in counts.items())

        if not self.users_added:
            sign_in = "no new demo users"
        elif self.users_got_password:
            sign_in = f"the new ones sign in with the password in ${DEMO_PASSWORD_ENV}"
        else:
            sign_in = f"the new ones cannot sign in (${DEMO_PASSWORD_ENV} was not set)"
        return "\n".join(
            [
                f"Offender profiles: {self.offenders:,} ({self.first_offender_number} to "
                f"{self.last_offender_number}), with {self.aliases:,} aliases.",
                f"Compact cases: {self.cases:,} ({listing(self.cases_by_status)}).",
                f"Activities: {self.activities:,} ({listing(self.activities_by_status)}).",
                f"Warrant status records: {self.warrant_records:,} "
                f"({listing(self.warrants_by_status)}).",
                f"Clean-up work: {self.junk_profiles:,} junk profiles "
                f"(and {self.recent_unworked_profiles:,} newer than 30 days, not junk yet), "
                f"{self.duplicate_profiles:,} duplicate profiles "
                f"({self.duplicate_profiles_with_typo:,} with a typo in a name), "
                f"{self.rejected_never_transferred_cases:,} rejected cases never transferred.",
                f"Users: {self.users_added:,} added, {self.users_already_present:,} already "
                f"present; {sign_in}.",
            ]
        )


# --- Reference lists --------------------------------------------------------------------------
# Surnames with their approximate frequency per 100,000 people (US census 2010).
_COMMON_LAST_NAMES = {
    "Smith": 828, "Johnson": 655, "Williams": 550, "Brown": 487, "Jones": 483, "Garcia": 429,
    "Miller": 425, "Davis": 405, "Rodriguez": 384, "Martinez": 375, "Hernandez": 363, "Lopez": 299,
    "Gonzalez": 291, "Wilson": 284, "Anderson": 281, "Thomas": 276, "Taylor": 275, "Moore": 262,
    "Jackson": 258, "Martin": 253, "Lee": 237, "Perez": 230, "Thompson": 229, "White": 228,
    "Harris": 216, "Sanchez": 215, "Clark": 196, "Ramirez": 195, "Lewis": 189, "Robinson": 188,
    "Walker": 186, "Young": 166, "Allen": 165, "King": 164, "Wright": 164, "Scott": 158,
    "Torres": 151, "Nguyen": 150, "Hill": 148, "Flores": 148, "Green": 146, "Adams": 145,
    "Nelson": 144, "Baker": 140, "Hall": 138, "Rivera": 135, "Campbell": 134, "Mitchell": 133,
    "Carter": 130, "Roberts": 129, "Gomez": 123, "Phillips": 121, "Evans": 120, "Turner": 119,
    "Diaz": 118, "Parker": 116, "Cruz": 116, "Edwards": 114, "Collins": 113, "Reyes": 112,
    "Stewart": 111, "Morris": 110, "Morales": 109, "Murphy": 107, "Cook": 106, "Rogers": 105,
    "Gutierrez": 104, "Ortiz": 102, "Morgan": 101, "Cooper": 100, "Peterson": 99, "Bailey": 98,
    "Reed": 98, "Kelly": 97, "Howard": 96, "Ramos": 95, "Kim": 95, "Cox": 94, "Ward": 94,
    "Richardson": 93, "Watson": 92, "Brooks": 91, "Chavez": 90, "Wood": 90, "James": 89,
    "Bennett": 88, "Gray": 87, "Mendoza": 87, "Ruiz": 86, "Hughes": 86, "Price": 85, "Alvarez": 85,
    "Castillo": 84, "Sanders": 84, "Patel": 83, "Myers": 82, "Long": 82, "Ross": 81, "Foster": 81,
    "Jimenez": 80, "Powell": 79, "Jenkins": 79, "Perry": 78, "Russell": 77, "Sullivan": 77,
    "Bell": 76, "Coleman": 76, "Butler": 75, "Henderson": 75, "Barnes": 74, "Gonzales": 74,
    "Fisher": 73, "Vasquez": 72, "Simmons": 72, "Romero": 71, "Jordan": 70, "Patterson": 70,
    "Alexander": 69, "Hamilton": 69, "Graham": 68, "Reynolds": 68, "Griffin": 67, "Wallace": 67,
    "Moreno": 66, "West": 66, "Cole": 65, "Hayes": 65, "Bryant": 64, "Herrera": 64, "Gibson": 63,
    "Ellis": 63, "Tran": 62, "Medina": 62, "Aguilar": 61, "Stevens": 61, "Murray": 60, "Ford": 60,
    "Castro": 59, "Marshall": 59, "Owens": 58, "Harrison": 58, "Fernandez": 57, "McDonald": 57,
    "Woods": 56, "Washington": 56, "Kennedy": 55, "Wells": 55, "Vargas": 54, "Henry": 54,
    "Chen": 53, "Freeman": 53, "Webb": 52, "Tucker": 52, "Guzman": 51, "Burns": 51, "Crawford": 50,
    "Olson": 50, "Simpson": 49, "Porter": 49, "Hunter": 48, "Gordon": 48, "Mendez": 47,
    "Silva": 47, "Shaw": 46, "Snyder": 46, "Mason": 45, "Dixon": 45, "Munoz": 44, "Hunt": 44,
    "Hicks": 43, "Holmes": 43, "Palmer": 42, "Wagner": 42, "Black": 41, "Robertson": 41,
    "Boyd": 40, "Rose": 40, "Stone": 39, "Salazar": 39, "Fox": 38, "Warren": 38, "Mills": 37,
    "Meyer": 37, "Rice": 36, "Schmidt": 36, "Garza": 35, "Daniels": 35, "Ferguson": 34,
    "Nichols": 34, "Stephens": 33, "Soto": 33, "Weaver": 32, "Ryan": 32, "Gardner": 31,
    "Payne": 31, "Grant": 30, "Dunn": 30, "Kelley": 29, "Spencer": 29, "Hawkins": 28,
    "Arnold": 28, "Pierce": 27, "Vazquez": 27, "Hansen": 26, "Peters": 26, "Santos": 25,
    "Hart": 25, "Bradley": 24, "Knight": 24, "Elliott": 23, "Cunningham": 23, "Duncan": 22,
    "Armstrong": 22, "Hudson": 21, "Carroll": 21, "Lane": 20, "Riley": 20, "Andrews": 20,
    "Alvarado": 19, "Ray": 19, "Delgado": 19, "Berry": 18, "Perkins": 18, "Hoffman": 18,
    "Johnston": 17, "Matthews": 17, "Pena": 17, "Richards": 16, "Contreras": 16, "Willis": 16,
    "Carpenter": 15, "Lawrence": 15, "Sandoval": 15, "Guerrero": 14, "George": 14, "Chapman": 14,
    "Rios": 13, "Estrada": 13, "Ortega": 13, "Watkins": 12, "Greene": 12, "Nunez": 12,
    "Wheeler": 12, "Valdez": 11, "Harper": 11, "Burke": 11, "Larson": 10, "Santiago": 10,
    "Maldonado": 10, "Morrison": 10, "Franklin": 10, "Carlson": 10, "Austin": 10, "Dominguez": 10,
    "O'Brien": 9, "O'Connor": 8, "O'Neal": 8, "McCoy": 8, "McKenzie": 6, "MacDonald": 5,
    "Kowalski": 5, "Nowak": 4, "Jablonski": 3, "Schwartz": 9, "Becker": 8, "Hoang": 6, "Pham": 8,
    "Vu": 4, "Le": 7, "Wang": 9, "Li": 8, "Zhang": 6, "Singh": 8, "Shah": 5, "Yazzie": 3,
    "Begay": 3, "Tsosie": 2, "Benally": 2,
}  # fmt: skip
# A long tail of rarer surnames built from common parts, so that a million people do not share a
# few hundred names; their total weight is about a fifth of all people.
_TAIL_STEMS = (
    "Ab", "Al", "Bar", "Ber", "Blak", "Bran", "Car", "Cal", "Dal", "Del", "Dun", "Fair", "Fer",
    "Gal", "Gold", "Har", "Hol", "Kal", "Kirk", "Lang", "Lind", "Mar", "Mor", "Nor", "Pen",
    "Ral", "Ros", "Sal", "Sand", "Stan", "Ten", "Thorn", "Val", "Van", "Wal", "West", "Whit", "Wil",
)  # fmt: skip
_TAIL_ENDINGS = (
    "aker", "berg", "bury", "dale", "ford", "hart", "ley", "lin", "ner", "quist", "ski", "stein",
    "ton", "well", "wood", "ez", "ini", "elli", "sen", "son", "ova", "ak", "ich", "mann",
)  # fmt: skip
_TAIL_WEIGHT = 2.2
# Names as their bearers write them; name keys fold them onto the plain spelling.
_UNICODE_LAST_NAMES = (
    "Núñez", "Peña", "Muñoz", "Ibáñez", "Gómez", "Hernández", "Rodríguez", "Martínez", "González",
    "Pérez", "García", "Sánchez", "Jiménez", "Álvarez", "Ødegård", "Østergaard", "Żółć",
    "Łukasiewicz", "Wróbel", "Nguyễn", "Trần", "Phạm", "Lê", "Đặng", "Müller", "Schröder",
    "Dvořák", "Novák", "Lévesque", "Çelik", "Şahin", "Björk", "Åkesson", "D'Angelo", "O'Brien",
    "Saint-Pierre", "Von Der Heide", "De La Cruz", "Mc Intyre", "St. John",
)  # fmt: skip
_MALE_FIRST_NAMES = {
    "Michael": 40, "James": 33, "John": 32, "Robert": 30, "David": 30, "William": 25,
    "Christopher": 25, "Joseph": 20, "Daniel": 20, "Richard": 18, "Thomas": 16, "Charles": 15,
    "Anthony": 15, "Matthew": 15, "Joshua": 14, "Mark": 12, "Steven": 12, "Jason": 12,
    "Kevin": 11, "Brian": 11, "Jose": 10, "Eric": 8, "Timothy": 8, "Jeffrey": 8, "Ryan": 8,
    "Brandon": 8, "Andrew": 8, "Juan": 8, "Jacob": 7, "Nicholas": 7, "Jonathan": 7, "Justin": 7,
    "Kenneth": 7, "Carlos": 6, "Luis": 6, "Gary": 6, "Paul": 6, "Donald": 6, "Ronald": 5,
    "Scott": 5, "Tyler": 5, "Aaron": 4, "Adam": 4, "Raymond": 4, "Gregory": 4, "Patrick": 4,
    "Samuel": 3, "Benjamin": 3, "Dennis": 3, "Jerry": 3, "Larry": 3, "Frank": 3, "Dustin": 3,
    "Travis": 3, "Cody": 3, "Miguel": 3, "Jesus": 3, "Antonio": 3, "Marcus": 3, "Bobby": 3,
    "Billy": 3, "Johnny": 3, "Terrence": 2, "DeShawn": 2, "Jamal": 2, "Tyrone": 2, "Malik": 2,
    "Shane": 2, "Francisco": 2, "Pedro": 2, "Eduardo": 2, "Alejandro": 2, "Derek": 2,
    "Curtis": 2, "Wayne": 2, "Randy": 2, "Ricky": 2, "Roy": 2,
}  # fmt: skip
_FEMALE_FIRST_NAMES = {
    "Jennifer": 20, "Jessica": 18, "Ashley": 16, "Amanda": 14, "Sarah": 12, "Melissa": 12,
    "Stephanie": 10, "Nicole": 10, "Elizabeth": 10, "Heather": 9, "Michelle": 9, "Amy": 8,
    "Kimberly": 8, "Angela": 8, "Lisa": 8, "Mary": 8, "Crystal": 6, "Tiffany": 6, "Brittany": 6,
    "Samantha": 6, "Christina": 6, "Maria": 6, "Rebecca": 5, "Laura": 5, "Rachel": 5, "Megan": 5,
    "Danielle": 5, "Patricia": 5, "Kayla": 4, "Linda": 4, "Susan": 4, "Karen": 4, "Barbara": 3,
    "Donna": 3, "Sandra": 3, "Tammy": 3, "Shannon": 3, "April": 3, "Erica": 3, "Vanessa": 3,
    "Monica": 3, "Veronica": 3, "Courtney": 3, "Alicia": 3, "Tasha": 2, "Rosa": 2, "Ana": 2,
    "Latoya": 2, "Keisha": 2, "Destiny": 2, "Brandy": 2, "Misty": 2, "Holly": 2, "Tanya": 2,
}  # fmt: skip
_UNICODE_FIRST_NAMES = {
    "M": ("José", "Jesús", "Ramón", "Joaquín", "Ángel", "Andrés", "Łukasz", "Søren", "Bjørn",
          "François", "Dũng", "Đức", "Jürgen", "Zoltán", "Mikuláš"),
    "F": ("María", "Zoë", "Renée", "Hélène", "Thảo", "Inés", "Mónica", "Małgorzata", "Åsa",
          "Chloé", "Begoña", "Dagný"),
}  # fmt: skip
_NICKNAMES = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "Richard": ("Rick",),
    "James": ("Jim", "Jimmy"), "John": ("Johnny", "Jack"), "Michael": ("Mike", "Mikey"),
    "Joseph": ("Joe", "Joey"), "Thomas": ("Tom", "Tommy"), "Charles": ("Chuck", "Charlie"),
    "Christopher": ("Chris",), "Daniel": ("Danny", "Dan"), "Anthony": ("Tony",),
    "Matthew": ("Matt",), "Steven": ("Steve",), "Kenneth": ("Ken", "Kenny"),
    "Nicholas": ("Nick",), "Jonathan": ("Jon",), "Benjamin": ("Ben",), "Timothy": ("Tim",),
    "Jeffrey": ("Jeff",), "Gregory": ("Greg",), "Donald": ("Don",), "Ronald": ("Ron",),
    "Raymond": ("Ray",), "Samuel": ("Sam",), "Andrew": ("Andy", "Drew"), "Jose": ("Pepe",),
    "Francisco": ("Paco", "Frank"), "Alejandro": ("Alex",), "Jennifer": ("Jenny", "Jen"),
    "Jessica": ("Jess",), "Elizabeth": ("Liz", "Beth"), "Rebecca": ("Becky",),
    "Samantha": ("Sam",), "Kimberly": ("Kim",), "Patricia": ("Pat", "Patty"),
    "Stephanie": ("Steph",), "Michelle": ("Shelly",), "Amanda": ("Mandy",),
    "Christina": ("Tina",), "Susan": ("Sue",), "Barbara": ("Barb",),
}  # fmt: skip
_SUFFIXES = ("Jr", "Jr", "Jr", "Sr", "II", "III")
_RACES = (
    ("White", 55), ("Black", 33), ("American Indian or Alaska Native", 2), ("Asian", 1.5),
    ("Pacific Islander", 0.3), ("Other", 2), ("Unknown", 3),
)  # fmt: skip
_OFFENSES = (
    "Possession of a controlled substance", "Burglary of a habitation", "Driving while intoxicated, "
    "third offense", "Theft over $2,500", "Aggravated assault", "Fraud", "Robbery",
    "Unlawful possession of a firearm by a felon", "Forgery", "Delivery of a controlled substance",
    "Family violence assault", "Criminal mischief", "Identity theft", "Evading arrest",
)  # fmt: skip
_SEX_OFFENSES = (
    "Sexual assault", "Indecency with a child", "Possession of child sexual abuse material",
    "Failure to register as a sex offender",
)  # fmt: skip
# Relative numbers of people under supervision (roughly population, in millions).
_STATE_WEIGHTS = {
    "CA": 39.5, "TX": 29.1, "FL": 21.5, "NY": 20.2, "PA": 13.0, "IL": 12.8, "OH": 11.8,
    "GA": 10.7, "NC": 10.4, "MI": 10.1, "NJ": 9.3, "VA": 8.6, "WA": 7.7, "AZ": 7.2, "MA": 7.0,
    "TN": 6.9, "IN": 6.8, "MD": 6.2, "MO": 6.2, "WI": 5.9, "CO": 5.8, "MN": 5.7, "SC": 5.1,
    "AL": 5.0, "LA": 4.7, "KY": 4.5, "OR": 4.2, "OK": 4.0, "CT": 3.6, "UT": 3.3, "IA": 3.2,
    "PR": 3.3, "NV": 3.1, "AR": 3.0, "MS": 3.0, "KS": 2.9, "NM": 2.1, "NE": 2.0, "ID": 1.8,
    "WV": 1.8, "HI": 1.5, "NH": 1.4, "ME": 1.4, "RI": 1.1, "MT": 1.1, "DE": 1.0, "SD": 0.9,
    "ND": 0.8, "AK": 0.7, "DC": 0.7, "VT": 0.6, "WY": 0.6, "VI": 0.1,
}  # fmt: skip
_ISSUING_AUTHORITIES = (
    "{state} Department of Corrections", "{state} Board of Pardons and Paroles",
    "{state} Parole Commission", "Circuit Court of {state}, Criminal Division",
    "{state} District Court", "County Court at Law, {state}",
)  # fmt: skip


# What the forms say, a few variants per type.
_ACTIVITY_CONTENT: dict[ActivityType, tuple[dict[str, Any], ...]] = {
    ActivityType.RFRI: (
        {"reason": "family support in receiving state"},
        {"reason": "employment offer"},
        {"reason": "military orders"},
        {"reason": "living in receiving state at sentencing"},
    ),
    ActivityType.TRANSFER_REQUEST: (
        {"reason": "resident family", "plan": "live with spouse"},
        {"reason": "employment", "plan": "live with sponsor"},
        {"reason": "resident", "plan": "return to own home"},
    ),
    ActivityType.NOTICE_OF_DEPARTURE: ({"departure": "instructed to report"},),
    ActivityType.NOTICE_OF_ARRIVAL: ({"arrival": "reported as instructed"},),
    ActivityType.NOTICE_OF_FAILURE_TO_ARRIVE: ({"note": "did not report by the report date"},),
    ActivityType.PROGRESS_REPORT: (
        {"compliance": "compliant", "employment": "employed"},
        {"compliance": "minor violations", "sanctions": "verbal warning"},
        {"compliance": "new arrest", "charges": "misdemeanor, pending"},
    ),
    ActivityType.VIOLATION_REPORT: (
        {"violation": "absconding", "retaking": "mandatory"},
        {"violation": "new felony conviction", "retaking": "mandatory"},
        {"violation": "behaviour requiring retaking", "retaking": "mandatory"},
        {"violation": "technical violations", "retaking": "not required"},
    ),
    ActivityType.VIOLATION_ADDENDUM: (
        {"update": "located and arrested"},
        {"update": "probable cause hearing held"},
    ),
    ActivityType.CASE_CLOSURE_NOTICE: (
        {"reason": "supervision expired"},
        {"reason": "retaken by sending state"},
        {"reason": "returned to sending state"},
    ),
    ActivityType.COMPACT_ACTION_REQUEST: (
        {"subject": "request for progress report"},
        {"subject": "fines, fees and restitution"},
        {"subject": "travel permit"},
        {"subject": "profile correction"},
    ),
    ActivityType.COMPACT_ACTION_REPLY: ({"note": "acknowledged"},),
    ActivityType.RETURN_RFRI: (
        {"reason": "return ordered after violation"},
        {"reason": "transfer rejected, returning home"},
    ),
    ActivityType.DISCRETIONARY_RETAKE: (
        {"reason": "new conviction in sending state", "felony_or_violent_charges_pending": False},
        {"reason": "sending state recalls supervision", "felony_or_violent_charges_pending": False},
    ),
}
_REPLY_CONTENTS: dict[tuple[ActivityType, ActivityOutcome], dict[str, Any]] = {
    (ActivityType.RFRI_REPLY, ActivityOutcome.ACCEPTED): {
        "decision": "granted",
        "report_within_days": 5,
    },
    (ActivityType.RFRI_REPLY, ActivityOutcome.REJECTED): {
        "decision": "denied",
        "reason": "residence not verified",
    },
    (ActivityType.TRANSFER_REPLY, ActivityOutcome.ACCEPTED): {
        "decision": "accepted",
        "reporting_instructions": "report within 5 business days",
    },
    (ActivityType.TRANSFER_REPLY, ActivityOutcome.REJECTED): {
        "decision": "rejected",
        "reason": "incomplete request: plan of supervision not viable",
    },
    (ActivityType.RETURN_RFRI_REPLY, ActivityOutcome.ACCEPTED): {
        "decision": "granted",
        "report_within_days": 5,
    },
    (ActivityType.VIOLATION_RESPONSE, ActivityOutcome.WARRANT_ISSUED): {
        "action": "warrant issued for retaking"
    },
    (ActivityType.VIOLATION_RESPONSE, ActivityOutcome.RETURN_ORDERED): {
        "action": "order to return issued"
    },
    (ActivityType.VIOLATION_RESPONSE, ActivityOutcome.OTHER): {
        "action": "continue supervision with added conditions"
    },
    (ActivityType.CASE_CLOSURE_REPLY, ActivityOutcome.AGREE): {"decision": "agree"},
    (ActivityType.CASE_CLOSURE_REPLY, ActivityOutcome.DISAGREE): {
        "decision": "disagree",
        "reason": "supervision end date not reached",
    },
}


_INVALID_SSNS = (
    lambda r: "999999999",
    lambda r: f"000{int(r.random() * 10**6):06d}",
    lambda r: f"666{int(r.random() * 10**6):06d}",
    lambda r: f"9{int(r.random() * 10**8):08d}",
    lambda r: f"{101 + int(r.random() * 700):03d}00{1 + int(r.random() * 9998):04d}",
    lambda r: f"{101 + int(r.random() * 700):03d}{10 + int(r.random() * 89):02d}0000",
)


# Short names for the hot paths; the members bind as their text values.
_K = ActivityType
_S = ActivityStatus
_O = ActivityOutcome
_C = CaseStatus
_W = WarrantStatus

# Fixed contents per type: enough to look like filled forms, nothing to serialise per row.
_CONTENT: dict[ActivityType, tuple[str, ...]] = {
    kind: tuple(json.dumps(c, separators=(",", ":")) for c in contents)
    for kind, contents in _ACTIVITY_CONTENT.items()
}
_REPLY_CONTENT: dict[tuple[ActivityType, ActivityOutcome], str] = {
    (kind, outcome): json.dumps(content, separators=(",", ":"))
    for (kind, outcome), content in _REPLY_CONTENTS.items()
}
_EMPTY_CONTENT = "{}"
# Managed requests and the reply deadline they start: (days, counted in business days?).
_REPLY_DEADLINES = {
    _K.RFRI: (2, True),
    _K.RETURN_RFRI: (2, True),
    _K.TRANSFER_REQUEST: (45, False),
    _K.VIOLATION_REPORT: (10, True),
    _K.CASE_CLOSURE_NOTICE: (10, True),
}
# Instant between states: never in an approval chain, never withdrawn (DECISIONS.md).
_UNMANAGED = frozenset(
    {
        _K.NOTICE_OF_DEPARTURE,
        _K.NOTICE_OF_ARRIVAL,
        _K.NOTICE_OF_FAILURE_TO_ARRIVE,
        _K.COMPACT_ACTION_REQUEST,
        _K.COMPACT_ACTION_REPLY,
    }
)
_IN_PROGRESS = (_S.DRAFT, _S.PENDING_SUPERVISOR, _S.PENDING_COMPACT_OFFICE)


# --- Small helpers ----------------------------------------------------------------------------
class _Weighted:
    """Draws from a fixed population with fixed weights in O(log n), for the hot loops."""

    __slots__ = ("population", "cumulative", "total")

    def __init__(self, weights: dict[Any, float]):
        self.population = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.population[bisect(self.cumulative, rng.random() * self.total)]


def _last_name_weights() -> dict[str, float]:
    weights: dict[str, float] = dict(_COMMON_LAST_NAMES)
    for stem in _TAIL_STEMS:
        for ending in _TAIL_ENDINGS:
            weights.setdefault(stem + ending, _TAIL_WEIGHT)
    return weights


_LAST_NAMES = _Weighted(_last_name_weights())
_FIRST_NAMES = {"M": _Weighted(_MALE_FIRST_NAMES), "F": _Weighted(_FEMALE_FIRST_NAMES)}
_SEXES = _Weighted({"M": 0.75, "F": 0.23, "U": 0.015, "X": 0.005})
_RACE_CHOICE = _Weighted(dict(_RACES))
_STATES = _Weighted(_STATE_WEIGHTS)
_LAST_CASE_STATUS = _Weighted(LAST_CASE_STATUS_WEIGHTS)
_EARLIER_CASE_STATUS = _Weighted(EARLIER_CASE_STATUS_WEIGHTS)
_CASE_COUNT = _Weighted({n + 1: w for n, w in enumerate(CASES_PER_PROFILE_WEIGHTS)})
_STATE_NAMES = {code: info.name for code, info in BY_CODE.items()}
_SOUND_ALIKE = {"c": "k", "k": "c", "s": "z", "z": "s", "i": "y", "y": "i", "e": "a", "a": "e",
                "o": "u", "u": "o", "n": "m", "m": "n", "t": "d", "d": "t"}  # fmt: skip


def _pick(rng: random.Random, items: tuple | list) -> Any:
    return items[int(rng.random() * len(items))]


def _typo(rng: random.Random, name: str) -> str:
    """A plausible keying or hearing mistake that keeps the name recognisable."""
    if len(name) < 3:
        return name + name[-1]
    position = 1 + int(rng.random() * (len(name) - 2))
    mistake = int(rng.random() * 4)
    if mistake == 0:  # adjacent letters swapped
        return name[:position] + name[position + 1] + name[position] + name[position + 2 :]
    if mistake == 1:  # a letter dropped
        return name[:position] + name[position + 1 :]
    if mistake == 2:  # a letter doubled
        return name[:position] + name[position] + name[position:]
    for offset in range(len(name) - 1):  # a letter that sounds alike
        index = 1 + (position + offset) % (len(name) - 1)
        replacement = _SOUND_ALIKE.get(name[index])
        if replacement:
            return name[:index] + replacement + name[index + 1 :]
    return name + "e"


def _add_business_days(day: int, days: int) -> int:
    """`day` counts from REFERENCE_DATE; weekends are skipped (holidays are the deadline rules'
    business, not demo data's)."""
    weekday = (REFERENCE_DATE.weekday() + day) % 7
    while days > 0:
        day += 1
        weekday = (weekday + 1) % 7
        if weekday < 5:
            days -= 1
    return day


class _Values:
    """Turns day and second offsets from the reference time into what the driver stores.

    Rows bypass SQLAlchemy's per-value type processing (the slowest part of a bulk insert), so
    this gives exactly what those types would have stored: on SQLite the text of DateTime (UTC,
    microseconds) and Date; on PostgreSQL timezone-aware datetimes and dates. Every day that
    generated data can reach (the oldest birth date to the latest supervision end) is prepared
    once, so a value costs a list lookup.
    """

    FIRST_DAY = -40_000
    LAST_DAY = 5_000

    def __init__(self, dialect: str):
        self.as_text = dialect == "sqlite"
        days = [REFERENCE_DATE + timedelta(days=d) for d in range(self.FIRST_DAY, self.LAST_DAY)]
        self._days: list[Any] = [d.isoformat() for d in days] if self.as_text else list(days)
        self._times = (
            [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(_DAY)]
            if self.as_text
            else []
        )

        self.moment: Callable[[int], Any] = self._text_moment if self.as_text else self._moment

    def day(self, offset: int) -> Any:
        return self._days[offset - self.FIRST_DAY]

    def _text_moment(self, seconds: int) -> str:
        days, rest = divmod(seconds + _DAY // 2, _DAY)
        return self._days[days - self.FIRST_DAY] + self._times[rest]

    @staticmethod
    def _moment(seconds: int) -> datetime:
        return _REFERENCE_TIME + timedelta(seconds=seconds)


# --- Users ------------------------------------------------------------------------------------
@dataclass
class _Staff:
    """The demo users of every jurisdiction as ids, for the generated rows."""

    officers: dict[str, list[int]] = field(default_factory=dict)
    supervisor_of: dict[int, int | None] = field(default_factory=dict)
    compact_office: dict[str, int] = field(default_factory=dict)
    username: dict[int, str] = field(default_factory=dict)
    added: int = 0
    already_present: int = 0
    password_set: bool = False

    def officer(self, rng: random.Random, state: str) -> int | None:
        candidates = self.officers.get(state)
        return _pick(rng, candidates) if candidates else None

    def name_of(self, user_id: int | None, state: str) -> str:
        return self.username.get(user_id, f"{state.lower()}.officer1") if user_id else "system"


def _demo_password_hash() -> str | None:
    password = os.environ.get(DEMO_PASSWORD_ENV)
    if password is None:
        return None
    problems = password_problems(password)
    if problems:
        raise UserError(f"${DEMO_PASSWORD_ENV}: the password {'; '.join(problems)}")
    # argon2 is slow on purpose: one hash, shared by every demo user.
    return hash_password(password)


def _wanted_users() -> list[tuple[str, str, Role, str | None]]:
    """(user name, state, role, user name reported to) of every demo user."""
    wanted = []
    for state in MEMBER_CODES:
        prefix = state.lower()
        for suffix, role, reports_to in USERS_PER_STATE:
            boss = f"{prefix}.{reports_to}" if reports_to else None
            wanted.append((f"{prefix}.{suffix}", state, role, boss))
    for suffix, role, _ in NATIONAL_OFFICE_USERS:
        wanted.append(
            (f"{NATIONAL_OFFICE_CODE.lower()}.{suffix}", NATIONAL_OFFICE_CODE, role, None)
        )
    return wanted


def _ensure_users(database: Database, actor: Actor) -> _Staff:
    """Adds the demo users that are missing (through the ORM: they are few and get audited)."""
    wanted = _wanted_users()
    with database.unit_of_work(actor) as session:
        ids = dict(
            session.execute(
                select(User.username, User.id).where(User.username.in_([w[0] for w in wanted]))
            ).all()
        )
        missing = [w for w in wanted if w[0] not in ids]
        password_hash = _demo_password_hash() if missing else None
        created_at = _REFERENCE_TIME - timedelta(days=3 * 365)
        new_users: dict[str, User] = {}
        for username, state, role, _ in missing:
            # Seeded by the user name: a user has the same name whatever the data seed.
            rng = random.Random(username)
            sex = "F" if rng.random() < 0.45 else "M"
            new_users[username] = user = User(
                username=username,
                full_name=f"{_FIRST_NAMES[sex].draw(rng)} {_LAST_NAMES.draw(rng)}",
                email=f"{username}@{state.lower()}.compact-office.example",
                jurisdiction_code=state,
                password_hash=password_hash,
                roles=[UserRole(role=role)],
                created_at=created_at,
                updated_at=created_at,
            )
            session.add(user)
        for username, _, _, boss in missing:
            if boss in new_users:
                new_users[username].reports_to = new_users[boss]
            elif boss is not None:
                new_users[username].reports_to_id = ids[boss]
        session.flush()
        ids.update({name: user.id for name, user in new_users.items()})
        reports_to = dict(
            session.execute(
                select(User.id, User.reports_to_id).where(User.id.in_(ids.values()))
            ).all()
        )
    staff = _Staff(added=len(missing), already_present=len(wanted) - len(missing))
    staff.password_set = password_hash is not None
    for username, state, role, _ in wanted:
        user_id = ids[username]
        staff.username[user_id] = username
        if role is Role.OFFICER:
            staff.officers.setdefault(state, []).append(user_id)
            staff.supervisor_of[user_id] = reports_to.get(user_id)
        elif role is Role.COMPACT_OFFICE:
            staff.compact_office[state] = user_id
    return staff


# --- Case stories -----------------------------------------------------------------------------
class _Step:
    """One activity of a case, timed in seconds from the case's creation."""

    __slots__ = ("kind", "by_sending", "status", "reply_to", "outcome", "created", "submitted",
                 "transmitted", "withdrawn", "content")  # fmt: skip

    def __init__(self, kind, by_sending, status, reply_to, outcome, created, submitted,
                 transmitted, withdrawn, content):  # fmt: skip
        self.kind = kind
        self.by_sending = by_sending
        self.status = status
        self.reply_to = reply_to
        self.outcome = outcome
        self.created = created
        self.submitted = submitted
        self.transmitted = transmitted
        self.withdrawn = withdrawn
        self.content = content


class _Story:
    """A coherent activity history of one case, built in order while a clock advances.

    Who sends what follows DOMAIN.md §3.2: `by_sending` is True for the sending state's
    activities; departure and arrival notices come from whichever state the person leaves or
    reaches.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.steps: list[_Step] = []
        self.clock = 0
        self.status = _C.PENDING
        self.status_at = 0
        self.arrived_at: int | None = None
        self.supervision_days: int | None = None
        self.warrant_at: int | None = None
        self.never_transferred = False
        self.reached_receiving_state = False

    def wait(self, low_days: float, high_days: float) -> None:
        self.clock += int((low_days + self.rng.random() * (high_days - low_days)) * _DAY)

    def set_status(self, status: str) -> None:
        self.status = status
        self.status_at = self.clock

    def _content(self, kind: str, outcome: str | None) -> str:
        if outcome is not None:
            return _REPLY_CONTENT.get((kind, outcome), _EMPTY_CONTENT)
        choices = _CONTENT.get(kind)
        return _pick(self.rng, choices) if choices else _EMPTY_CONTENT

    def send(self, kind: str, by_sending: bool, reply_to: int | None = None,
             outcome: str | None = None) -> int:  # fmt: skip
        """A transmitted activity; managed ones first pass the approval chain (minutes to days)."""
        rng = self.rng
        created = self.clock
        if kind in _UNMANAGED:
            submitted = None
            transmitted = created + 1 + int(rng.random() * 300)
        else:
            submitted = created + 300 + int(rng.random() * 3300)
            transmitted = submitted + 1800 + int(rng.random() * 3 * _DAY)
        self.clock = transmitted
        self.steps.append(
            _Step(kind, by_sending, _S.TRANSMITTED, reply_to, outcome, created, submitted,
                  transmitted, None, self._content(kind, outcome))
        )  # fmt: skip
        if by_sending is False or kind == _K.RFRI or kind == _K.TRANSFER_REQUEST:
            self.reached_receiving_state = True
        return len(self.steps) - 1

    def prepare(self, kind: str, by_sending: bool, reply_to: int | None = None,
                outcome: str | None = None, status: str | None = None) -> int:  # fmt: skip
        """A managed activity still inside its state: a draft, or waiting for an approval."""
        rng = self.rng
        status = status or _pick(rng, _IN_PROGRESS)
        created = self.clock
        submitted = None if status == _S.DRAFT else created + 300 + int(rng.random() * _DAY)
        self.clock = submitted or created + 600
        self.steps.append(
            _Step(kind, by_sending, status, reply_to, outcome, created, submitted, None, None,
                  self._content(kind, outcome))
        )  # fmt: skip
        return len(self.steps) - 1

    def withdraw_sent(self, kind: str, by_sending: bool) -> None:
        """A request transmitted, then withdrawn before the other state replied."""
        step = self.steps[self.send(kind, by_sending)]
        self.wait(1, 12)
        step.status = _S.WITHDRAWN
        step.withdrawn = self.clock

    def withdraw_unsent(self, kind: str, by_sending: bool) -> None:
        """A request abandoned before it left the state."""
        step = self.steps[self.prepare(kind, by_sending, status=_S.PENDING_SUPERVISOR)]
        self.wait(1, 20)
        step.status = _S.WITHDRAWN
        step.withdrawn = self.clock

    # Sequences that recur in many histories.
    def reporting_instructions(self) -> bool:
        """RFRI and its reply; on a grant the person travels at once. True when granted."""
        request = self.send(_K.RFRI, True)
        self.wait(0.5, 3)
        if self.rng.random() < 0.12:
            self.send(_K.RFRI_REPLY, False, request, _O.REJECTED)
            return False
        self.send(_K.RFRI_REPLY, False, request, _O.ACCEPTED)
        self.wait(1, 6)
        self.move(sending_to_receiving=True)
        self.wait(3, 10)
        return True

    def transfer(self, outcome: str) -> None:
        """Transfer request and reply; now and then a first request was withdrawn and redone."""
        if self.rng.random() < 0.04:
            self.withdraw_sent(_K.TRANSFER_REQUEST, True)
            self.wait(2, 20)
        request = self.send(_K.TRANSFER_REQUEST, True)
        self.wait(5, 45)
        self.send(_K.TRANSFER_REPLY, False, request, outcome)
        self.set_status(_C.ACCEPTED if outcome == _O.ACCEPTED else _C.REJECTED)

    def move(self, sending_to_receiving: bool, may_fail: bool = False) -> bool:
        """Departure and arrival notices, or a failure to arrive. True when the person arrived."""
        self.send(_K.NOTICE_OF_DEPARTURE, sending_to_receiving)
        if may_fail:
            self.wait(5, 10)
            self.send(_K.NOTICE_OF_FAILURE_TO_ARRIVE, not sending_to_receiving)
            self.warrant_at = self.clock
            if self.rng.random() < 0.5:
                return False
            self.wait(3, 60)
        else:
            self.wait(1, 7)
        self.send(_K.NOTICE_OF_ARRIVAL, not sending_to_receiving)
        if sending_to_receiving and self.arrived_at is None:
            self.arrived_at = self.clock
        return True

    def supervision(self, reports: int) -> None:
        for _ in range(reports):
            self.wait(60, 200)
            self.send(_K.PROGRESS_REPORT, False)

    def action_request(self) -> None:
        """A compact action request from either state, usually acknowledged."""
        self.wait(5, 90)
        by_sending = self.rng.random() < 0.6
        request = self.send(_K.COMPACT_ACTION_REQUEST, by_sending)
        if self.rng.random() < 0.7:
            self.wait(1, 10)
            self.send(_K.COMPACT_ACTION_REPLY, not by_sending, request)

    def violation(self, outcome: str) -> None:
        self.wait(20, 200)
        report = self.send(_K.VIOLATION_REPORT, False)
        if self.rng.random() < 0.2:
            self.wait(2, 8)
            self.send(_K.VIOLATION_ADDENDUM, False, report)
        self.wait(2, 12)
        self.send(_K.VIOLATION_RESPONSE, True, report, outcome)
        if outcome == _O.WARRANT_ISSUED:
            self.warrant_at = self.clock
            if self.rng.random() < 0.3:
                self.wait(5, 40)
                self.send(_K.VIOLATION_ADDENDUM, False, report)

    def discretionary_retake(self) -> None:
        self.wait(10, 90)
        self.send(_K.DISCRETIONARY_RETAKE, True)
        # The sending state's warrant came first: the retake is due within 15 business days.
        self.warrant_at = self.clock - int((1 + self.rng.random() * 14) * _DAY)

    def return_home(self) -> None:
        """Return RFRI from the receiving state, always granted, then the move back."""
        self.wait(2, 7)
        request = self.send(_K.RETURN_RFRI, False)
        self.wait(0.5, 2)
        self.send(_K.RETURN_RFRI_REPLY, True, request, _O.ACCEPTED)
        self.wait(2, 10)
        self.move(sending_to_receiving=False)

    def closure(self, agree: bool) -> None:
        notice = self.send(_K.CASE_CLOSURE_NOTICE, False)
        self.wait(1, 10)
        self.send(_K.CASE_CLOSURE_REPLY, True, notice, _O.AGREE if agree else _O.DISAGREE)
        if agree:
            self.set_status(_C.CLOSED)

    def work_in_progress(self) -> None:
        """What someone is writing now: a report or request not yet transmitted."""
        roll = self.rng.random()
        self.wait(5, 40)
        if roll < 0.5:
            self.prepare(_K.PROGRESS_REPORT, False)
        elif roll < 0.8:
            self.prepare(_K.VIOLATION_REPORT, False)
        else:
            self.prepare(_K.DISCRETIONARY_RETAKE, True)


def _pending_story(story: _Story) -> None:
    rng = story.rng
    roll = rng.random()
    if roll < 0.3:
        request = story.send(_K.RFRI, True)
        story.wait(0.2, 2)
        if rng.random() < 0.5:
            story.prepare(_K.RFRI_REPLY, False, request, _O.ACCEPTED)
        return
    if roll < 0.45:
        story.reporting_instructions()
    request = story.send(_K.TRANSFER_REQUEST, True)
    story.wait(2, 30)
    if rng.random() < 0.4:
        story.prepare(_K.TRANSFER_REPLY, False, request, _O.ACCEPTED)


def _accepted_story(story: _Story, wants_warrant: bool) -> None:
    rng = story.rng
    if rng.random() < 0.15 and story.reporting_instructions():
        story.transfer(_O.ACCEPTED)
    else:
        story.transfer(_O.ACCEPTED)
        if not wants_warrant and rng.random() < 0.1:
            return  # accepted, not departed yet
        story.wait(2, 30)
        if not story.move(True, may_fail=wants_warrant or rng.random() < 0.04):
            return
    story.supervision_days = 365 + int(rng.random() * 1500)
    story.supervision(int(rng.random() * 1.4))
    roll = rng.random()
    if wants_warrant:
        if roll < 0.6:
            story.violation(_O.WARRANT_ISSUED)
        else:
            story.discretionary_retake()
    elif roll < 0.08:
        story.violation(_pick(rng, (_O.OTHER, _O.RETURN_ORDERED)))
    elif roll < 0.11:
        story.wait(60, 300)
        story.closure(agree=False)
    elif roll < 0.2:
        story.action_request()
    if rng.random() < 0.15:
        story.work_in_progress()


def _closed_story(story: _Story, wants_warrant: bool) -> None:
    rng = story.rng
    if rng.random() < 0.1 and story.reporting_instructions():
        story.transfer(_O.ACCEPTED)
    else:
        story.transfer(_O.ACCEPTED)
        story.wait(2, 30)
        story.move(sending_to_receiving=True)
    length = 180 + int(rng.random() * 900)
    story.supervision_days = length
    story.supervision(int(rng.random() * 1.3))
    roll = rng.random()
    retaken_or_returned = wants_warrant or roll < 0.13
    if wants_warrant or roll < 0.06:
        story.violation(_O.WARRANT_ISSUED)
    elif roll < 0.1:
        story.violation(_O.RETURN_ORDERED)
        story.return_home()
    elif roll < 0.13:
        story.discretionary_retake()
    elif roll < 0.16:
        story.violation(_O.OTHER)
    elif roll < 0.22:
        story.action_request()
    if story.arrived_at is not None and not retaken_or_returned:
        # Supervision runs to its end date; the closure notice follows within days.
        story.clock = max(story.clock, story.arrived_at + length * _DAY)
    story.wait(1, 14)
    if rng.random() < 0.05:
        story.closure(agree=False)
        story.wait(20, 90)
    story.closure(agree=True)


def _rejected_after_moving_story(story: _Story) -> None:
    """Sent on reporting instructions, then the transfer was rejected and the person came home:
    rejected, but not 'never transferred' (there is a notice of arrival)."""
    request = story.send(_K.RFRI, True)
    story.wait(0.5, 3)
    story.send(_K.RFRI_REPLY, False, request, _O.ACCEPTED)
    story.wait(1, 6)
    story.move(sending_to_receiving=True)
    story.wait(3, 10)
    story.transfer(_O.REJECTED)
    story.return_home()


def _rejected_never_transferred_story(story: _Story) -> None:
    rng = story.rng
    if rng.random() < 0.2:
        request = story.send(_K.RFRI, True)
        story.wait(0.5, 3)
        story.send(_K.RFRI_REPLY, False, request, _O.REJECTED)
        story.wait(3, 20)
    story.transfer(_O.REJECTED)
    story.never_transferred = True


def _withdrawn_story(story: _Story) -> None:
    rng = story.rng
    roll = rng.random()
    if roll < 0.45:
        story.transfer(_O.REJECTED)
    elif roll < 0.7:
        # The request is taken back before the reply, and the receiving state told why.
        story.withdraw_sent(_K.TRANSFER_REQUEST, True)
        story.send(_K.COMPACT_ACTION_REQUEST, True)
    elif roll < 0.9:
        request = story.send(_K.RFRI, True)
        story.wait(0.5, 3)
        story.send(_K.RFRI_REPLY, False, request, _pick(rng, (_O.ACCEPTED, _O.REJECTED)))
    else:
        story.transfer(_O.ACCEPTED)  # the person changed their mind before leaving
    story.wait(5, 90)
    story.set_status(_C.WITHDRAWN)


def _unworked_story(story: _Story, room_days: float) -> None:
    """A case nobody finished: no activity ever left the state (part of a junk profile).
    `room_days` is the time left before the reference date."""
    roll = story.rng.random()
    if roll < 0.25:
        return  # interest registered, nothing written
    if roll < 0.75 or room_days < 60:
        story.prepare(_pick(story.rng, (_K.TRANSFER_REQUEST, _K.RFRI)), True)
        return
    story.withdraw_unsent(_K.TRANSFER_REQUEST, True)  # at most 20 days
    story.wait(1, 30)
    story.set_status(_C.WITHDRAWN)


# --- Rows -------------------------------------------------------------------------------------
OFFENDER_COLUMNS = (
    "id", "offender_number", "last_name", "first_name", "middle_name", "suffix", "last_name_key",
    "first_name_key", "date_of_birth", "sex", "race", "ssn", "fbi_number", "state_id",
    "sex_offender", "victim_sensitive", "history_of_assault", "confidential", "created_by_state",
    "created_by_user_id", "not_duplicate_certified_by_id", "not_duplicate_certified_at",
    "version", "created_at", "updated_at",
)  # fmt: skip
ALIAS_COLUMNS = (
    "id", "offender_id", "last_name", "first_name", "middle_name", "date_of_birth",
    "last_name_key", "first_name_key", "version",
)  # fmt: skip
CASE_COLUMNS = (
    "id", "case_number", "offender_id", "sending_state", "receiving_state", "supervision_type",
    "status", "offense_summary", "supervision_end_date", "sending_assigned_user_id",
    "receiving_assigned_user_id", "tolling", "legacy", "status_changed_at", "version",
    "created_at", "updated_at", "special_statuses",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "id", "activity_number", "case_id", "type", "from_state", "to_state", "status", "author_id",
    "assigned_user_id", "reply_to_id", "outcome", "submitted_at", "transmitted_at",
    "withdrawn_at", "due_date", "content", "version", "created_at", "updated_at",
)  # fmt: skip
WARRANT_COLUMNS = (
    "id", "warrant_status_id", "offender_id", "status", "requested_date", "issued_date",
    "issuing_authority", "issuing_authority_contact", "warrant_identifier", "ncic_entry_date",
    "ncic_verified_date", "served_date", "withdrawn_date", "retaking_authority", "comments",
    "created_ts", "updated_ts", "created_by", "updated_by", "version",
)  # fmt: skip
GENERATED_TABLES = {
    "offender": OFFENDER_COLUMNS,
    "alias": ALIAS_COLUMNS,
    "compact_case": CASE_COLUMNS,
    "activity": ACTIVITY_COLUMNS,
    "warrant_status_record": WARRANT_COLUMNS,
}


@dataclass
class _Numbers:
    """Next ids and display numbers, counting on across units."""

    offender_id: int
    alias_id: int
    case_id: int
    activity_id: int
    warrant_id: int
    offender_number: int
    case_number: int
    activity_number: int
    warrant_number: int

    def copy(self) -> _Numbers:
        return _Numbers(**vars(self))


@dataclass
class _Unit:
    """The rows of one unit of work, as tuples in the column order of GENERATED_TABLES."""

    index: int
    before: _Numbers
    after: _Numbers | None = None
    rows: dict[str, list[tuple]] = field(
        default_factory=lambda: {name: [] for name in GENERATED_TABLES}
    )
    counts: Counter = field(default_factory=Counter)


_NUMBER_PATTERNS = {
    kind: f"{prefix}%0{digits}d" for kind, (prefix, digits) in NUMBER_FORMATS.items()
}


def _number(kind: str, value: int) -> str:
    return _NUMBER_PATTERNS[kind] % value


class _Generator:
    """Generates units in order; ids and numbers continue from one unit to the next."""

    def __init__(self, seed: int, staff: _Staff, numbers: _Numbers, values: _Values):
        self.seed = seed
        self.staff = staff
        self.next = numbers
        self.values = values
        self._keys: dict[str, str] = {}

    def key(self, name: str) -> str:
        found = self._keys.get(name)
        if found is None:
            found = self._keys[name] = name_key(name)
        return found

    def unit(self, index: int, size: int) -> _Unit:
        # A generator per unit: a unit's rows depend only on the seed and the unit's place.
        rng = random.Random(f"compact-office-demo/{self.seed}/{index}")
        unit = _Unit(index=index, before=self.next.copy())
        people: list[dict[str, Any]] = []
        for _ in range(size):
            self._profile(rng, unit, people)
        unit.after = self.next.copy()
        return unit

    # People.
    def _person(self, rng: random.Random) -> dict[str, Any]:
        sex = _SEXES.draw(rng)
        name_sex = sex if sex in ("M", "F") else ("M" if rng.random() < 0.7 else "F")
        if rng.random() < UNICODE_LAST_NAME_SHARE:
            last = _pick(rng, _UNICODE_LAST_NAMES)
        else:
            last = _LAST_NAMES.draw(rng)
        if rng.random() < HYPHENATED_NAME_SHARE[name_sex]:
            last = f"{last}-{_LAST_NAMES.draw(rng)}"
        if rng.random() < UNICODE_FIRST_NAME_SHARE:
            first = _pick(rng, _UNICODE_FIRST_NAMES[name_sex])
        else:
            first = _FIRST_NAMES[name_sex].draw(rng)
        roll = rng.random()
        if roll < MIDDLE_NAME_SHARE:
            middle: str | None = _FIRST_NAMES[name_sex].draw(rng)
        elif roll < MIDDLE_NAME_SHARE + MIDDLE_INITIAL_SHARE:
            middle = chr(65 + int(rng.random() * 26))
        else:
            middle = None
        if rng.random() < UPPERCASE_ENTRY_SHARE:
            last, first, middle = last.upper(), first.upper(), middle and middle.upper()
        roll = rng.random()
        if roll < DOB_MISSING_SHARE:
            birth: int | None = None
        elif roll < DOB_MISSING_SHARE + DOB_UNDER_14_SHARE:
            birth = -int((5 + rng.random() * 8) * 365.25)
        else:
            birth = -int(rng.triangular(18, 72, 29) * 365.25)
        sex_offender = rng.random() < SEX_OFFENDER_SHARE * (1.3 if sex == "M" else 0.2)
        return {
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "suffix": _pick(rng, _SUFFIXES) if rng.random() < SUFFIX_SHARE else None,
            "birth": birth,
            "sex": sex,
            "name_sex": name_sex,
            "race": None if rng.random() < RACE_MISSING_SHARE else _RACE_CHOICE.draw(rng),
            "ssn": self._ssn(rng),
            "fbi_number": None if rng.random() < FBI_MISSING_SHARE else self._fbi(rng),
            "sex_offender": sex_offender,
            "victim_sensitive": rng.random() < (0.6 if sex_offender else VICTIM_SENSITIVE_SHARE),
            "history_of_assault": rng.random() < HISTORY_OF_ASSAULT_SHARE,
            "confidential": rng.random() < CONFIDENTIAL_SHARE,
        }

    @staticmethod
    def _ssn(rng: random.Random) -> str | None:
        roll = rng.random()
        if roll < SSN_MISSING_SHARE:
            return None
        if roll < SSN_MISSING_SHARE + SSN_INVALID_SHARE:
            return _pick(rng, _INVALID_SSNS)(rng)
        area = 1 + int(rng.random() * 898)
        area = 667 if area == 666 else area
        return f"{area:03d}{1 + int(rng.random() * 99):02d}{1 + int(rng.random() * 9999):04d}"

    @staticmethod
    def _fbi(rng: random.Random) -> str:
        letters = "ABCDEFGHJKLMNPRTUVWXY"
        return (
            f"{10_000 + int(rng.random() * 9_000_000)}"
            f"{_pick(rng, letters)}{_pick(rng, letters)}{int(rng.random() * 10)}"
        )

    def _duplicate_of(self, rng: random.Random, source: dict[str, Any]) -> tuple[dict, bool]:
        """The same person entered again by another state: same names (sometimes with a typo),
        same date of birth or SSN, so the possible-duplicate rule (or a fuzzy finder) sees it."""
        person = dict(source)
        typo = rng.random() < DUPLICATE_TYPO_SHARE
        if typo:
            name = "last_name" if rng.random() < 0.6 else "first_name"
            person[name] = _typo(rng, source[name])
        roll = rng.random()
        if roll < 0.4 or source["ssn"] is None:
            pass  # same date of birth and SSN
        elif roll < 0.75 and source["birth"] is not None:
            person["ssn"] = None  # unknown to the second state
        elif source["birth"] is not None:
            # Day and month keyed the other way round; the SSN still matches.
            born = REFERENCE_DATE + timedelta(days=source["birth"])
            if born.day <= 12 and born.day != born.month:
                person["birth"] = (date(born.year, born.day, born.month) - REFERENCE_DATE).days
        if rng.random() < 0.5:
            person["fbi_number"] = None
        if rng.random() < 0.5:
            person["middle_name"] = None
        return person, typo

    # Profiles.
    def _profile(self, rng: random.Random, unit: _Unit, people: list[dict[str, Any]]) -> None:
        roll = rng.random()
        if roll < JUNK_SHARE:
            kind = "junk"
        elif roll < JUNK_SHARE + RECENT_UNWORKED_SHARE:
            kind = "recent"
        elif roll < JUNK_SHARE + RECENT_UNWORKED_SHARE + DUPLICATE_SHARE and people:
            kind = "duplicate"
        else:
            kind = "worked"
        if kind == "duplicate":
            person, typo = self._duplicate_of(rng, _pick(rng, people))
            unit.counts["duplicate_profiles"] += 1
            unit.counts["duplicate_profiles_with_typo"] += typo
        else:
            person = self._person(rng)
            if kind == "worked":
                people.append(person)
        offender_id = self.next.offender_id
        self.next.offender_id += 1
        if kind in ("junk", "recent"):
            unit.counts["junk_profiles" if kind == "junk" else "recent_unworked_profiles"] += 1
            created, creator = self._unworked_cases(rng, unit, offender_id, person, kind)
        else:
            created, creator = self._worked_cases(rng, unit, offender_id, person)
        self._offender_row(rng, unit, offender_id, person, created, creator, kind)
        if rng.random() < ALIAS_SHARE:
            self._aliases(rng, unit, offender_id, person)

    def _worked_cases(self, rng, unit, offender_id, person) -> tuple[int, str]:
        case_count = _CASE_COUNT.draw(rng)
        wants_warrant = rng.random() < WARRANT_SHARE / (1 - JUNK_SHARE - RECENT_UNWORKED_SHARE)
        creator = _STATES.draw(rng)
        stories: list[tuple[_Story, str]] = []
        for position in range(case_count):
            last = position == case_count - 1
            story = _Story(rng)
            # Only the last case may be active; earlier ones are history (or a forgotten reject).
            if rng.random() < REJECTED_NEVER_TRANSFERRED_SHARE and not (wants_warrant and last):
                _rejected_never_transferred_story(story)
            else:
                status = (_LAST_CASE_STATUS if last else _EARLIER_CASE_STATUS).draw(rng)
                warrant = wants_warrant and last
                if warrant and status not in (_C.ACCEPTED, _C.CLOSED):
                    status = _C.ACCEPTED
                if status == _C.PENDING:
                    _pending_story(story)
                elif status == _C.ACCEPTED:
                    _accepted_story(story, warrant)
                elif status == _C.REJECTED:
                    _rejected_after_moving_story(story)
                elif status == _C.WITHDRAWN:
                    _withdrawn_story(story)
                else:
                    _closed_story(story, warrant)
            sending = creator if position == 0 or rng.random() < 0.6 else _STATES.draw(rng)
            stories.append((story, sending))
        # Back to back, the last ending shortly before the reference date.
        last_status = stories[-1][0].status
        end = -int(rng.random() * (45 if last_status == _C.PENDING else 200) * _DAY) - 3600
        if last_status in (_C.CLOSED, _C.WITHDRAWN):
            end -= int(rng.random() * 900 * _DAY)
        starts: list[int] = []
        for story, _ in reversed(stories):
            starts.append(end - story.clock)
            end = starts[-1] - int((20 + rng.random() * 500) * _DAY)
        starts.reverse()
        for (story, sending), start in zip(stories, starts, strict=True):
            self._case_rows(rng, unit, offender_id, person, story, sending, start)
        if wants_warrant:
            story, sending = stories[-1]
            self._warrants(rng, unit, offender_id, story, sending, starts[-1])
        return starts[0] - int(rng.random() * 20 * _DAY) - 3600, creator

    def _unworked_cases(self, rng, unit, offender_id, person, kind) -> tuple[int, str]:
        creator = _STATES.draw(rng)
        if kind == "junk":
            created = -int((JUNK_MIN_AGE_DAYS + rng.random() * 1500) * _DAY)
        else:
            created = -int((2 + rng.random() * (RECENT_MAX_AGE_DAYS - 2)) * _DAY)
        if rng.random() >= JUNK_WITHOUT_CASE_SHARE:
            for _ in range(1 if rng.random() < 0.85 else 2):
                # Opened within days of the profile, and over before the reference date.
                start = created + 60 + int(rng.random() * min(-created // 4, 10 * _DAY))
                story = _Story(rng)
                _unworked_story(story, -start / _DAY)
                self._case_rows(rng, unit, offender_id, person, story, creator, start)
        return created, creator

    def _offender_row(self, rng, unit, offender_id, person, created, creator, kind) -> None:
        values = self.values
        created_by = self.staff.officer(rng, creator)
        certified = kind == "duplicate" and rng.random() < 0.4
        state_id = None
        if rng.random() >= STATE_ID_MISSING_SHARE:
            state_id = f"{creator}{int(rng.random() * 10**8):08d}"
        birth = person["birth"]
        number = self.next.offender_number
        self.next.offender_number += 1
        stamp = values.moment(created)
        unit.rows["offender"].append(
            (
                offender_id, _number("offender", number), person["last_name"],
                person["first_name"], person["middle_name"], person["suffix"],
                self.key(person["last_name"]), self.key(person["first_name"]),
                None if birth is None else values.day(birth), person["sex"], person["race"],
                person["ssn"], person["fbi_number"], state_id, person["sex_offender"],
                person["victim_sensitive"], person["history_of_assault"], person["confidential"],
                creator, created_by, created_by if certified else None,
                stamp if certified else None, 1, stamp, stamp,
            )
        )  # fmt: skip

    def _aliases(self, rng, unit, offender_id, person) -> None:
        for _ in range(1 if rng.random() < 0.75 else 2):
            last, first = person["last_name"], person["first_name"]
            roll = rng.random()
            nicknames = _NICKNAMES.get(first)
            if roll < 0.35 and nicknames:
                first = _pick(rng, nicknames)
            elif roll < 0.55 and person["name_sex"] == "F":
                last = _LAST_NAMES.draw(rng)  # maiden or former married name
            elif roll < 0.85:
                if rng.random() < 0.7:
                    last = _typo(rng, last)
                else:
                    first = _typo(rng, first)
            elif roll < 0.93:
                last, first = first, last  # entered the wrong way round
            else:
                last = _LAST_NAMES.draw(rng)
                first = _FIRST_NAMES[person["name_sex"]].draw(rng)
            birth = person["birth"] if rng.random() < 0.2 else None
            if birth is not None and rng.random() < 0.3:
                birth += 365 if rng.random() < 0.5 else 1
            unit.rows["alias"].append(
                (
                    self.next.alias_id, offender_id, last, first, None,
                    None if birth is None else self.values.day(birth),
                    self.key(last), self.key(first), 1,
                )
            )  # fmt: skip
            self.next.alias_id += 1

    # Cases and activities.
    def _case_rows(self, rng, unit, offender_id, person, story: _Story, sending, start) -> None:
        values, staff = self.values, self.staff
        receiving = _STATES.draw(rng)
        while receiving == sending:
            receiving = _STATES.draw(rng)
        case_id = self.next.case_id
        self.next.case_id += 1
        sending_officer = staff.officer(rng, sending)
        receiving_officer = None
        if story.reached_receiving_state and rng.random() < 0.9:
            receiving_officer = staff.officer(rng, receiving)
        end_date = None
        if story.supervision_days is not None and story.arrived_at is not None:
            end_day = (start + story.arrived_at) // _DAY + story.supervision_days
            if story.status == _C.ACCEPTED:
                end_day = max(end_day, 30 + int(rng.random() * 900))  # ahead while active
            end_date = values.day(end_day)
        status_at = start + story.status_at
        unit.rows["compact_case"].append(
            (
                case_id, _number("case", self.next.case_number), offender_id, sending,
                receiving, "parole" if rng.random() < 0.35 else "probation", story.status,
                _pick(rng, _SEX_OFFENSES if person["sex_offender"] else _OFFENSES), end_date,
                sending_officer, receiving_officer,
                story.status == _C.ACCEPTED and rng.random() < 0.01, False,
                values.moment(status_at), 1, values.moment(start),
                values.moment(max(start + story.clock, status_at)),
                0,  # special statuses: derived once the unit's warrant records are in
            )
        )  # fmt: skip
        self.next.case_number += 1
        unit.counts["case:" + story.status] += 1
        unit.counts["rejected_never_transferred_cases"] += story.never_transferred
        self._activity_rows(unit, case_id, story, start, sending, receiving,
                            sending_officer, receiving_officer)  # fmt: skip

    def _activity_rows(self, unit, case_id, story, start, sending, receiving,
                       sending_officer, receiving_officer) -> None:  # fmt: skip
        moment, day, staff = self.values.moment, self.values.day, self.staff
        answered = {step.reply_to for step in story.steps if step.reply_to is not None}
        first_id = self.next.activity_id
        number = self.next.activity_number
        number_pattern = _NUMBER_PATTERNS["activity"]
        rows = unit.rows["activity"]
        counts = unit.counts
        for index, step in enumerate(story.steps):
            if step.by_sending:
                from_state, to_state, author = sending, receiving, sending_officer
                counterpart = receiving_officer
            else:
                from_state, to_state, author = receiving, sending, receiving_officer
                counterpart = sending_officer
            if author is None:
                author = staff.compact_office.get(from_state)
            status = step.status
            assigned = None
            if status == _S.TRANSMITTED:
                if step.kind in _REPLY_DEADLINES and index not in answered:
                    assigned = counterpart or staff.compact_office.get(to_state)
            elif status == _S.DRAFT:
                assigned = author
            elif status == _S.PENDING_SUPERVISOR:
                assigned = staff.supervisor_of.get(author)
                if assigned is None:  # the author reports straight to the compact office
                    status = _S.PENDING_COMPACT_OFFICE
            if status == _S.PENDING_COMPACT_OFFICE:
                assigned = staff.compact_office.get(from_state)
            due = None
            transmitted = step.transmitted
            deadline = _REPLY_DEADLINES.get(step.kind)
            if deadline is not None and transmitted is not None:
                sent_day = (start + transmitted + _DAY // 2) // _DAY
                days, business = deadline
                due = day(_add_business_days(sent_day, days) if business else sent_day + days)
            created = start + step.created
            changed = max(step.submitted or 0, transmitted or 0, step.withdrawn or 0)
            rows.append(
                (
                    first_id + index, number_pattern % (number + index), case_id, step.kind,
                    from_state, to_state, status, author, assigned,
                    None if step.reply_to is None else first_id + step.reply_to, step.outcome,
                    None if step.submitted is None else moment(start + step.submitted),
                    None if transmitted is None else moment(start + transmitted),
                    None if step.withdrawn is None else moment(start + step.withdrawn),
                    due, step.content, 1, moment(created),
                    moment(start + changed) if changed else moment(created),
                )
            )  # fmt: skip
            counts["activity:" + status] += 1
        self.next.activity_id += len(story.steps)
        self.next.activity_number += len(story.steps)

    # Warrants.
    def _warrants(self, rng, unit, offender_id, story: _Story, state: str, start: int) -> None:
        """The warrant behind the case's failure to arrive, retaking violation or discretionary
        retake, in a state of life that fits the case (a closed case was retaken)."""
        if story.warrant_at is not None:
            issued = start + story.warrant_at + int(rng.random() * 5 * _DAY)
        else:
            issued = start + story.clock + int(rng.random() * 20 * _DAY)
        issued_day = min(issued // _DAY, -2)
        if rng.random() < SECOND_WARRANT_SHARE:
            earlier = issued_day - 200 - int(rng.random() * 900)
            self._warrant_row(rng, unit, offender_id, state, earlier, _W.EXECUTED, True)
        roll = rng.random()
        if story.status == _C.CLOSED:
            status = _W.EXECUTED if roll < 0.75 else _W.WITHDRAWN
        elif roll < 0.55:
            status = _W.ACTIVE
        elif roll < 0.8:
            status = _W.EXECUTED
        else:
            status = _W.WITHDRAWN
        complete = status != _W.ACTIVE or rng.random() < 0.6
        if status == _W.WITHDRAWN and rng.random() < 0.3:
            complete = False  # retaken before NCIC was documented: withdrawn, not executed
        self._warrant_row(rng, unit, offender_id, state, issued_day, status, complete)

    def _warrant_row(self, rng, unit, offender_id, state, issued_day, status, complete) -> None:
        values, staff = self.values, self.staff
        roll = rng.random()
        if roll < 0.88:
            identifier: str | None = f"W{int(rng.random() * 10**9):09d}"
        elif roll < 0.94:
            identifier = f"{_pick(rng, 'ABMX')}{int(rng.random() * 10**9):09d}"
        else:
            identifier = None
        entered = min(issued_day + int(rng.random() * 4), -1) if complete else None
        verified = min(entered + int(rng.random() * 10), -1) if entered is not None else None
        served = withdrawn = None
        comments = None if complete else "NCIC entry pending."
        last_day = verified or issued_day
        if status == _W.EXECUTED:
            served = last_day = min(max(last_day, issued_day + 3 + int(rng.random() * 120)), -1)
        elif status == _W.WITHDRAWN:
            withdrawn = last_day = min(max(last_day, issued_day + 3 + int(rng.random() * 120)), -1)
            comments = (
                "Warrant recalled by the issuing authority."
                if complete
                else "Retaken before NCIC verification was documented; withdrawn, not executed."
            )
        officer = staff.officer(rng, state)
        author = staff.name_of(officer, state)
        editor = (
            author if rng.random() < 0.7 else staff.name_of(staff.compact_office.get(state), state)
        )
        state_name = _STATE_NAMES[state]
        unit.rows["warrant_status_record"].append(
            (
                self.next.warrant_id, _number("warrant_status", self.next.warrant_number),
                offender_id, status,
                values.day(issued_day - int(rng.random() * 5)) if rng.random() < 0.7 else None,
                values.day(issued_day), _pick(rng, _ISSUING_AUTHORITIES).format(state=state_name),
                f"Warrants desk, ({201 + int(rng.random() * 798)}) 555-{int(rng.random() * 1e4):04d}",
                identifier, None if entered is None else values.day(entered),
                None if verified is None else values.day(verified),
                None if served is None else values.day(served),
                None if withdrawn is None else values.day(withdrawn),
                f"{state_name} Department of Corrections", comments,
                values.moment(issued_day * _DAY + 3600), values.moment(last_day * _DAY + 7200),
                author, editor, 1,
            )
        )  # fmt: skip
        self.next.warrant_id += 1
        self.next.warrant_number += 1
        unit.counts["warrant:" + status] += 1


def _generate_units(generator: _Generator, offenders: int) -> Iterator[_Unit]:
    for index, start in enumerate(range(0, offenders, OFFENDERS_PER_UNIT)):
        yield generator.unit(index, min(OFFENDERS_PER_UNIT, offenders - start))


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _send_units(sender: Any, generator: _Generator, offenders: int) -> None:
    """In the child process: every unit down the pipe, then None (or the error as text)."""
    # Millions of fresh tuples would set off the cycle collector again and again, over the
    # whole inherited heap, for nothing: the rows hold no cycles, and the process ends soon.
    gc.disable()
    try:
        for unit in _generate_units(generator, offenders):
            sender.send(unit)
            del unit  # before the next one is built: one unit in memory at a time
        sender.send(None)
    except BaseException:
        sender.send(traceback.format_exc())
    finally:
        sender.close()


def _units_in_background(generator: _Generator, offenders: int) -> Iterator[_Unit]:
    """The units in order, generated in a forked child process while this one writes: generating
    costs about as much as writing, and the machine has more than one core.

    Forking copies the generator as it stands, so the rows are the same as generated in-process.
    Where fork is unsafe or missing (other threads running, Windows, macOS) the units are
    generated in turn, in this process.
    """
    if not GENERATE_IN_CHILD_PROCESS or threading.active_count() > 1:
        yield from _generate_units(generator, offenders)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_send_units, args=(sender, generator, offenders), name="demo-data", daemon=True
    )
    child.start()
    sender.close()
    try:
        while True:
            try:
                with _cycle_collector_paused():  # unpickling: as in the child, no cycles
                    item = receiver.recv()
            except EOFError:
                raise RuntimeError("the demo data generator stopped unexpectedly") from None
            if item is None:
                return
            if isinstance(item, str):
                raise RuntimeError(f"generating demo data failed:\n{item}")
            yield item
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


# --- Writing ----------------------------------------------------------------------------------
_UNTYPED_TABLES = {
    name: table(name, *(column(c) for c in columns)) for name, columns in GENERATED_TABLES.items()
}


def _insert_rows(connection: Connection, name: str, rows: list[tuple]) -> None:
    """Inserts prepared rows without per-value type processing, in the transaction of
    `connection`, the fastest way each backend offers.

    SQLAlchemy's per-row parameter handling would cost as much as the insert itself. SQLite gets
    multi-row VALUES statements: row-by-row executemany is slower there because each execution
    sets up every CHECK constraint's IN-list again. PostgreSQL gets COPY, which beats even
    pipelined executemany by an order of magnitude.
    """
    if not rows:
        return
    columns = GENERATED_TABLES[name]
    dialect = connection.dialect.name
    if dialect == "sqlite":
        one_row = "(" + ", ".join("?" * len(columns)) + ")"
        head = f"INSERT INTO {name} ({', '.join(columns)}) VALUES "
        full = head + ", ".join([one_row] * SQLITE_ROWS_PER_STATEMENT)
        for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
            batch = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
            statement = (
                full
                if len(batch) == SQLITE_ROWS_PER_STATEMENT
                else head + ", ".join([one_row] * len(batch))
            )
            connection.exec_driver_sql(statement, tuple(itertools.chain.from_iterable(batch)))
    elif dialect == "postgresql" and connection.dialect.driver == "psycopg":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        statement = insert(_UNTYPED_TABLES[name])
        for start in range(0, len(rows), INSERT_BATCH_ROWS):
            batch = rows[start : start + INSERT_BATCH_ROWS]
            connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in batch])


def _full_key(last, first):
    return func.trim(last + literal(" ") + first)


def _insert_names(connection: Connection, first_id: int, last_id: int) -> None:
    """offender_name rows of the new profiles and their aliases, exactly as
    app.models.search_index writes them for the ORM (full_key: last key, space, first key)."""
    profiles = select(
        Offender.id, null(), Offender.last_name_key, Offender.first_name_key,
        _full_key(Offender.last_name_key, Offender.first_name_key),
    ).where(Offender.id.between(first_id, last_id))  # fmt: skip
    aliases = select(
        Alias.offender_id, Alias.id, Alias.last_name_key, Alias.first_name_key,
        _full_key(Alias.last_name_key, Alias.first_name_key),
    ).where(Alias.offender_id.between(first_id, last_id))  # fmt: skip
    connection.execute(
        insert(OffenderName).from_select(
            ["offender_id", "alias_id", "last_name_key", "first_name_key", "full_key"],
            union_all(profiles, aliases),
        )
    )


def _insert_interests(connection: Connection, first_id: int, last_id: int) -> None:
    """Both states' interest in each new case; the receiving state's since the first
    transmission (a case nothing was sent on yet: since its creation)."""
    new_cases = CompactCase.id.between(first_id, last_id)
    sending = select(
        CompactCase.id, CompactCase.sending_state, literal(InterestSide.SENDING.value),
        CompactCase.created_at,
    ).where(new_cases)  # fmt: skip
    first_transmission = (
        select(func.min(Activity.transmitted_at))
        .where(Activity.case_id == CompactCase.id)
        .scalar_subquery()
    )
    receiving = select(
        CompactCase.id, CompactCase.receiving_state, literal(InterestSide.RECEIVING.value),
        func.coalesce(first_transmission, CompactCase.created_at),
    ).where(new_cases)  # fmt: skip
    connection.execute(
        insert(CaseInterest).from_select(
            ["case_id", "jurisdiction_code", "side", "registered_at"], union_all(sending, receiving)
        )
    )


_NUMBERED = {
    "offender": (Offender.__table__.c.offender_number, "offender_number"),
    "case": (CompactCase.__table__.c.case_number, "case_number"),
    "activity": (Activity.__table__.c.activity_number, "activity_number"),
    "warrant_status": (WarrantStatusRecord.__table__.c.warrant_status_id, "warrant_number"),
}
_ID_FIELDS = {
    Offender: "offender_id",
    Alias: "alias_id",
    CompactCase: "case_id",
    Activity: "activity_id",
    WarrantStatusRecord: "warrant_id",
}


def _highest_number_in_use(connection: Connection, kind: str) -> int:
    """The largest number of our own form (prefix and digits only) already stored, or 0."""
    number = _NUMBERED[kind][0]
    prefix = NUMBER_FORMATS[kind][0]
    if connection.dialect.name == "postgresql":
        ours = number.regexp_match(f"^{prefix}[0-9]+$")
    else:
        digits = func.substr(number, len(prefix) + 1)
        ours = number.like(f"{prefix}%") & (digits != "") & ~digits.op("GLOB")("*[^0-9]*")
    highest = connection.scalar(
        select(number).where(ours).order_by(func.length(number).desc(), number.desc()).limit(1)
    )
    return int(highest[len(prefix) :]) if highest else 0


def _next_numbers(connection: Connection) -> _Numbers:
    """Ids after the highest in use; numbers after both the counters and the highest in use."""
    counters = dict(connection.execute(select(NumberCounter.name, NumberCounter.next_value)).all())
    values = {
        field_name: (connection.scalar(select(func.max(model.id))) or 0) + 1
        for model, field_name in _ID_FIELDS.items()
    }
    for kind, (_, field_name) in _NUMBERED.items():
        values[field_name] = max(
            counters.get(kind, 1), _highest_number_in_use(connection, kind) + 1
        )
    return _Numbers(**values)


def _check_ids_free(connection: Connection, numbers: _Numbers) -> None:
    """Somebody may have added rows since the ids were chosen; never write over them."""
    for model, field_name in _ID_FIELDS.items():
        highest = connection.scalar(select(func.max(model.id))) or 0
        if highest >= getattr(numbers, field_name):
            raise UserError(
                "Other records were added while the demo data was loading. What was loaded "
                "until then is kept; run the command again to add more."
            )


def _store_counters(connection: Connection, numbers: _Numbers) -> None:
    for kind, (_, field_name) in _NUMBERED.items():
        value = getattr(numbers, field_name)
        stored = connection.scalar(
            select(NumberCounter.next_value).where(NumberCounter.name == kind)
        )
        if stored is None:
            connection.execute(insert(NumberCounter).values(name=kind, next_value=value))
        elif stored < value:
            connection.execute(
                update(NumberCounter).where(NumberCounter.name == kind).values(next_value=value)
            )


def _advance_id_sequences(connection: Connection) -> None:
    """PostgreSQL: the rows were written with explicit ids; move each sequence past them."""
    if connection.dialect.name != "postgresql":
        return
    for model in _ID_FIELDS:
        name = model.__tablename__
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"GREATEST((SELECT max(id) FROM {name}), 1))"
            )
        )


# SQLite objects set aside during a load and recreated afterwards from the SQL the schema itself
# holds. Indexes whose keys arrive in random order (names, dates of birth, identifiers, due
# dates, transmission times by type), or spread over hundreds of insertion points (cases and
# profiles by state, status and user), cost more to keep up row by row than to build once,
# sorted, at the end (measured: a third of the insert time of profiles and cases; for activities
# by type and transmission time, half of theirs). Those that grow at one end stay, and so do
# the unique ones. The name-search triggers feed the FTS index, rebuilt in one pass instead.
DEFERRED_INDEXES = (
    "ix_offender_name",
    "ix_offender_first_name",
    "ix_offender_date_of_birth",
    "ix_offender_ssn",
    "ix_offender_fbi_number",
    "ix_offender_state_id",
    "ix_offender_created_by_state",
    "ix_offender_created_by_user_id",
    "ix_alias_name",
    "ix_compact_case_sending_status_due",
    "ix_compact_case_receiving_status_due",
    "ix_compact_case_sending_user_status_due",
    "ix_compact_case_receiving_user_status_due",
    "ix_compact_case_next_due",
    "ix_compact_case_sending_status_special",
    "ix_compact_case_receiving_status_special",
    "ix_activity_status_from_submitted",
    "ix_activity_type_transmitted",
    "ix_offender_name_keys",
    "ix_offender_link_name",
)
DEFERRED_TRIGGERS = (
    "offender_name_fts_insert",
    "offender_name_fts_delete",
    "offender_name_fts_update",
)
# The setting that records what was set aside, written in the same transaction as the drops:
# if a load is killed, the next one puts everything back before it starts.
DEFERRED_SCHEMA_SETTING = "demo_data.deferred_schema"


@contextmanager
def _schema_deferred(database: Database, actor: Actor) -> Iterator[None]:
    """SQLite: drops the deferred indexes and triggers for the load and, whatever happens,
    recreates them and rebuilds the name-search index afterwards."""
    if database.dialect != "sqlite":
        yield
        return
    _restore_deferred_schema(database, actor)
    with database.unit_of_work(actor) as session:
        deferred = [
            {"type": kind, "name": name, "sql": sql}
            for kind, name, sql in session.execute(
                select(column("type"), column("name"), column("sql"))
                .select_from(table("sqlite_master"))
                .where(
                    ((column("type") == "index") & column("name").in_(DEFERRED_INDEXES))
                    | ((column("type") == "trigger") & column("name").in_(DEFERRED_TRIGGERS))
                )
                .order_by(column("type"), column("name"))
            )
        ]
        session.execute(
            insert(Setting).values(
                key=DEFERRED_SCHEMA_SETTING, value=json.dumps(deferred), version=1
            )
        )
        for item in deferred:
            session.execute(text(f'DROP {item["type"].upper()} "{item["name"]}"'))
    try:
        yield
    finally:
        _restore_deferred_schema(database, actor)


def restore_interrupted_load(database: Database) -> bool:
    """Puts back the indexes and triggers a killed load left out; True when there was any."""
    with database.read() as session:
        pending = session.scalar(select(Setting.key).where(Setting.key == DEFERRED_SCHEMA_SETTING))
        if pending is None:
            return False
        actor = system_actor(session)
    _restore_deferred_schema(database, actor)
    return True


def _restore_deferred_schema(database: Database, actor: Actor) -> None:
    with database.unit_of_work(actor) as session:
        stored = session.scalar(select(Setting.value).where(Setting.key == DEFERRED_SCHEMA_SETTING))
        if stored is None:
            return
        present = set(session.scalars(text("SELECT name FROM sqlite_master")))
        deferred = json.loads(stored)
        for item in deferred:
            if item["name"] not in present:
                session.execute(text(item["sql"]))
        if any(item["type"] == "trigger" for item in deferred):
            session.execute(
                text("INSERT INTO offender_name_fts(offender_name_fts) VALUES ('rebuild')")
            )
        session.execute(delete(Setting).where(Setting.key == DEFERRED_SCHEMA_SETTING))


@contextmanager
def _enum_checks_skipped(connection: Connection) -> Iterator[None]:
    """SQLite: skip CHECK constraints while the generated rows go in, then check again.

    The schema's CHECK constraints are the enumerations' value lists, and every generated value
    is taken from those enumerations; evaluating the lists costs a quarter of the insert time.
    Foreign keys, NOT NULL and uniqueness stay enforced. SQLite re-prepares statements when the
    setting changes, so nothing prepared meanwhile keeps skipping the checks afterwards.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")


def _write_unit(session: Session, unit: _Unit, seed: int) -> None:
    assert unit.after is not None
    connection = session.connection()
    _check_ids_free(connection, unit.before)
    with _enum_checks_skipped(connection):
        for name, rows in unit.rows.items():
            _insert_rows(connection, name, rows)
    first_offender, last_offender = unit.before.offender_id, unit.after.offender_id - 1
    _insert_names(connection, first_offender, last_offender)
    if unit.after.case_id > unit.before.case_id:
        _insert_interests(connection, unit.before.case_id, unit.after.case_id - 1)
        refresh_next_due_for_case_range(connection, unit.before.case_id, unit.after.case_id - 1)
        refresh_special_statuses_for_case_range(
            connection, unit.before.case_id, unit.after.case_id - 1
        )
    add_links_for_id_range(session, first_offender, last_offender)
    _store_counters(connection, unit.after)
    _advance_id_sequences(connection)
    offenders = unit.rows["offender"]
    record_event(
        session,
        AuditAction.BULK_LOAD,
        "offender",
        note=f"demo data, seed {seed}, unit {unit.index + 1}: offender profiles "
        f"{offenders[0][1]} to {offenders[-1][1]}",
        changes={name: len(rows) for name, rows in unit.rows.items()},
    )


def generate_demo_data(
    database: Database,
    actor: Actor,
    *,
    offenders: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Adds `offenders` synthetic profiles with their cases, activities and warrants, in units
    of OFFENDERS_PER_UNIT profiles, each committed on its own (progress is called after each).

    The same seed and count give the same rows in an empty database; in one that holds data, ids
    and numbers continue after what is there. Missing demo users (`tx.officer1`, ...) are added.
    """
    if offenders < 1:
        raise UserError("offenders: must be at least 1")
    staff = _ensure_users(database, actor)
    with database.read() as session:
        numbers = _next_numbers(session.connection())
    first_number = numbers.offender_number
    generator = _Generator(seed, staff, numbers, _Values(database.dialect))
    totals: Counter = Counter()
    done = 0
    last_number = first_number - 1
    with _schema_deferred(database, actor):
        for unit in _units_in_background(generator, offenders):
            with database.unit_of_work(actor) as session:
                _write_unit(session, unit, seed)
            totals.update({name: len(rows) for name, rows in unit.rows.items()})
            totals.update(unit.counts)
            done += len(unit.rows["offender"])
            last_number = unit.after.offender_number - 1 if unit.after else last_number
            del unit  # before the next one arrives: one unit in memory at a time
            if progress is not None:
                progress(done, offenders)

    def by_status(prefix: str, statuses) -> dict[str, int]:
        return {
            s.value: totals[f"{prefix}:{s.value}"]
            for s in statuses
            if totals[f"{prefix}:{s.value}"]
        }

    return DemoSummary(
        offenders=totals["offender"],
        aliases=totals["alias"],
        cases=totals["compact_case"],
        activities=totals["activity"],
        warrant_records=totals["warrant_status_record"],
        users_added=staff.added,
        users_already_present=staff.already_present,
        junk_profiles=totals["junk_profiles"],
        recent_unworked_profiles=totals["recent_unworked_profiles"],
        duplicate_profiles=totals["duplicate_profiles"],
        duplicate_profiles_with_typo=totals["duplicate_profiles_with_typo"],
        rejected_never_transferred_cases=totals["rejected_never_transferred_cases"],
        first_offender_number=_number("offender", first_number),
        last_offender_number=_number("offender", last_number),
        users_got_password=staff.password_set,
        cases_by_status=by_status("case", CaseStatus),
        activities_by_status=by_status("activity", ActivityStatus),
        warrants_by_status=by_status("warrant", WarrantStatus),
    )
