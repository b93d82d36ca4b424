"""One compact activity (Discretionary Retake, Transfer Request, ...) printed as a letter-size form in
the layout ICOTS users know, from plain data to PDF bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.pdf.fonts import register_fonts
from app.pdf.list_report import CELL_PADDING, printed_text
from app.pdf.paged_canvas import canvas_maker


@dataclass(frozen=True)
class CheckBox:
    """A box drawn ticked or empty: a form field would not show in the in-app preview."""

    label: str
    checked: bool


@dataclass(frozen=True)
class ActivityDocument:
    """What one printed activity shows, as text already worded for the reader.

    States by name, `date` printed MM/DD/YYYY; `office_lines` are the compact office's details that
    print on every form; `offender` and each section's rows are (label, value) pairs, a value may
    hold line breaks and run onto the next pages. `copy_label` ('Copy as transmitted ...',
    'REGENERATED FROM CURRENT DATA ...') and `status_line` head every page when not empty;
    `notice` is a disclaimer printed in a box after the sections.
    """

    title: str
    activity_number: str
    case_number: str
    to_state: str
    from_state: str
    date: date | None
    supervision: tuple[CheckBox, ...]
    case_flags: tuple[CheckBox, ...]
    phone: str
    fax: str
    office_lines: tuple[str, ...] = ()
    offender: tuple[tuple[str, str], ...] = ()
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    copy_label: str = ""
    notice: str | None = None
    status_line: str = ""


COMMISSION = "Interstate Commission for Adult Offender Supervision"
OFFENDER_BAND = "OFFENDER INFORMATION"
PAGE_SIZE = letter
MARGIN = 0.5 * inch
WIDTH = PAGE_SIZE[0] - 2 * MARGIN
FONT_SIZE = 8
LEADING = 10
SMALL_SIZE = 7
COMMISSION_SIZE = 9
TITLE_SIZE = 13
# Below this a long title ('Request for Reporting Instructions Reply') wraps instead of shrinking.
MIN_TITLE_SIZE = 10
BANNER_SIZE = 9
BAND_HEIGHT = 13
BANNER_HEIGHT = 18
BANNER_LINE = 11
RUNNING_HEADER_HEIGHT = 18
# The footer sits inside the bottom margin, its lowest line still clear of a printer's dead zone.
FOOTER_HEIGHT = 16
SECTION_GAP = 6
# The sections' labels share one column, as wide as the widest label within these bounds; a longer
# label gets a line of its own above its value.
MIN_LABEL_WIDTH = 110
MAX_LABEL_WIDTH = 210
LABEL_GAP = 8
# To, Date, Type of supervision, Is this case; From, Phone and Fax reuse them with a span.
HEADER_COLUMNS = (125, 95, 135, WIDTH - 355)
OFFENDER_COLUMNS = (80, WIDTH / 2 - 80, 80, WIDTH / 2 - 80)
TICK = "\u2714"
_BAND = colors.HexColor("#D9D9D9")
_GRID = colors.HexColor("#BBBBBB")
_BANNER = colors.HexColor("#FFF2CC")
_NOTICE = colors.HexColor("#F2F2F2")
_PADDING = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
]


@dataclass(frozen=True)
class _Run:
    text: str
    bold: bool = False


class _Inline(Flowable):
    """Bold and regular words and check boxes that wrap between them: a Paragraph cannot draw a box,
    and parsing its markup would cost more than laying out a dozen words."""

    def __init__(self, items: Sequence[_Run | CheckBox], size: float = FONT_SIZE,
                 caption: bool = False):  # fmt: skip
        """With `caption`, the first run is the caption of the boxes that follow it: when they do
        not all fit beside it, they start on the next line rather than half of them."""
        super().__init__()
        self._items = items
        self._size = size
        self._caption = caption
        self._leading = size * 1.25
        self._box = size * 0.8
        self._laid_out_for: float | None = None
        # Per line: (x, text, bold) runs of text and (x, checked) boxes.
        self._lines: list[tuple[list[tuple[float, str, bool]], list[tuple[float, bool]]]] = []

    def _tokens(self) -> list[tuple[float, float, list[tuple[float, str, bool]], list[bool]]]:
        """(gap before, width, texts at offsets, boxes at offset 0): words, and boxes glued to
        their labels so that a box never ends a line without its word."""
        regular, bold = register_fonts()
        space = stringWidth(" ", regular, self._size)
        tokens = []
        for item in self._items:
            if isinstance(item, CheckBox):
                label_x = self._box + self._size * 0.3
                width = label_x + stringWidth(item.label, regular, self._size)
                gap = space * 2.5 if tokens else 0.0
                tokens.append((gap, width, [(label_x, item.label, False)], [item.checked]))
                continue
            font = bold if item.bold else regular
            for word in item.text.split():
                gap = space if tokens else 0.0
                width = stringWidth(word, font, self._size)
                tokens.append((gap, width, [(0.0, word, item.bold)], []))
        return tokens

    def _lay_out(self, width: float) -> None:
        if self._laid_out_for == width:
            return
        lines: list[tuple[list[tuple[float, str, bool]], list[tuple[float, bool]]]] = []
        texts: list[tuple[float, str, bool]] = []
        boxes: list[tuple[float, bool]] = []
        x = 0.0
        tokens = self._tokens()
        caption_end = -1
        if self._caption and sum(gap + token_width for gap, token_width, _, _ in tokens) > width:
            first = self._items[0]
            caption_end = len(first.text.split()) if isinstance(first, _Run) else -1
        for index, (gap, token_width, token_texts, token_boxes) in enumerate(tokens):
            if texts and (index == caption_end or x + gap + token_width > width):
                lines.append((texts, boxes))
                texts, boxes, x, gap = [], [], 0.0, 0.0
            start = x + gap if texts else 0.0
            for offset, text, bold in token_texts:
                # Words of one face that follow each other are drawn as one string: fewer
                # operators, and text extraction gives back 'Victim sensitive', not two words.
                last = texts[-1] if texts else None
                if last and last[2] == bold and not token_boxes and offset == 0.0:
                    texts[-1] = (last[0], f"{last[1]} {text}", bold)
                else:
                    texts.append((start + offset, text, bold))
            boxes.extend((start, checked) for checked in token_boxes)
            x = start + token_width
        if texts:
            lines.append((texts, boxes))
        self._lines = lines
        self._laid_out_for = width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._lay_out(availWidth)
        self.width = availWidth
        self.height = max(1, len(self._lines)) * self._leading
        return self.width, self.height

    def draw(self) -> None:
        regular, bold = register_fonts()
        canvas = self.canv
        size, box = self._size, self._box
        canvas.setLineWidth(0.6)
        for number, (texts, boxes) in enumerate(self._lines):
            baseline = self.height - number * self._leading - size * 0.97
            for x, text, is_bold in texts:
                canvas.setFont(bold if is_bold else regular, size)
                canvas.drawString(x, baseline, text)
            for x, checked in boxes:
                canvas.rect(x, baseline - size * 0.08, box, box, stroke=1, fill=0)
                if checked:
                    tick = box * 1.05
                    canvas.setFont(regular, tick)
                    tick_x = x + (box - stringWidth(TICK, regular, tick)) / 2
                    canvas.drawString(tick_x, baseline + size * 0.02, TICK)


class _Band(Flowable):
    """A shaded band across the page with a section's title; never left alone at a page's foot."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text
        self.keepWithNext = 1

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, BAND_HEIGHT

    def draw(self) -> None:
        _, bold = register_fonts()
        canvas = self.canv
        canvas.setFillColor(_BAND)
        canvas.rect(0, 0, self.width, BAND_HEIGHT, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setFont(bold, FONT_SIZE + 0.5)
        canvas.drawString(CELL_PADDING + 1, 3.5, self._text)


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size up to `size` at which the text fits the width, but not below `smallest`."""
    natural = stringWidth(text, font, size)
    if natural <= width:
        return size
    return max(smallest, size * width / natural)


def _cut(text: str, font: str, size: float, width: float) -> str:
    """The text, shortened with an ellipsis where it would run past the width."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _labelled(label: str, value: str) -> _Inline:
    return _Inline([_Run(label, bold=True), _Run(value)])


def _header(document: ActivityDocument, regular: str, bold: str) -> list[Flowable]:
    """The commission and the title, then To / Date / supervision / flags and From / Phone / Fax."""
    left = stringWidth(COMMISSION, bold, COMMISSION_SIZE) + 2 * CELL_PADDING + 2
    room = WIDTH - left - 2 * CELL_PADDING
    size = _fit(document.title, bold, TITLE_SIZE, room, MIN_TITLE_SIZE)
    title: Any = document.title
    if stringWidth(document.title, bold, size) > room:
        style = ParagraphStyle("title", fontName=bold, fontSize=size, leading=size * 1.2,
                               alignment=TA_RIGHT)  # fmt: skip
        title = Paragraph(escape(document.title), style)
    top = Table([[COMMISSION, title]], colWidths=[left, WIDTH - left])
    top.setStyle(
        TableStyle(
            [
                *_PADDING,
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONT", (0, 0), (0, 0), bold, COMMISSION_SIZE),
                ("FONT", (1, 0), (1, 0), bold, size),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("BOX", (0, 0), (-1, -1), 0.75, colors.black),
            ]
        )
    )
    rows = Table(
        [
            [
                _labelled("To:", document.to_state),
                _labelled("Date:", printed_text(document.date)),
                _Inline(
                    [_Run("Type of supervision:", bold=True), *document.supervision], caption=True
                ),
                _Inline([_Run("Is this case:", bold=True), *document.case_flags], caption=True),
            ],
            [
                _labelled("From:", document.from_state),
                _labelled("Phone #:", document.phone),
                "",
                _labelled("Fax #:", document.fax),
            ],
        ],
        colWidths=list(HEADER_COLUMNS),
    )
    rows.setStyle(
        TableStyle(
            [
                *_PADDING,
                # Even the empty cell under the span sets a font: Helvetica, not embedded, if not this.
                ("FONT", (0, 0), (-1, -1), regular, FONT_SIZE),
                ("SPAN", (1, 1), (2, 1)),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BOX", (0, 0), (-1, -1), 0.75, colors.black),
            ]
        )
    )
    header: list[Flowable] = [top, rows]
    if document.office_lines:
        header.append(Spacer(1, 3))
        header += [_Inline([_Run(line)], size=SMALL_SIZE) for line in document.office_lines]
    return header


def _offender(pairs: Sequence[tuple[str, str]], regular: str, bold: str) -> list[Flowable]:
    """The offender's details two to a row: label, value, label, value."""
    if not pairs:
        return []
    label_style = ParagraphStyle("label", fontName=bold, fontSize=FONT_SIZE, leading=LEADING)
    value_style = ParagraphStyle("value", fontName=regular, fontSize=FONT_SIZE, leading=LEADING)

    def cell(text: str, width: float, font: str, style: ParagraphStyle) -> Any:
        # A paragraph only where the text must wrap: most of these are a few characters.
        if "\n" not in text and stringWidth(text, font, FONT_SIZE) <= width - 2 * CELL_PADDING:
            return text
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    cells = []
    for index, (label, value) in enumerate(pairs):
        column = 2 * (index % 2)
        cells.append(cell(label, OFFENDER_COLUMNS[column], bold, label_style))
        cells.append(cell(value, OFFENDER_COLUMNS[column + 1], regular, value_style))
    if len(pairs) % 2:
        cells += ["", ""]
    table = Table([cells[start : start + 4] for start in range(0, len(cells), 4)],
                  colWidths=list(OFFENDER_COLUMNS))  # fmt: skip
    table.setStyle(
        TableStyle(
            [
                *_PADDING,
                ("FONT", (0, 0), (-1, -1), regular, FONT_SIZE, LEADING),
                ("FONT", (0, 0), (0, -1), bold, FONT_SIZE, LEADING),
                ("FONT", (2, 0), (2, -1), bold, FONT_SIZE, LEADING),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, _GRID),
            ]
        )
    )
    return [table]


