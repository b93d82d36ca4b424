"""The activity form PDF: what a reader's text extraction gets back from each page."""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from app.pdf.activity_form import (
    TICK,
    ActivityDocument,
    CheckBox,
    render_activity,
    write_activity,
)

DISCLAIMER = (
    "ICOTS/ICAOS does not confirm active or compact compliant warrants. Warrant status "
    "information is entered by the sending state and may not be current: confirm the warrant "
    "with the issuing authority before acting on it."
)
OFFENDER = (
    ("Name", "José Núñez"),
    ("Offender #", "1234567"),
    ("Date of birth", "03/14/1985"),
    ("Sex", "Male"),
    ("Race", "White"),
    ("SID", "TX08675309"),
    ("FBI", "123456AB7"),
    ("Aliases", "Ødegård, Åse; Đặng Łukasz Żółć"),
)
REASON = (
    ("Reason for retaking", "Violation of conditions of supervision"),
    (
        "Explanation",
        "Failed to report on 05/03/2021 and 05/17/2021.\nAbsconded from the residence.",
    ),
    ("Felony or violent charges pending", "No"),
)
WARRANT = (
    ("Warrant issue date", "05/20/2021"),
    ("Issuing authority", "Travis County District Court, Judge Åsa Lindqvist"),
    ("Warrant identifier", "W123456789"),
)


