"""A printed briefing: a cover page, then one page per chapter, as a PDF.

Qt's QPdfWriter lays the pages out; the page's own words (titles, captions,
sources, page numbers) are drawn as PDF text, so they can be searched and
selected. Maps, and the legend beside them, are images from the one MapRenderer
at print resolution, with their scale bar, north arrow and "as of" date. The
file is written under a temporary name and renamed when complete, so a failure
leaves no partial PDF.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, Qt, QTextBoundaryFinder
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter

from viewer import __version__
from viewer.export.files import atomic_target, check_target, write_error
from viewer.export.options import Cancelled, ExportError, Progress, stop_if
from viewer.export.pack import citation
from viewer.model.briefing import NO_SOURCES, Briefing, Chapter
from viewer.model.dataset import Dataset
from viewer.model.dates import NO_DAY, format_date, from_day
from viewer.model.text import isolated
from viewer.model.unknowns import current_to_mark
from viewer.render import style
from viewer.render.overlay import Decorations, Legend, LegendContent, date_label
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView

PAPERS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
RESOLUTION = 300          # dots per inch of the page coordinates and of the map images
MAP_TEXT_DPI = 110        # the map's legend and labels print as on a screen of this density
MARGIN_MM = 14
MAP_ASPECT = 0.64         # map height / width on a chapter page, when the text leaves room
MIN_MAP_ASPECT = 0.42     # the shortest map, for long captions and many sources
LEGEND_MM = 62            # height the legend needs beside the caption at a readable size
# The legend draws its text at 13 px per unit of scale: 10 pt down to 6.5 pt.
LEGEND_SCALES = tuple(points * RESOLUTION / 72 / 13 for points in (10, 8.5, 7.5, 6.5))
SMALLEST_MAP_MM = 30      # below MIN_MAP_ASPECT only when the legend leaves no other room
TEXT_SHARE = 0.6          # of the width under the map: caption and its sources; the rest: legend
# The page prints the title, the legend and the sources beside the map; the map keeps
# its date, scale bar and north arrow.
MAP_DECORATIONS = Decorations(title=False, footer=False, legend=False)
GREY = QColor("#555555")
INK = QColor("#1e1e1e")


def data_current_to(dataset: Dataset) -> str:
    """"Data current to D", as the file states it (and as its maps are marked past D);
    else its latest fact, named as such: a day the file does not state is not claimed
    as its own, nor would any map be marked after it."""
    if dataset.data_current_to is not None:
        return f"Data current to {format_date(dataset.data_current_to)}"
    days = [dataset.control_index.starts.max(initial=NO_DAY),
            dataset.flow_index.starts.max(initial=NO_DAY), dataset.event_days.max(initial=NO_DAY)]
    latest = max(days)
    day = from_day(int(latest)) if latest != NO_DAY else dataset.last_day
    return f"Latest fact {format_date(day)} (the file states no date its data is current to)"


def chapter_view(renderer: MapRenderer, chapter: Chapter, width: int, height: int,
                 decorations: Decorations, ui_scale: float = 1.0,
                 insets: tuple[float, float, float, float] = (0, 0, 0, 0)) -> MapView:
    """The view a chapter shows on a `width` x `height` surface; a chapter's own
    extent is fitted inside `insets` (left, top, right, bottom pixels kept for panels)."""
    if chapter.extent is None:
        return renderer.default_view(width, height, ui_scale, decorations)
    return MapView.fit(renderer.extent_from_lonlat(*chapter.extent), width, height, ui_scale,
                       insets)


def export_handout(dataset: Dataset, briefing: Briefing, path: str | os.PathLike,
                   paper: str = "a4", *, overwrite: bool = False,
                   progress: Progress | None = None, cancelled: Cancelled | None = None,
                   renderer: MapRenderer | None = None) -> Path:
    """Write the briefing as a PDF handout at `path`; returns the path."""
    path = Path(path)
    if paper not in PAPERS:
        raise ExportError(f"paper '{paper}' is not one of {', '.join(PAPERS)}")
    if not briefing.chapters:
        raise ExportError(f"briefing '{briefing.briefing_id}' has no chapters")
    check_target(path, overwrite)
    renderer = renderer or MapRenderer(dataset)
    report = progress or (lambda _text, _fraction: None)
    total = len(briefing.chapters) + 1
    # Made in memory, then written by Python: Qt's PDF writer says nothing when the disk
    # fills, and a truncated handout was left with "done".
    pdf = QBuffer()
    pdf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = _writer(pdf, paper, dataset, briefing)
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"could not write {path}")
    try:
        sheet = _Sheet(painter, writer, dataset, total)
        _cover(sheet, dataset, briefing)
        for number, chapter in enumerate(briefing.chapters, 2):
            stop_if(cancelled)
            report(f"Page {number} of {total}: {chapter.title}", (number - 1) / total)
            writer.newPage()
            _chapter_page(sheet, renderer, briefing, chapter, number)
    finally:
        ended = painter.end()
    if not ended or pdf.size() == 0:
        raise ExportError(f"could not write {path}")
    data = pdf.data().data()
    with atomic_target(path) as temporary:
        try:
            temporary.write_bytes(data)
        except OSError as error:
            raise write_error(path, error, len(data)) from None
    report("Done", 1.0)
    return path


def _writer(device: QBuffer, paper: str, dataset: Dataset, briefing: Briefing) -> QPdfWriter:
    writer = QPdfWriter(device)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(PAPERS[paper]), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(f"{dataset.title} — {briefing.title}")
    writer.setCreator(f"Kachin Viewer {__version__}")
    return writer


class _Sheet:
    """The printable area of a page and the writing helpers every page uses."""

    def __init__(self, painter: QPainter, writer: QPdfWriter, dataset: Dataset, total: int) -> None:
        self.painter = painter
        self.dataset = dataset
        self.total = total
        self.area = QRectF(writer.pageLayout().paintRectPixels(RESOLUTION))
        self.area.moveTo(0, 0)  # the painter's origin is the printable area's corner
        self.current_to = data_current_to(dataset)

    @staticmethod
    def font(points: float, bold: bool = False, italic: bool = False) -> QFont:
        font = style.font(points * RESOLUTION / 72, bold, italic)
        # No ligatures: PDF text extraction would turn "fi" into one glyph (U+FB01),
        # and a search for "briefing" would miss it.
        for tag in ("liga", "clig"):
            font.setFeature(QFont.Tag(tag), 0)
        return font

    def mm(self, value: float) -> float:
        return value / 25.4 * RESOLUTION

    def height_of(self, text: str, font: QFont, width: float) -> float:
        flags = int(Qt.TextFlag.TextWordWrap)
        return QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 1e6), flags, text).height()

    def write(self, top: float, text: str, font: QFont, color: QColor = INK,
              gap_mm: float = 2.0, column: tuple[float, float] | None = None) -> float:
        """Draw wrapped plain text from `top` across the page, or across `column`
        (left, width); returns the next free top."""
        if not text:
            return top
        left, width = column or (self.area.left(), self.area.width())
        height = self.height_of(text, font, width)
        self.painter.setFont(font)
        self.painter.setPen(color)
        self.painter.drawText(QRectF(left, top, width, height),
                              int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), text)
        return top + height + self.mm(gap_mm)

    def footer(self, number: int) -> None:
        font = self.font(8)
        height = QFontMetricsF(font).height()
        box = QRectF(self.area.left(), self.area.bottom() - height, self.area.width(), height)
        self.painter.setFont(font)
        self.painter.setPen(GREY)
        left = f"{isolated(self.dataset.title)} · {self.current_to}"
        self.painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft), left)
        self.painter.drawText(box, int(Qt.AlignmentFlag.AlignRight), f"Page {number} of {self.total}")

    @property
    def footer_top(self) -> float:
        return self.area.bottom() - QFontMetricsF(self.font(8)).height() - self.mm(3)


def _cover(sheet: _Sheet, dataset: Dataset, briefing: Briefing) -> None:
    top = sheet.area.top() + sheet.mm(30)
    top = sheet.write(top, dataset.title, sheet.font(24, bold=True), gap_mm=3)
    top = sheet.write(top, dataset.meta.get("subtitle", ""), sheet.font(13), GREY, gap_mm=10)
    top = sheet.write(top, f"Briefing: {briefing.title}", sheet.font(16, bold=True))
    days = [chapter.date for chapter in briefing.chapters]   # in the briefing's order, not by date
    top = sheet.write(top, f"{len(briefing.chapters)} chapters, {format_date(min(days))} "
                           f"to {format_date(max(days))}", sheet.font(11), GREY)
    top = sheet.write(top, sheet.current_to,
                      sheet.font(12, bold=True), gap_mm=8)
    # Each chapter's date as its page heads it: past the latest fact the contents said
    # only "1 Sep 2026" while the page said the map is the last known state.
    contents = "\n".join(f"{n}.  {isolated(c.title)} — {date_label(c.date, dataset.beyond_data(c.date))}"
                         f" (page {n + 1})" for n, c in enumerate(briefing.chapters, 1))
    top = sheet.write(top, "Contents", sheet.font(11, bold=True), gap_mm=1)
    top = sheet.write(top, contents, sheet.font(10), gap_mm=10)
    meta = dataset.meta
    top = sheet.write(top, f"Licence: {meta['license']}" if meta.get("license") else "",
                      sheet.font(9), GREY)
    top = sheet.write(top, meta.get("attribution", ""), sheet.font(9), GREY)
    name = dataset.path.name if dataset.path else dataset.title
    sheet.write(top, f"Dataset {name} (SHA-256 {dataset.sha256[:16]}…) · "
                     f"Kachin Viewer {__version__}", sheet.font(8), GREY)
    sheet.footer(1)


def _chapter_page(sheet: _Sheet, renderer: MapRenderer, briefing: Briefing, chapter: Chapter,
                  number: int) -> None:
    """Title and date, the map across the page, then the caption and its sources
    beside the legend, then the sources of everything the map shows."""
    area = sheet.area
    top = sheet.write(area.top(), f"{isolated(briefing.title)} · chapter {number - 1} of {sheet.total - 1}",
                      sheet.font(8), GREY, gap_mm=1)
    top = sheet.write(top, chapter.title, sheet.font(17, bold=True), gap_mm=1)
    dataset = renderer.dataset
    beyond = dataset.beyond_data(chapter.date)   # past the latest fact: said, in amber
    top = sheet.write(top, date_label(chapter.date, beyond) + (f" · {current_to_mark(dataset, chapter.date)}"
                                                               if beyond else ""),
                      sheet.font(11, bold=beyond), style.CURRENT_TO if beyond else GREY, gap_mm=2)
    text_width = area.width() * TEXT_SHARE
    column = (area.left(), text_width - sheet.mm(5))
    map_box = QRectF(area.left(), top, area.width(),
                     _map_height(sheet, renderer, chapter, top, column[1]))
    view = _draw_map(sheet.painter, renderer, chapter, map_box)
    top = map_box.bottom() + sheet.mm(4)
    records = _map_source_records(sheet, renderer, chapter, view)   # the sources below the text
    caption = _fitted_caption(sheet, chapter, records, top, column[1])
    text_bottom = sheet.write(top, caption, sheet.font(10.5), gap_mm=3, column=column)
    text_bottom = _cited_sources(sheet, chapter, text_bottom, column)
    # The legend takes the height of the text beside it (at least LEGEND_MM), so the
    # map's sources below keep the room _map_height left them.
    legend_box = QRectF(area.left() + text_width, top, area.width() - text_width,
                        max(text_bottom - top, sheet.mm(LEGEND_MM)))
    legend_bottom = draw_legend(sheet.painter, renderer.legend_content(
        view, chapter.date, chapter.layer_visibility()), legend_box, LEGEND_SCALES)
    _map_sources(sheet, records, max(text_bottom, legend_bottom) + sheet.mm(3))
    sheet.footer(number)


def _map_height(sheet: _Sheet, renderer: MapRenderer, chapter: Chapter, top: float,
                text_width: float) -> float:
    """As tall as MAP_ASPECT allows, made shorter (down to MIN_MAP_ASPECT) when the
    caption, its sources and every source behind the map would not fit below it."""
    width = sheet.area.width()
    tallest = width * MAP_ASPECT
    ratio = RESOLUTION / MAP_TEXT_DPI
    view = chapter_view(renderer, chapter, round(width / ratio), round(tallest / ratio),
                        MAP_DECORATIONS)
    cited = sheet.dataset.source_records(";".join(chapter.source_ids))
    text = (sheet.height_of(chapter.caption, sheet.font(10.5), text_width) + sheet.mm(3)
            + sheet.height_of("\n".join(citation(r, with_url=True) for r in cited),
                              sheet.font(7.5), text_width) + sheet.mm(8))
    # Beside the text, the legend as draw_legend lays it out: at its smallest size it is
    # taller than LEGEND_MM, and the list below it was pushed over the footer.
    legend_box = QRectF(0, 0, width * (1 - TEXT_SHARE), max(text, sheet.mm(LEGEND_MM)))
    legend = _fitting_legend(renderer.legend_content(view, chapter.date, chapter.layer_visibility()),
                            legend_box, LEGEND_SCALES)
    beside = max(legend_box.height(), legend.height if legend else 0)
    records = _map_source_records(sheet, renderer, chapter, view)
    sources = sheet.height_of(_grouped(records), sheet.font(6.5), width) + sheet.mm(8)
    room = sheet.footer_top - top - sheet.mm(7) - beside
    # Shorter than MIN_MAP_ASPECT only as far as the list's shortest form needs (a
    # legend of hundreds of actors may leave no room: the map is then kept at SMALLEST_MAP_MM).
    shortest = sheet.height_of(_last_resort(records), sheet.font(6.0), width) + sheet.mm(8)
    return min(tallest, max(room - sources, min(width * MIN_MAP_ASPECT, room - shortest),
                            sheet.mm(SMALLEST_MAP_MM)))


def _fitted_caption(sheet: _Sheet, chapter: Chapter, records: list[dict], top: float,
                    width: float) -> str:
    """The caption, cut (`cut_to_fit`) with a note where it would push its sources and the
    map's off the page (the map is at its shortest already): the sources are kept
    whole, the caption is in the dataset in full."""
    font = sheet.font(10.5)
    cited = sheet.dataset.source_records(";".join(chapter.source_ids))
    below = (sheet.height_of("Sources for this chapter\n" + "\n".join(citation(r, with_url=True) for r in cited),
                             sheet.font(7.5), width) if cited else 0) + sheet.mm(5)
    if records:
        below += sheet.height_of(_grouped(records), sheet.font(6.0), sheet.area.width()) + sheet.mm(9)
    room = sheet.footer_top - top - below
    caption = chapter.caption
    if sheet.height_of(caption, font, width) <= room:
        return caption
    note = f" … (cut here to fit the page; chapter {chapter.chapter_id} holds the whole caption)"
    return cut_to_fit(caption, note, lambda text: sheet.height_of(text, font, width) <= room)


def cut_to_fit(text: str, note: str, fits: Callable[[str], bool]) -> str:
    """The longest start of `text` that `fits` with `note` after it, cut where a line may
    break (between words; in Chinese or Japanese between most characters), else between
    characters: split at spaces, a caption without any was cut down to the note alone."""
    for kind in (QTextBoundaryFinder.BoundaryType.Line, QTextBoundaryFinder.BoundaryType.Grapheme):
        if cut := _longest_start(text, _boundaries(text, kind), note, fits):
            return cut
    return note.lstrip()


def cut_at_sentence(text: str, note: str, fits: Callable[[str], bool]) -> str:
    """The most whole sentences (or clauses, ended by ';' or ':') of `text` that `fits`
    with `note` after them, else the note alone: cut between words, a caption ended
    "near Pangwa on 15 …", a fact without its date."""
    ends = set(_boundaries(text, QTextBoundaryFinder.BoundaryType.Sentence))
    ends.update(match.end() for match in re.finditer(r"[;:](?=\s)", text))
    return _longest_start(text, sorted(ends), note, fits) or note.lstrip()


def _longest_start(text: str, cuts: list[int], note: str, fits: Callable[[str], bool]) -> str:
    """`text` up to the last of `cuts` that `fits` with `note` after it; empty if none does."""
    low, high = 0, len(cuts)       # the most pieces that fit with the note
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:cuts[middle - 1]].rstrip() + note):
            low = middle
        else:
            high = middle - 1
    return text[:cuts[low - 1]].rstrip() + note if low else ""


def _boundaries(text: str, kind: QTextBoundaryFinder.BoundaryType) -> list[int]:
    """The positions after the first where `text` may be cut, in order."""
    finder, cuts = QTextBoundaryFinder(kind, text), []
    while (position := finder.toNextBoundary()) != -1:
        cuts.append(position)
    return cuts


def _draw_map(painter: QPainter, renderer: MapRenderer, chapter: Chapter, box: QRectF) -> MapView:
    ratio = RESOLUTION / MAP_TEXT_DPI
    view = chapter_view(renderer, chapter, round(box.width() / ratio), round(box.height() / ratio),
                        MAP_DECORATIONS)
    image = renderer.render_image(view, chapter.date, chapter.layer_visibility(), None,
                                  MAP_DECORATIONS, pixel_ratio=ratio)
    painter.drawImage(box, image)
    painter.setPen(GREY)
    painter.drawRect(box)
    return view


def draw_legend(painter: QPainter, content: LegendContent, box: QRectF,
                scales: tuple[float, ...]) -> float:
    """The map's legend in `box` at the first of `scales` that fits (it is drawn
    beside the map, so it hides nothing); returns its bottom."""
    legend = _fitting_legend(content, box, scales)
    if legend is None:
        return box.top()
    legend.paint(painter, box.topLeft())
    return box.top() + legend.height


def _fitting_legend(content: LegendContent, box: QRectF, scales: tuple[float, ...]) -> Legend | None:
    """The legend at the first of `scales` that fits `box`, else at the last (taller than
    `box`: never cut); None when there is nothing to show."""
    if content.is_empty():
        return None
    for scale in scales:
        legend = Legend(content, scale, max_width=box.width())
        if legend.height <= box.height():
            break
    return legend


def _cited_sources(sheet: _Sheet, chapter: Chapter, top: float, column: tuple[float, float]) -> float:
    """The caption's sources in full, with their addresses."""
    cited = sheet.dataset.source_records(";".join(chapter.source_ids))
    if not cited:   # said, not left blank: the caption's claim names no one
        return sheet.write(top, NO_SOURCES, sheet.font(8.5, bold=True), gap_mm=2, column=column)
    top = sheet.write(top, "Sources for this chapter", sheet.font(8.5, bold=True), gap_mm=0.5,
                      column=column)
    return sheet.write(top, "\n".join(citation(r, with_url=True) for r in cited),
                       sheet.font(7.5), gap_mm=2, column=column)


