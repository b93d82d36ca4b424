"""Any list printed to a landscape PDF: the title, the filters that made it, who printed it and when,
the column headers on every page and 'Page x of y'."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.core import clock
from app.pdf.fonts import register_fonts
from app.pdf.paged_canvas import canvas_maker

# Past this a printout is no longer read (about 150 pages); the whole list goes to CSV or XLSX.
MAX_PRINTED_ROWS = 5_000
PAGE_SIZE = landscape(letter)
MARGIN = 0.5 * inch
FONT_SIZE = 8
HEADER_FONT_SIZE = 8
TITLE_FONT_SIZE = 14
CELL_PADDING = 3
INTRO_GAP = 6
ROWS_PER_TABLE = 40
_HEADER_BACKGROUND = colors.HexColor("#E6E6E6")
_GRID = colors.HexColor("#BBBBBB")
_CELL_STYLE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
]


def printed_text(value: Any) -> str:
    """A cell as printed: dates in the US format the screens use."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else ""
    if isinstance(value, datetime):
        local = value.astimezone() if value.tzinfo is not None else value
        return local.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(printed_text(item) for item in value)
    return str(value)


def _column_widths(headers: Sequence[str], texts: Sequence[Sequence[str]], bold: str, regular: str,
                   available: float) -> list[float]:  # fmt: skip
    """Short columns get all they need; the page width left is shared by the long ones, which wrap.

    A header may wrap between words, so only its longest word sets a minimum.
    """
    natural = []
    for index, header in enumerate(headers):
        widest = max(stringWidth(word, bold, HEADER_FONT_SIZE) for word in header.split() or [""])
        for row in texts:
            widest = max(widest, stringWidth(row[index], regular, FONT_SIZE))
        natural.append(widest + 2 * CELL_PADDING + 1)
    if sum(natural) <= available:
        spare = (available - sum(natural)) / len(natural)
        return [width + spare for width in natural]
    # Columns narrower than an even share of what is left keep their width, until none is.
    widths: list[float | None] = [None] * len(natural)
    remaining = available
    while True:
        flexible = [i for i, width in enumerate(widths) if width is None]
        share = remaining / len(flexible)
        fitting = [i for i in flexible if natural[i] <= share]
        if not fitting:
            break
        for i in fitting:
            widths[i] = natural[i]
            remaining -= natural[i]
        if len(fitting) == len(flexible):
            break
    return [share if width is None else width for width in widths]


def _page_number(canvas: Canvas, number: int, total: int) -> None:
    regular, _ = register_fonts()
    canvas.setFont(regular, FONT_SIZE)
    canvas.drawRightString(PAGE_SIZE[0] - MARGIN, MARGIN / 2, f"Page {number} of {total}")