def _label_width(sections: Sequence[tuple[str, Sequence[tuple[str, str]]]], bold: str) -> float:
    """The widest label that fits the bounds sets the column; one past them goes on its own line
    and must not push every value to the right."""
    extra = 2 * CELL_PADDING + LABEL_GAP
    widths = (
        stringWidth(label, bold, FONT_SIZE) + extra for _, rows in sections for label, _ in rows
    )
    widest = max((width for width in widths if width <= MAX_LABEL_WIDTH), default=0.0)
    return max(MIN_LABEL_WIDTH, widest)


def _section(title: str, rows: Sequence[tuple[str, str]], styles: dict[str, ParagraphStyle],
             label_width: float, bold: str) -> list[Flowable]:  # fmt: skip
    """A band, then each label beside its value; a value is paragraphs rather than a table cell,
    so that a long account flows onto the next page instead of being cut at the cell."""
    flowables: list[Flowable] = [Spacer(1, SECTION_GAP), _Band(title.upper())]
    for label, value in rows:
        lines = value.split("\n") if value else [""]
        fits = stringWidth(label, bold, FONT_SIZE) <= label_width - 2 * CELL_PADDING - LABEL_GAP
        if not fits:
            flowables.append(Paragraph(escape(label), styles["long label"]))
        for number, line in enumerate(lines):
            text = escape(line.strip()) or "&nbsp;"
            first = number == 0
            if first and fits:
                flowables.append(Paragraph(text, styles["first"], bulletText=label))
            else:
                flowables.append(Paragraph(text, styles["first" if first else "more"]))
        flowables.append(_Rule())
    return flowables


