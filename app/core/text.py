"""Normalisation of names and identifiers so that searches and uniqueness ignore case and accents."""

from __future__ import annotations

import re
import unicodedata

_NOT_KEY = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r"\s+")
_IDENTIFIER_SEPARATORS = re.compile(r"[\s\-./]+")


def name_key(text: str | None) -> str:
    """'Núñez-O'Brien ' -> 'NUNEZOBRIEN': accents, case and punctuation do not matter in search."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Ø, Ł, ß and similar have no decomposition; map the common ones by hand.
    ascii_only = ascii_only.translate(_SPECIAL_LETTERS).upper()
    return _SPACES.sub(" ", _NOT_KEY.sub("", ascii_only)).strip()


_SPECIAL_LETTERS = str.maketrans(
    {"Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "ß": "ss", "Æ": "AE", "æ": "ae", "Đ": "D", "đ": "d",
     "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th", "ı": "i"}
)  # fmt: skip


def identifier_key(text: str | None) -> str:
    """FBI numbers, state ids and warrant identifiers: uppercase without spaces, hyphens, dots."""
    if not text:
        return ""
    return _IDENTIFIER_SEPARATORS.sub("", text).upper()


def digits_only(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())