def _map_sources(sheet: _Sheet, records: list[dict], top: float) -> None:
    """The other sources behind what the map shows (`records`), by outlet and id."""
    if not records:
        return
    heading = "Sources for what the map shows (ids of rows in the dataset's sources layer)"
    below = top + sheet.height_of(heading, sheet.font(8.5, bold=True), sheet.area.width()) + sheet.mm(0.5)
    for points in (7.0, 6.5, 6.0):
        text = _fitting_list(sheet, records, sheet.font(points), sheet.footer_top - below)
        if text is not None:   # the heading only with its list, never over the footer
            sheet.write(top, heading, sheet.font(8.5, bold=True), gap_mm=0.5)
            sheet.write(below, text, sheet.font(points), GREY)
            return


def _map_source_records(sheet: _Sheet, renderer: MapRenderer, chapter: Chapter,
                        view: MapView) -> list[dict]:
    shown = [s for s in renderer.visible_source_ids(view, chapter.date, chapter.layer_visibility())
             if s not in chapter.source_ids]
    return sheet.dataset.source_records(";".join(shown))


def _outlet_groups(records: list[dict]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for record in records:
        groups.setdefault(str(record.get("outlet") or "?"), []).append(str(record["source_id"]))
    return groups


def _grouped(records: list[dict], keep: int | None = None) -> str:
    """Source ids by outlet, one paragraph; `keep` outlets at most."""
    parts = [f"{outlet}: {', '.join(ids)}" for outlet, ids in _outlet_groups(records).items()]
    return "; ".join(parts[:keep]) + ("." if keep is None else "")


def _fitting_list(sheet: _Sheet, records: list[dict], font: QFont, room: float) -> str | None:
    """Every source id, grouped by outlet, as one paragraph if it fits in `room`; at
    the smallest size, as many outlets as fit and a count of the sources left out."""
    groups = _outlet_groups(records)
    width = sheet.area.width()
    text = _grouped(records)
    if sheet.height_of(text, font, width) <= room:
        return text
    if font.pixelSize() > sheet.font(6.0).pixelSize():
        return None
    for keep in range(len(groups) - 1, 0, -1):
        left_out = sum(len(ids) for ids in list(groups.values())[keep:])
        text = _grouped(records, keep) + f"; and {left_out} more in the dataset's sources layer."
        if sheet.height_of(text, font, width) <= room:
            return text
    text = _last_resort(records)   # _map_height keeps the map short enough for it
    return text if sheet.height_of(text, font, width) <= room else None


def _last_resort(records: list[dict]) -> str:
    return f"{len(records)} sources in the dataset's sources layer."
