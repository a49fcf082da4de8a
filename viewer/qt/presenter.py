"""Presenter mode: a briefing's chapters full screen, one after another.

The map fills the screen with the chapter's title and caption in large type
and a slim timeline strip with the date and how current the data is. →, ↓,
Page Down, Space (and a clicker, which sends Page Down / Page Up) go to the next chapter; ←, ↑,
Page Up, Backspace to the previous; Home / End to the first / last; Esc leaves.

Between chapters the date runs through the days in between (changes of
control and routes play out) while the view eases to the next extent. Each
frame is computed from the clock and the next one is asked for only after the
last was painted, so a slow machine shows fewer frames, never a slower or
stalled move.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtWidgets import QWidget

from viewer.export.handout import chapter_view, cut_at_sentence, cut_to_fit, data_current_to, draw_legend
from viewer.model.briefing import NO_SOURCES, Briefing, Chapter
from viewer.model.dates import format_date
from viewer.model.unknowns import current_to_mark
from viewer.render import style
from viewer.render.legend import in_two_columns
from viewer.render.overlay import Decorations, Legend, date_label
from viewer.render.renderer import MapRenderer
from viewer.render.view import MapView

# The map keeps its scale bar and north arrow; the legend is in the side column
# and the date on the strip, so nothing covers the map.
STAGE = Decorations(date=False, legend=False)
EASE_SECONDS = 1.0          # the view moving to the next chapter's extent
DATE_SECONDS = 1.8          # then the date running to the next chapter's, whatever the days
EASE_RESOLUTION = 0.5       # the next view's picture while easing (it is moving: sharpness is lost anyway)
BARE = Decorations(date=False, legend=False, scale_bar=False, north_arrow=False)
FRAME_GAP_MS = 10           # after a frame is painted, before the next is asked for
STRIP_HEIGHT = 54
LEGEND_SMALLEST = 0.6      # of the map's legend size, before the caption gets smaller
COLUMN_SHARE = 0.31        # of the width: the chapter's title, caption and the legend
TITLE_SIZES = (34, 30, 26, 22)           # pt at 1280x720: a long title gives way to the caption
CAPTION_SIZES = (22, 20, 18, 16, 14)     # then the caption gives way to the legend
CAPTION_KEPT_LINES = 5     # of the caption at its smallest, cut note included, below any title
TITLE_GAP = 16             # between the title and the caption
CAPTION_CUT = " … (cut here to fit; the Chapters panel holds the whole caption)"
NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Space,
             Qt.Key.Key_N, Qt.Key.Key_Return, Qt.Key.Key_Enter}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace,
                 Qt.Key.Key_P}
OWN_KEYS = NEXT_KEYS | PREVIOUS_KEYS | {Qt.Key.Key_Escape, Qt.Key.Key_Home, Qt.Key.Key_End}
COLUMN_BACK = QColor("#FBFAF7")
STRIP_BACK = QColor("#1E1E1E")


@dataclass(frozen=True)
class _Move:
    """From one chapter's date and view to the next's, started at `started` (clock
    seconds): first the view eases to the new extent, then the date runs through
    the days in between at the new extent, so changes play out where they happen."""

    day_from: dt.date
    day_to: dt.date
    view_from: MapView
    view_to: MapView
    started: float

    @property
    def ease_seconds(self) -> float:
        return EASE_SECONDS if self.view_from != self.view_to else 0.0

    @property
    def date_seconds(self) -> float:
        return DATE_SECONDS if self.day_from != self.day_to else 0.0

    def easing(self, now: float) -> float | None:
        """How far the view has eased (0..1) at `now`, or None once it is in place."""
        elapsed = now - self.started
        return elapsed / self.ease_seconds if elapsed < self.ease_seconds else None

    def at(self, now: float) -> tuple[dt.date, MapView, bool]:
        """The date and view at clock time `now`, and whether the move is over."""
        elapsed = now - self.started
        eased = self.easing(now)
        if eased is not None:
            return self.day_from, self.view_between(eased), False
        t = min(1.0, (elapsed - self.ease_seconds) / self.date_seconds) if self.date_seconds else 1.0
        day = self.day_from + dt.timedelta(days=round((self.day_to - self.day_from).days * t))
        return day, self.view_to, t >= 1.0

    def view_between(self, t: float) -> MapView:
        t = t * t * (3 - 2 * t)  # smoothstep: starts and ends gently
        a, b = self.view_from, self.view_to
        scale = math.exp(math.log(a.metres_per_pixel)
                         + (math.log(b.metres_per_pixel) - math.log(a.metres_per_pixel)) * t)
        return MapView(a.center_x + (b.center_x - a.center_x) * t,
                       a.center_y + (b.center_y - a.center_y) * t,
                       scale, b.width, b.height, b.ui_scale)


def image_transform(drawn: MapView, shown: MapView) -> QTransform:
    """Where an image drawn for view `drawn` goes when the screen shows `shown`."""
    k = drawn.metres_per_pixel / shown.metres_per_pixel
    dx = (drawn.center_x - shown.center_x) / shown.metres_per_pixel + shown.width / 2 - k * drawn.width / 2
    dy = (shown.center_y - drawn.center_y) / shown.metres_per_pixel + shown.height / 2 - k * drawn.height / 2
    return QTransform(k, 0, 0, k, dx, dy)


class Presenter(QWidget):
    """A full-screen window presenting `briefing` from chapter `start`."""

    closed = Signal()
    chapter_changed = Signal(int)

    def __init__(self, renderer: MapRenderer, briefing: Briefing, start: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.renderer = renderer
        self.briefing = briefing
        self.dataset = renderer.dataset
        self.index = max(0, min(start, len(briefing.chapters) - 1))
        self.day = self.chapter.date
        self._view: MapView | None = None
        self._move: _Move | None = None
        self._last_frame: QImage | None = None          # the last full map frame painted
        self._ease_images: tuple[QImage, QImage] | None = None
        self._frame = QTimer(self, singleShot=True, interval=FRAME_GAP_MS, timeout=self._next_frame)
        self.frames_painted = 0
        self.setWindowTitle(f"{briefing.title} — presenter")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)

    @property
    def chapter(self) -> Chapter:
        return self.briefing.chapters[self.index]

    @property
    def moving(self) -> bool:
        return self._move is not None

    def _scale(self) -> float:
        return max(1.0, min(self.width() / 1280, self.height() / 720))

    def _map_rect(self) -> QRectF:
        """Right of the text column, above the strip."""
        left = round(self.width() * COLUMN_SHARE)
        return QRectF(left, 0, self.width() - left, self.height() - round(STRIP_HEIGHT * self._scale()))

    def _target_view(self, chapter: Chapter) -> MapView:
        area = self._map_rect()
        return chapter_view(self.renderer, chapter, int(area.width()), int(area.height()), STAGE,
                            self._scale())

    # -- stepping -----------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        index = max(0, min(index, len(self.briefing.chapters) - 1))
        if index == self.index and not self.moving:
            return
        view_from = self._current_view()
        self.index = index
        target = self.chapter
        view_to = self._target_view(target)
        self._ease_images = None
        if view_to != view_from and self._last_frame is not None:
            goal = self.renderer.render_image(view_to, self.day, target.layer_visibility(), None,
                                              BARE, pixel_ratio=EASE_RESOLUTION)
            self._ease_images = (self._last_frame, goal)
        self._move = _Move(self.day, target.date, view_from, view_to, time.monotonic())
        self.chapter_changed.emit(index)
        self.update()

    def _current_view(self) -> MapView:
        area = self._map_rect()
        if self._view is None or (self._view.width, self._view.height) != (area.width(), area.height()):
            self._view = self._target_view(self.chapter)
        return self._view

    def _next_frame(self) -> None:
        if self._move is None:
            return
        self.day, self._view, done = self._move.at(time.monotonic())
        if done:
            self._move = None
            self._ease_images = None
        self.update()

    def event(self, event: QEvent) -> bool:
        # The window's shortcuts (Space plays, arrows step days) must not take the
        # presenter's keys: claiming the override delivers them to keyPressEvent.
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in OWN_KEYS:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
        elif key in NEXT_KEYS:
            self.go_to(self.index + 1)
        elif key in PREVIOUS_KEYS:
            self.go_to(self.index - 1)
        elif key == Qt.Key.Key_Home:
            self.go_to(0)
        elif key == Qt.Key.Key_End:
            self.go_to(len(self.briefing.chapters) - 1)
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        self._frame.stop()
        self.closed.emit()
        super().closeEvent(event)

    # -- painting -----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            area = self._map_rect()
            painter.save()
            painter.translate(area.topLeft())
            painter.setClipRect(QRectF(0, 0, area.width(), area.height()))
            eased = self._move.easing(time.monotonic()) if self._move else None
            if eased is not None and self._ease_images is not None:
                self._paint_ease(painter, eased)
            else:
                self._last_frame = self.renderer.render_image(
                    self._current_view(), self.day, self.chapter.layer_visibility(), None, STAGE,
                    pixel_ratio=self.devicePixelRatioF())
                painter.drawImage(0, 0, self._last_frame)
            painter.restore()
            self._paint_column(painter)
            self._paint_strip(painter)
        finally:
            painter.end()
        self.frames_painted += 1
        if self._move is not None:
            self._frame.start()   # asked for only now: a slow frame delays, never queues

    def _paint_ease(self, painter: QPainter, t: float) -> None:
        """The old frame and the next view's picture, moved and scaled to the view
        between them and cross-faded: two image draws, whatever the map holds."""
        shown = self._move.view_between(t)
        painter.fillRect(QRectF(0, 0, shown.width, shown.height), style.BACKGROUND)
        for image, drawn, opacity in ((self._ease_images[0], self._move.view_from, 1.0),
                                      (self._ease_images[1], self._move.view_to, t)):
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.setOpacity(opacity)
            painter.setTransform(image_transform(drawn, shown), combine=True)
            painter.drawImage(QRectF(0, 0, drawn.width, drawn.height), image)
            painter.restore()

    def _paint_column(self, painter: QPainter) -> None:
        """The chapter's title and caption in large type, then the map's legend."""
        s = self._scale()
        column = QRectF(0, 0, self._map_rect().left(), self._map_rect().height())
        painter.fillRect(column, COLUMN_BACK)
        pad = 28 * s
        width = column.width() - 2 * pad
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        top = pad
        painter.setPen(QColor("#6B6B6B"))
        painter.setFont(style.font(15 * s))
        top = _text(painter, f"{self.briefing.title} · {self.index + 1} of "
                             f"{len(self.briefing.chapters)}", QRectF(pad, top, width, 0), flags) + 12 * s
        content = self.renderer.legend_content(self._current_view(), self.day,
                                               self.chapter.layer_visibility())
        # Every outlet, on as many lines as it takes: a claim names who makes it, so the
        # sources are never cut (the caption is, when it must be).
        sources = self.sources_line()
        painter.setFont(style.font(13 * s))
        sources_height = painter.boundingRect(QRectF(0, 0, width, 10_000), flags,
                                              sources).height() + 12 * s if sources else 0
        below_caption = column.bottom() - pad / 2 - sources_height - 16 * s
        # The caption as large as leaves the legend room at LEGEND_SMALLEST of full size,
        # measured as draw_legend lays it out in the same width; in two columns, half as
        # tall, where one would cut the caption (1366x768: chapters 2, 4, 10 and 11).
        legend = None if content.is_empty() else Legend(content, s * LEGEND_SMALLEST, max_width=width)
        if legend is not None and not self._whole_caption_fits(painter, top, below_caption - legend.height,
                                                                 width, flags):
            legend = in_two_columns(content, s * LEGEND_SMALLEST, width) or legend
        limit = below_caption - (legend.height if legend is not None else 0)
        painter.setPen(QColor("#9A9A9A") if self.moving else style.TEXT)   # not yet its map's
        top = self._paint_title(painter, QRectF(pad, top, width, 0), limit, flags) + TITLE_GAP * s
        painter.setPen(style.TEXT)

        def fits(text: str) -> bool:
            needed = painter.boundingRect(QRectF(0, 0, width, 10_000), flags, text)
            return top + needed.height() <= limit

        caption = self.caption_shown()
        for size in CAPTION_SIZES:
            painter.setFont(style.font(size * s))
            if fits(caption):
                break
        else:   # at the smallest size too long: it ran under the strip and the legend was lost
            caption = cut_at_sentence(caption, CAPTION_CUT, fits)
        top = _text(painter, caption, QRectF(pad, top, width, 0), flags)
        if sources:
            painter.setPen(QColor("#555555"))
            painter.setFont(style.font(13 * s))
            top = _text(painter, sources, QRectF(pad, top + 12 * s, width, 0), flags)
            painter.setPen(style.TEXT)
        top += 16 * s
        if legend is not None and len(legend.columns) > 1:
            legend.paint(painter, QPointF(pad, top))
        else:
            draw_legend(painter, content, QRectF(pad, top, width, column.bottom() - top - pad / 2),
                        tuple(s * f for f in (1.15, 1.0, 0.85, 0.72, LEGEND_SMALLEST, 0.5)))

    def _paint_title(self, painter: QPainter, box: QRectF, limit: float, flags: int) -> float:
        """The chapter's title from the top of `box`, as large as leaves the whole caption
        at its smallest size above `limit`; returns its bottom. When the caption must be
        cut anyway, the title at its smallest size, so the caption loses the fewest facts
        (at 1366x768 chapter 2's title took two lines at 32 pt over a caption cut at five).
        A title that does not leave even CAPTION_KEPT_LINES lines is cut (the panel holds it)."""
        s = self._scale()
        whole, kept = self._caption_heights(painter, box.width(), flags)

        def fits(text: str, caption_height: float) -> bool:
            needed = painter.boundingRect(QRectF(0, 0, box.width(), 10_000), flags, text)
            return box.top() + needed.height() <= limit - TITLE_GAP * s - caption_height

        title = self.chapter.title
        for size in TITLE_SIZES:
            painter.setFont(style.font(size * s, bold=True))
            if fits(title, whole):
                break
        else:
            if not fits(title, kept):
                title = cut_to_fit(title, " …", lambda text: fits(text, kept))
        return _text(painter, title, box, flags)

    def _whole_caption_fits(self, painter: QPainter, top: float, limit: float, width: float,
                            flags: int) -> bool:
        """Whether the title and the whole caption, each at its smallest size, fit from
        `top` to `limit`."""
        painter.save()
        painter.setFont(style.font(TITLE_SIZES[-1] * self._scale(), bold=True))
        title = painter.boundingRect(QRectF(0, 0, width, 10_000), flags, self.chapter.title).height()
        whole, _kept = self._caption_heights(painter, width, flags)
        painter.restore()
        return top + title + TITLE_GAP * self._scale() + whole <= limit

    def _caption_heights(self, painter: QPainter, width: float, flags: int) -> tuple[float, float]:
        """The caption's height whole at its smallest size, and the height it keeps at
        the least under the title: all of it, or CAPTION_KEPT_LINES lines with its cut note."""
        painter.setFont(style.font(CAPTION_SIZES[-1] * self._scale()))
        whole = painter.boundingRect(QRectF(0, 0, width, 10_000), flags, self.caption_shown()).height()
        return whole, min(whole, CAPTION_KEPT_LINES * painter.fontMetrics().lineSpacing())

    def sources_line(self) -> str:
        """The chapter's sources by outlet, under its caption (none were shown: a claim
        on a slide with nothing to say who makes it), or that it gives none; empty on the
        way to the chapter."""
        if self.moving:
            return ""
        if not self.chapter.source_ids:
            return NO_SOURCES
        records = self.dataset.source_records(";".join(self.chapter.source_ids))
        outlets = dict.fromkeys(str(r.get("outlet") or r["source_id"]) for r in records)
        return "Sources: " + ", ".join(outlets)

    def caption_shown(self) -> str:
        """The chapter's caption once its map is reached; on the way, where the map is
        going: the title's claim stood beside a map of earlier days (Kanpiketi "in KIA
        hands" over a map where the BGF still held it)."""
        if self.moving:
            return f"The map is on its way to {format_date(self.chapter.date)}…"
        return self.chapter.caption

    def strip_date(self) -> tuple[str, str]:
        """The strip's date as the map would say it, and under it how current the data
        is (past the data's last date, its mark): the map's own date label is off, so the
        strip alone tells the time, and an audience never saw how current the data was."""
        beyond = self.dataset.beyond_data(self.day)
        if beyond:
            return date_label(self.day, beyond), current_to_mark(self.dataset, self.day)
        return format_date(self.day), data_current_to(self.dataset)

    def _paint_strip(self, painter: QPainter) -> None:
        """The slim timeline: the dataset's span, a tick per chapter, the date and chapter n/N."""
        s = self._scale()
        strip = QRectF(0, self.height() - STRIP_HEIGHT * s, self.width(), STRIP_HEIGHT * s)
        painter.fillRect(strip, STRIP_BACK)
        label_w = 340 * s
        line = QRectF(strip.left() + label_w, strip.center().y(), strip.width() - 2 * label_w - 20 * s, 0)
        start, end = self.dataset.time_start, self.dataset.last_day
        span = max(1, (end - start).days)

        def x_of(day: dt.date) -> float:
            return line.left() + line.width() * min(max((day - start).days / span, 0), 1)

        painter.setPen(QPen(QColor("#8A8A8A"), 2 * s))
        painter.drawLine(line.topLeft(), line.topRight())
        current_to = self.dataset.data_current_to
        if current_to is not None and current_to < end:   # past it, only the last known state
            painter.setPen(QPen(style.CURRENT_TO_PANEL, 4 * s))
            painter.drawLine(x_of(current_to), line.top(), line.right(), line.top())
        for number, chapter in enumerate(self.briefing.chapters):
            colour = QColor("#FFFFFF") if number == self.index else QColor("#9A9A9A")
            painter.setPen(QPen(colour, 2 * s))
            x = x_of(chapter.date)
            painter.drawLine(x, line.top() - 7 * s, x, line.top() + 7 * s)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#CC79A7"))
        painter.drawEllipse(QRectF(x_of(self.day) - 7 * s, line.top() - 7 * s, 14 * s, 14 * s))
        left = QRectF(strip.left() + 20 * s, strip.top(), label_w - 30 * s, strip.height())
        date, current = self.strip_date()
        painter.setPen(QColor("#FFFFFF"))
        painter.setFont(style.font(17 * s, bold=True))
        painter.drawText(left, int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft), date)
        beyond = self.dataset.beyond_data(self.day)
        painter.setPen(style.CURRENT_TO_PANEL if beyond else QColor("#BDBDBD"))
        # A file without data_current_to names its latest fact at length: smaller, never cut.
        for size in (13, 11, 9):
            painter.setFont(style.font(size * s))
            if painter.fontMetrics().horizontalAdvance(current) <= left.width():
                break
        painter.drawText(left.adjusted(0, 0, 0, -6 * s),
                         int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft), current)
        painter.setFont(style.font(18 * s))
        right = QRectF(strip.right() - label_w, strip.top(), label_w - 20 * s, strip.height())
        painter.drawText(right, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                         f"{self.index + 1} / {len(self.briefing.chapters)}")


def _text(painter: QPainter, text: str, box: QRectF, flags: int) -> float:
    """Draw wrapped plain text from the top of `box` (its height ignored); returns the bottom."""
    needed = painter.boundingRect(QRectF(box.left(), box.top(), box.width(), 10_000), flags, text)
    painter.drawText(QRectF(box.left(), box.top(), box.width(), needed.height()), flags, text)
    return box.top() + needed.height()