class _Rule(Flowable):
    """A hairline under each label and value, as between a form's rows."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, 2

    def draw(self) -> None:
        self.canv.setStrokeColor(_GRID)
        self.canv.setLineWidth(0.25)
        self.canv.line(0, 0.5, self.width, 0.5)


def _styles(regular: str, bold: str, indent: float) -> dict[str, ParagraphStyle]:
    first = ParagraphStyle("first", fontName=regular, fontSize=FONT_SIZE, leading=LEADING,
                           leftIndent=indent, bulletIndent=CELL_PADDING, bulletFontName=bold,
                           bulletFontSize=FONT_SIZE, spaceBefore=2)  # fmt: skip
    return {
        "first": first,
        "more": ParagraphStyle("more", parent=first, spaceBefore=0),
        "long label": ParagraphStyle(
            "long label", parent=first, fontName=bold, leftIndent=CELL_PADDING, spaceBefore=2
        ),  # fmt: skip
        # The border is drawn outside the text by its padding: indents keep it inside the margins.
        "notice": ParagraphStyle(
            "notice",
            fontName=regular,
            fontSize=SMALL_SIZE + 0.5,
            leading=SMALL_SIZE + 2.5,
            borderWidth=0.75,
            borderColor=colors.black,
            borderPadding=5,
            backColor=_NOTICE,
            leftIndent=5,
            rightIndent=5,
            spaceBefore=14,
        ),  # fmt: skip
    }


def _story(document: ActivityDocument) -> list[Flowable]:
    regular, bold = register_fonts()
    label_width = _label_width(document.sections, bold)
    styles = _styles(regular, bold, label_width)
    story = _header(document, regular, bold)
    story += [Spacer(1, SECTION_GAP), _Band(OFFENDER_BAND)]
    story += _offender(document.offender, regular, bold)
    for title, rows in document.sections:
        story += _section(title, rows, styles, label_width, bold)
    if document.notice:
        story.append(Paragraph(escape(document.notice), styles["notice"]))
    return story


def _banner_lines(document: ActivityDocument, bold: str) -> list[str]:
    """The copy label and the status on one line, or on two where one would need a small size."""
    parts = [part for part in (document.copy_label, document.status_line) if part]
    joined = " — ".join(parts)
    if len(parts) < 2 or stringWidth(joined, bold, BANNER_SIZE) <= WIDTH - 8:
        return [joined] if joined else []
    return parts


def render_activity(document: ActivityDocument, *, invariant: bool = False) -> bytes:
    """The form as PDF bytes; `invariant` leaves out the creation time and file id, for tests."""
    regular, bold = register_fonts()
    page_width, page_height = PAGE_SIZE
    banner_lines = _banner_lines(document, bold)
    banner = " — ".join(banner_lines)
    banner_height = BANNER_HEIGHT + (len(banner_lines) - 1) * BANNER_LINE if banner_lines else 0
    top = page_height - MARGIN - (banner_height + 4 if banner_lines else 0)
    bottom = MARGIN + FOOTER_HEIGHT

    def draw_banner(canvas: Canvas) -> None:
        # A copy's provenance at the top of every page, where a reader cannot miss it.
        if not banner_lines:
            return
        y = page_height - MARGIN - banner_height
        canvas.setFillColor(_BANNER)
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(1)
        canvas.rect(MARGIN, y, WIDTH, banner_height, stroke=1, fill=1)
        canvas.setFillColor(colors.black)
        baseline = y + banner_height - (BANNER_HEIGHT + BANNER_SIZE * 0.7) / 2
        for line in banner_lines:
            size = _fit(line, bold, BANNER_SIZE, WIDTH - 8, 5)
            canvas.setFont(bold, size)
            canvas.drawCentredString(page_width / 2, baseline, line)
            baseline -= BANNER_LINE

    def first_page(canvas: Canvas, _template: Any) -> None:
        canvas.saveState()
        draw_banner(canvas)
        canvas.restoreState()

    def later_page(canvas: Canvas, _template: Any) -> None:
        canvas.saveState()
        draw_banner(canvas)
        # Enough of the header that a loose page is known for what it is.
        baseline = top - RUNNING_HEADER_HEIGHT + 7
        canvas.setFont(bold, FONT_SIZE)
        canvas.drawString(MARGIN, baseline, COMMISSION)
        title = f"{document.title} (continued)"
        room = WIDTH - stringWidth(COMMISSION, bold, FONT_SIZE) - 12
        canvas.drawRightString(MARGIN + WIDTH, baseline, _cut(title, bold, FONT_SIZE, room))
        canvas.setLineWidth(0.75)
        canvas.line(MARGIN, baseline - 4, MARGIN + WIDTH, baseline - 4)
        canvas.restoreState()

    identity = "   ".join(
        text
        for text in (
            f"Activity # {document.activity_number}" if document.activity_number else "",
            f"Case # {document.case_number}" if document.case_number else "",
        )
        if text
    )

    def footer(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, bottom - 4, MARGIN + WIDTH, bottom - 4)
        canvas.setFillColor(colors.black)
        page = f"Page {number} of {total}"
        canvas.setFont(bold, FONT_SIZE)
        canvas.drawRightString(MARGIN + WIDTH, bottom - 13, page)
        room = WIDTH - stringWidth(page, bold, FONT_SIZE) - 12
        canvas.drawString(MARGIN, bottom - 13, _cut(identity, bold, FONT_SIZE, room))
        if banner:
            canvas.setFont(regular, SMALL_SIZE)
            canvas.drawString(MARGIN, bottom - 22, _cut(banner, regular, SMALL_SIZE, WIDTH))
        canvas.restoreState()

    def frame(height: float, name: str) -> Frame:
        return Frame(MARGIN, bottom, WIDTH, height, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip

    output = BytesIO()
    template = BaseDocTemplate(
        output,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=" ".join(part for part in (document.title, document.activity_number) if part),
        subject=f"Case {document.case_number}" if document.case_number else "",
        creator="Compact Office",
        invariant=1 if invariant else 0,
        # Otherwise every page names Helvetica, which is not embedded, as its starting font.
        initialFontName=regular,
        initialFontSize=FONT_SIZE,
        pageTemplates=[
            PageTemplate("first", [frame(top - bottom, "first")], onPage=first_page,
                         autoNextPageTemplate="later"),
            PageTemplate("later", [frame(top - RUNNING_HEADER_HEIGHT - 4 - bottom, "later")],
                         onPage=later_page),
        ],
    )  # fmt: skip
    template.build(
        _story(document),
        canvasmaker=canvas_maker(footer),
    )
    return output.getvalue()


def write_activity(document: ActivityDocument, path: Path, *, invariant: bool = False) -> None:
    """Saves the form; the file is written only once the whole PDF is made."""
    Path(path).write_bytes(render_activity(document, invariant=invariant))
