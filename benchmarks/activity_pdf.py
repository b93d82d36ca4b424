"""Time to print a Discretionary Retake form, beside a bare reportlab page drawing the same strings in
the same embedded fonts: `python -m benchmarks.activity_pdf [--runs N]`."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from io import BytesIO

from benchmarks.__main__ import Line, percentile, print_table

RUNS = 50
WARM_UP = 3
TARGET = "< 30 ms, < 2x floor"


def retake_document():
    """A transmitted Discretionary Retake as the compact office prints it."""
    from app.pdf.activity_form import ActivityDocument, CheckBox

    return ActivityDocument(
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
        offender=(
            ("Name", "José Núñez"),
            ("Offender #", "1234567"),
            ("Date of birth", "03/14/1985"),
            ("Sex", "Male"),
            ("Race", "White"),
            ("SID", "TX08675309"),
            ("FBI", "123456AB7"),
            ("Aliases", "Ødegård, Åse; Đặng Łukasz Żółć"),
        ),
        sections=(
            (
                "Reason",
                (
                    ("Reason for retaking", "Violation of conditions of supervision"),
                    (
                        "Explanation",
                        "Failed to report on 05/03/2021 and 05/17/2021.\n"
                        "Absconded from the approved residence.",
                    ),  # fmt: skip
                    ("Felony or violent charges pending", "No"),
                ),
            ),
            (
                "Warrant",
                (
                    ("Warrant issue date", "05/20/2021"),
                    ("Issuing authority", "Travis County District Court"),
                    ("Warrant identifier", "W123456789"),
                ),
            ),
        ),
        copy_label="Copy as transmitted 05/24/2021 10:32 by tx.co1",
        notice=(
            "ICOTS/ICAOS does not confirm active or compact compliant warrants. Warrant status "
            "information is entered by the sending state and may not be current: confirm the "
            "warrant with the issuing authority before acting on it."
        ),
        status_line="Transmitted",
    )


def bare_page(document) -> bytes:
    """The floor: one canvas page with the form's strings, labels bold and values regular, and
    nothing laid out."""
    from reportlab.pdfgen.canvas import Canvas

    from app.pdf.activity_form import TICK, ActivityDocument
    from app.pdf.fonts import register_fonts

    assert isinstance(document, ActivityDocument)
    regular, bold = register_fonts()
    output = BytesIO()
    canvas = Canvas(output, initialFontName=regular, initialFontSize=8)
    labels = [
        "Interstate Commission for Adult Offender Supervision",
        document.title,
        "To:",
        "Date:",
        "Type of supervision:",
        "Is this case:",
        "From:",
        "Phone #:",
        "Fax #:",
        "OFFENDER INFORMATION",
        *(label for label, _ in document.offender),
        *(title.upper() for title, _ in document.sections),
        *(label for _, rows in document.sections for label, _ in rows),
        document.copy_label,
        f"Activity # {document.activity_number}   Case # {document.case_number}",
        "Page 1 of 1",
    ]
    values = [
        document.to_state,
        document.date.strftime("%m/%d/%Y") if document.date else "",
        *(box.label for box in (*document.supervision, *document.case_flags)),
        TICK,
        document.from_state,
        document.phone,
        document.fax,
        *document.office_lines,
        *(value for _, value in document.offender),
        *(line for _, rows in document.sections for _, value in rows for line in value.split("\n")),
        document.notice or "",
        document.copy_label,
    ]
    y = 760.0
    for font, texts in ((bold, labels), (regular, values)):
        canvas.setFont(font, 8)
        for text in texts:
            canvas.drawString(36, y, text)
            y -= 10
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def timed(makers: list[Callable[[], bytes]], runs: int) -> list[list[float]]:
    """Milliseconds per run of each, taken in turn so that the machine's load weighs on them alike,
    after a few runs that fill reportlab's caches as a running app has."""
    for _ in range(WARM_UP):
        for make in makers:
            make()
    times: list[list[float]] = [[] for _ in makers]
    for _ in range(runs):
        for make, taken in zip(makers, times, strict=True):
            started = time.perf_counter()
            make()
            taken.append((time.perf_counter() - started) * 1000)
    return times


def measure_activity_pdf(runs: int) -> list[Line]:
    from app.pdf.activity_form import render_activity
    from app.pdf.fonts import register_fonts

    register_fonts()
    document = retake_document()
    form, floor = timed([lambda: render_activity(document), lambda: bare_page(document)], runs)
    pages = render_activity(document).count(b"/Type /Page\n")
    return [
        Line(
            "Discretionary Retake form PDF",
            statistics.median(form),
            percentile(form, 0.95),
            statistics.median(floor),
            TARGET,
            note=f"{pages} page; floor p95 {percentile(floor, 0.95):,.1f} ms; {runs} runs each",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.activity_pdf")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each")
    args = parser.parse_args(argv)
    print_table(measure_activity_pdf(args.runs), "\nActivity form PDF (letter, DejaVu embedded)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