def retake(**changes) -> ActivityDocument:
    document = ActivityDocument(
        title="Discretionary Retake",
        activity_number="A-2021-000417",
        case_number="TX-2019-004512",
        to_state="Virginia",
        from_state="Texas",
        date=date(2021, 5, 24),
        supervision=(CheckBox("Parole", True), CheckBox("Probation", False)),
        case_flags=(CheckBox("Sex Offender", False), CheckBox("Victim sensitive", False)),
        phone="512-406-5990",
        fax="512-454-0469",
        office_lines=(
            "Texas Interstate Compact Office, 8610 Shoal Creek Blvd, Austin, TX 78757",
            "compact.office@tdcj.texas.gov - Deputy Compact Administrator: Zoë Brontë",
        ),
        offender=OFFENDER,
        sections=(("Reason", REASON), ("Warrant", WARRANT)),
        copy_label="Copy as transmitted 05/24/2021 10:32 by tx.co1",
        notice=DISCLAIMER,
        status_line="Transmitted",
    )
    return replace(document, **changes)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces as single spaces: a value may wrap."""
    return re.sub(r"\s+", " ", text)


def test_every_label_and_value_of_a_discretionary_retake_prints(tmp_path):
    path = tmp_path / "retake.pdf"
    write_activity(retake(), path)
    pages = pages_text(path.read_bytes())
    assert len(pages) == 1
    text = flat(pages[0])
    expected = [
        "Interstate Commission for Adult Offender Supervision",
        "Discretionary Retake",
        "To:",
        "Virginia",
        "From:",
        "Texas",
        "Date:",
        "05/24/2021",
        "Type of supervision:",
        "Parole",
        "Probation",
        "Is this case:",
        "Sex Offender",
        "Victim sensitive",
        "Phone #:",
        "512-406-5990",
        "Fax #:",
        "512-454-0469",
        "OFFENDER INFORMATION",
        "REASON",
        "WARRANT",
        "Copy as transmitted 05/24/2021 10:32 by tx.co1",
        "Activity # A-2021-000417",
        "Case # TX-2019-004512",
        "Page 1 of 1",
        "Transmitted",
        *(line for line in retake().office_lines),
        *(part for pair in (*OFFENDER, *REASON, *WARRANT) for part in pair),
    ]
    missing = [item for item in expected if flat(item) not in text]
    assert not missing, missing
    # Wrapped text is extracted with a line break where it wrapped, so compare without spaces.
    assert flat(DISCLAIMER).replace(" ", "") in text.replace(" ", "")
    for name in ("José Núñez", "Ødegård, Åse", "Đặng Łukasz Żółć", "Zoë Brontë"):
        assert name in text


def test_invariant_output_is_byte_identical():
    first = render_activity(retake(), invariant=True)
    assert first.startswith(b"%PDF-")
    assert render_activity(retake(), invariant=True) == first


def test_a_long_account_flows_onto_more_pages_with_header_and_footer_on_each():
    paragraph = ("On the date of the violation the offender failed to report to the supervising "
                 "officer and could not be reached at the approved residence or workplace. ")  # fmt: skip
    account = "\n".join(f"{number}. {paragraph * 4}" for number in range(1, 61))
    document = retake(sections=(("Reason", (("Explanation", account),)), ("Warrant", WARRANT)))
    pages = [flat(text) for text in pages_text(render_activity(document))]
    assert len(pages) >= 3
    assert "Page 2 of" in pages[1]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Discretionary Retake" in text
        assert "Interstate Commission for Adult Offender Supervision" in text
        assert "Activity # A-2021-000417" in text and "Case # TX-2019-004512" in text
        assert "Copy as transmitted 05/24/2021 10:32 by tx.co1" in text
    # Nothing of the account is lost at a page break.
    whole = " ".join(pages)
    for number in range(1, 61):
        assert f"{number}. On the date" in whole
    assert "W123456789" in pages[-1]


def test_a_form_without_optional_parts_still_prints():
    document = ActivityDocument(
        title="Transfer Request",
        activity_number="",
        case_number="",
        to_state="District of Columbia",
        from_state="Texas",
        date=None,
        supervision=(CheckBox("Parole", False), CheckBox("Probation", False)),
        case_flags=(CheckBox("Sex Offender", False), CheckBox("Victim sensitive", False)),
        phone="",
        fax="",
    )
    (text,) = pages_text(render_activity(document))
    text = flat(text)
    assert "Transfer Request" in text and "District of Columbia" in text
    assert "OFFENDER INFORMATION" in text and "Page 1 of 1" in text
    assert TICK not in text


def test_a_checked_box_has_a_tick_and_an_unchecked_one_has_none():
    def ticks(supervision, flags) -> int:
        document = retake(supervision=supervision, case_flags=flags, notice=None)
        (text,) = pages_text(render_activity(document))
        return text.count(TICK)

    parole, probation = CheckBox("Parole", True), CheckBox("Probation", False)
    no_flags = (CheckBox("Sex Offender", False), CheckBox("Victim sensitive", False))
    assert ticks((parole, probation), no_flags) == 1
    assert ticks((replace(parole, checked=False), probation), no_flags) == 0
    both = (CheckBox("Sex Offender", True), CheckBox("Victim sensitive", True))
    assert ticks((parole, replace(probation, checked=True)), both) == 4


def test_check_boxes_are_drawn_not_form_fields():
    pdf = render_activity(retake(), invariant=True)
    reader = PdfReader(BytesIO(pdf))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert not reader.pages[0].get("/Annots")
    content = reader.pages[0].get_contents().get_data()
    # One square per box, each drawn as a rectangle path ('re' then stroke).
    squares = re.findall(rb"[\d.]+ [\d.]+ ([\d.]+) ([\d.]+) re S", content)
    assert sum(1 for width, height in squares if width == height) == 4


def test_only_the_embedded_font_is_used():
    pdf = render_activity(retake(), invariant=True)
    assert b"Helvetica" not in pdf and b"Helvetica" not in zlib_streams(pdf)
    fonts = PdfReader(BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    assert names == {"DejaVuSans", "DejaVuSans-Bold"}


def zlib_streams(pdf: bytes) -> bytes:
    """Every compressed stream's content, to look for a font name inside them."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(found)


def test_the_form_module_needs_neither_qt_nor_the_database():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, app.pdf.activity_form; print(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    ).stdout.split()  # fmt: skip
    assert not [name for name in loaded if name.split(".")[0] in {"PySide6", "sqlalchemy"}]
    assert not [name for name in loaded if name.startswith("app.services")]
