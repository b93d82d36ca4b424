"""The bundled DejaVu fonts, registered with reportlab once, so that every PDF prints 'José Núñez'
as typed: reportlab's built-in fonts only cover Latin-1, and without an embedded font the look of a
printed form would depend on the reader's computer."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# resources/ sits beside app/ in a checkout and in the installer's bundle alike.
FONT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


def register_fonts() -> tuple[str, str]:
    """Registers the regular and bold faces (once) and returns their names."""
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        # <b> in paragraphs picks the bold face; the family has no italics, so italic stays upright.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
