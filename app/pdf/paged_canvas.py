"""A reportlab canvas whose pages wait until the last one, so a footer can say 'Page 2 of 3'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas

# Draws a page's footer: (canvas, page number, number of pages).
Footer = Callable[[Canvas, int, int], None]


class PagedCanvas(Canvas):
    """Holds each page back until the last, then draws every footer knowing the count."""

    def __init__(self, *args: Any, footer: Footer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(self, number, total)
            super().showPage()
        super().save()


def canvas_maker(footer: Footer) -> Callable[..., PagedCanvas]:
    """What a document's build() takes as `canvasmaker`: a PagedCanvas with this footer. (The
    document passes its own settings on, the initial font among them: set that on the document.)"""

    def make(*args: Any, **kwargs: Any) -> PagedCanvas:
        return PagedCanvas(*args, footer=footer, **kwargs)

    return make