def write_list_pdf(
    path: Path | str,
    title: str,
    columns: Sequence[tuple[str, Callable[[Any], Any]]],
    rows: Iterable[Any],
    *,
    printed_by: str,
    filters: Sequence[str] = (),
    printed_at: datetime | None = None,
    total: int | None = None,
    max_rows: int = MAX_PRINTED_ROWS,
) -> int:
    """Prints up to `max_rows` rows (saying so when the list had more); returns how many."""
    regular, bold = register_fonts()
    printed_at = printed_at or clock.now()
    headers = [header for header, _ in columns]
    taken = list(islice(iter(rows), max_rows + 1))
    cut = len(taken) > max_rows
    texts = [[printed_text(get(row)) for _, get in columns] for row in taken[:max_rows]]

    available = PAGE_SIZE[0] - 2 * MARGIN
    widths = _column_widths(headers, texts, bold, regular, available)
    cell_style = ParagraphStyle("cell", fontName=regular, fontSize=FONT_SIZE,
                                leading=FONT_SIZE + 2)  # fmt: skip
    header_style = ParagraphStyle("header", parent=cell_style, fontName=bold)

    def cell(text: str, width: float) -> Any:
        # A paragraph only where the text must wrap: thousands of them would slow printing down.
        if stringWidth(text, regular, FONT_SIZE) <= width - 2 * CELL_PADDING:
            return text
        return Paragraph(escape(text), cell_style)

    header = Table([[Paragraph(escape(h), header_style) for h in headers]], colWidths=widths)
    header.setStyle(
        TableStyle(
            [
                *_CELL_STYLE,
                # Each cell sets its style's font before drawing its paragraph: Helvetica, not
                # embedded (and without the glyphs of many names), unless it is ours.
                ("FONT", (0, 0), (-1, -1), bold, FONT_SIZE),
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BACKGROUND),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
            ]
        )
    )
    page_height = PAGE_SIZE[1]
    _, header_height = header.wrap(available, page_height)

    when = printed_at.astimezone() if printed_at.tzinfo is not None else printed_at
    printed_line = f"Printed by {printed_by} on {when.strftime('%m/%d/%Y at %H:%M')}"
    shown = len(texts)
    if cut:
        of = f"{total:,}" if total is not None else "more"
        count_line = (f"The first {shown:,} of {of} rows: export the list to CSV or XLSX "
                      "for all of them.")  # fmt: skip
    else:
        count_line = f"{shown:,} row" if shown == 1 else f"{shown:,} rows"
    intro_style = ParagraphStyle("intro", parent=cell_style, fontSize=9, leading=12)
    title_style = ParagraphStyle("title", parent=cell_style, fontName=bold,
                                 fontSize=TITLE_FONT_SIZE, leading=TITLE_FONT_SIZE + 4)  # fmt: skip
    filter_text = "; ".join(filters) if filters else "none"
    intro = [
        Paragraph(escape(title), title_style),
        Paragraph(f"<b>Filters:</b> {escape(filter_text)}", intro_style),
        Paragraph(escape(f"{printed_line}. {count_line}"), intro_style),
    ]
    intro_heights = [paragraph.wrap(available, page_height)[1] for paragraph in intro]
    intro_height = sum(intro_heights) + INTRO_GAP

    def draw_top(canvas: Canvas, top: float) -> None:
        header.drawOn(canvas, MARGIN, top - header_height)
        canvas.setFont(regular, FONT_SIZE)
        canvas.drawString(MARGIN, MARGIN / 2, f"{title} — {printed_line}")

    def first_page(canvas: Canvas, _document: Any) -> None:
        canvas.saveState()
        top = page_height - MARGIN
        for paragraph, height in zip(intro, intro_heights, strict=True):
            top -= height
            paragraph.drawOn(canvas, MARGIN, top)
        draw_top(canvas, top - INTRO_GAP)
        canvas.restoreState()

    def later_page(canvas: Canvas, _document: Any) -> None:
        canvas.saveState()
        draw_top(canvas, page_height - MARGIN)
        canvas.restoreState()

    def frame(height: float, name: str) -> Frame:
        return Frame(MARGIN, MARGIN, available, height, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip

    body = page_height - 2 * MARGIN - header_height
    document = BaseDocTemplate(
        str(path),
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=printed_by,
        # Otherwise every page names Helvetica, which is not embedded, as its starting font.
        initialFontName=regular,
        initialFontSize=FONT_SIZE,
        pageTemplates=[
            PageTemplate("first", [frame(body - intro_height, "first")], onPage=first_page,
                         autoNextPageTemplate="later"),
            PageTemplate("later", [frame(body, "later")], onPage=later_page),
        ],
    )  # fmt: skip
    # Short tables, one after the other: splitting one long table at every page end costs time in
    # proportion to the rows left, which makes ten thousand rows take half a minute.
    rows_style = TableStyle(
        [
            *_CELL_STYLE,
            ("FONT", (0, 0), (-1, -1), regular, FONT_SIZE),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, _GRID),
        ]
    )
    story = []
    for start in range(0, len(texts), ROWS_PER_TABLE):
        chunk = [
            [cell(text, widths[i]) for i, text in enumerate(row)]
            for row in texts[start : start + ROWS_PER_TABLE]
        ]
        table = Table(chunk, colWidths=widths)
        table.setStyle(rows_style)
        story.append(table)
    if not story:
        story.append(Spacer(1, 1))
    document.build(story, canvasmaker=canvas_maker(_page_number))
    return shown
