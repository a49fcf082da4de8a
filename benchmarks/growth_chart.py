"""Issue 12's growth from 1x to 10x to 100x as curves, one panel per figure.

    .venv/bin/python benchmarks/growth_chart.py RESULTS.json OUT.png [--revision REV]

RESULTS.json is what benchmarks/versus_qgis.py writes; `versus_qgis.py --chart
OUT.png` draws this at the end of its run. Drawn with QPainter on a QImage (no
plotting library; offscreen Qt where there is no display). Every text is drawn
as plain text: nothing from the JSON is read as markup.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF  # noqa: E402

from viewer.cli.export import ensure_gui  # noqa: E402

SIZE = (1600, 1000)
HEADING_H, FOOTNOTE_H, COLUMNS = 96, 48, 3


@dataclass(frozen=True)
class Style:
    colour: str
    marker: str          # "circle", "square", "diamond"; "" for none
    line: Qt.PenStyle


VIEWER = Style("#1f5fbf", "circle", Qt.SolidLine)
QGIS = Style("#d9640f", "square", Qt.SolidLine)
VIEWER_TOO = Style("#7a3b9c", "diamond", Qt.DotLine)   # a second viewer figure in one panel
TARGET = Style("#555555", "", Qt.DashLine)


@dataclass(frozen=True)
class Series:
    name: str
    side: str                    # "viewer" or "qgis": the key under each scale
    path: tuple[str, ...]
    style: Style


@dataclass(frozen=True)
class Target:
    scale: str
    label: str                            # how it is set, where not a fixed number
    value: float | None = None            # a fixed target ...
    of_qgis: tuple[str, ...] = ()         # ... or QGIS's own figure at that scale,
    divisor: float = 1.0                  # divided by this


@dataclass(frozen=True)
class Figure:
    title: str
    unit: str
    series: tuple[Series, ...]
    targets: tuple[Target, ...] = ()


def _against_qgis(path: tuple[str, ...]) -> tuple[Series, Series]:
    return Series("viewer", "viewer", path, VIEWER), Series("QGIS 3.22", "qgis", path, QGIS)


FIGURES = (
    Figure("One PNG, from process start", "s", _against_qgis(("one_png", "s")),
           (Target("100", "below QGIS's", of_qgis=("one_png", "s")),)),
    Figure("Peak RSS of that process", "MB", _against_qgis(("one_png", "peak_rss_mb")),
           (Target("100", "at most QGIS's", of_qgis=("one_png", "peak_rss_mb")),)),
    Figure("20 PNGs at 20 dates, one process", "s", _against_qgis(("twenty_png", "s")),
           (Target("100", "QGIS's / 3", of_qgis=("twenty_png", "s"), divisor=3),)),
    Figure("Window start-up to map on screen", "s",
           (Series("first open", "viewer", ("first_open", "s"), VIEWER),
            Series("second open, same file", "viewer", ("second_open", "s"), VIEWER_TOO)),
           (Target("embedded", "", value=1.0), Target("100", "", value=1.5))),
    Figure("Longest a click waits while opening", "s",
           (Series("first open", "viewer", ("first_open", "longest_wait_s"), VIEWER),)),
    Figure("Scrub p95, set date to map repainted", "ms",
           (Series("random dates", "viewer", ("scrub", "scrub_p95_ms"), VIEWER),
            Series("day by day", "viewer", ("scrub", "scrub_step_p95_ms"), VIEWER_TOO)),
           (Target("100", "", value=16.0),)),
)


@dataclass
class Panel:
    """One figure's numbers as drawn: {series name: {scale: value}}, targets, axis kind."""
    title: str
    unit: str
    values: dict[str, dict[str, float]]
    styles: dict[str, Style]
    targets: list[tuple[str, float, str]]

    def numbers(self) -> list[float]:
        """Every value and target drawn: what the y axis must hold."""
        return [v for line in self.values.values() for v in line.values()] + [t[1] for t in self.targets]

    @property
    def log(self) -> bool:
        every = self.numbers()
        return bool(every) and min(every) > 0 and max(every) / min(every) >= 10


def figure_value(results: dict, scale: str, side: str, path: tuple[str, ...]) -> float | None:
    value = results["scales"].get(scale, {}).get(side)
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, (int, float)) else None


def panels_of(results: dict) -> list[Panel]:
    scales = list(results["scales"])
    panels = []
    for figure in FIGURES:
        values = {s.name: {scale: v for scale in scales
                           if (v := figure_value(results, scale, s.side, s.path)) is not None}
                  for s in figure.series}
        targets = []
        for target in figure.targets:
            value = target.value if not target.of_qgis else figure_value(
                results, target.scale, "qgis", target.of_qgis)
            if target.scale in scales and value is not None:
                targets.append((target.scale, value / target.divisor, target.label))
        styles = {s.name: s.style for s in figure.series}
        panels.append(Panel(figure.title, figure.unit, values, styles, targets))
    return panels


# -- the picture ------------------------------------------------------------------
def run_heading(results: dict, revision: str | None) -> tuple[str, str]:
    """The title and the line under it: when, which code, which machine and how busy."""
    started = dt.datetime.strptime(results["started"], "%Y%m%d-%H%M%S")
    when = f"{started.day} {started:%b %Y %H:%M}"
    commit = results.get("revision") or revision
    commit_text = f"commit {commit}" if commit else "commit not recorded"
    if commit and not results.get("revision"):
        commit_text += " (named when drawn; the run did not record it)"
    growth = " to ".join(scale_name(s) for s in sorted((s for s in results["scales"] if s != "embedded"), key=float))
    title = f"Growth from {growth}: this viewer beside QGIS 3.22, run of {when}"
    python = f"  ·  {results['python']}" if results.get("python") else ""
    machine = (f"{commit_text}{python}  ·  {results.get('cpus', '?')} cpus  ·  load average "
               f"{results.get('load_average_start', '?')} at start, {results.get('load_average_end', '?')} at end")
    return title, machine


def missing_note(results: dict) -> str:
    """Which sides were not measured where: a gap in a curve is said, not hidden."""
    notes = [f"QGIS skipped: {results['qgis_skipped']}"] if results.get("qgis_skipped") else []
    for scale, entry in results["scales"].items():
        notes += [f"{name} failed at {scale_name(scale)}" for side, name in (("viewer", "viewer"), ("qgis", "QGIS"))
                  if f"{side}_error" in entry]
    return "  ·  ".join(notes)


def scale_name(scale: str) -> str:
    return "embedded" if scale == "embedded" else f"{scale}×"


def value_text(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f}"
    if unit == "ms" or value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def font(pixels: int, bold: bool = False) -> QFont:
    chosen = QFont()
    chosen.setPixelSize(pixels)
    chosen.setBold(bold)
    return chosen


def draw_growth(results: dict, out: Path, revision: str | None = None) -> list[Panel]:
    """Write the chart of `results` (versus_qgis.py's JSON) to `out`; the panels drawn."""
    ensure_gui()
    panels = panels_of(results)
    image = QImage(*SIZE, QImage.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    draw_heading(painter, results, revision)
    rows = math.ceil(len(panels) / COLUMNS)
    width, height = SIZE[0] / COLUMNS, (SIZE[1] - HEADING_H - FOOTNOTE_H) / rows
    for index, panel in enumerate(panels):
        row, column = divmod(index, COLUMNS)
        box = QRectF(column * width, HEADING_H + row * height, width, height).adjusted(12, 8, -12, -8)
        PanelPainter(painter, panel, list(results["scales"]), box).draw()
    painter.setPen(QColor("#333333"))
    painter.setFont(font(15))
    embedded = ("; the embedded dataset (real data, about the size of 1×) stands apart, left of the rule, "
                "not joined to the curves" if "embedded" in results["scales"] else "")
    painter.drawText(QRectF(24, SIZE[1] - FOOTNOTE_H, SIZE[0] - 48, FOOTNOTE_H),
                     Qt.AlignLeft | Qt.AlignVCenter | Qt.TextWordWrap,
                     f"Whole processes, 1600×1000 PNGs. x: the synthetic dataset's scale, logarithmic{embedded}. "
                     "y: logarithmic where a panel spans a decade, else from 0. "
                     "Dashed grey: the issue's target, over the scale it is set for.")
    painter.end()
    if not image.save(str(out), "PNG"):
        raise OSError(f"could not write {out}")
    return panels


def draw_heading(painter: QPainter, results: dict, revision: str | None) -> None:
    title, machine = run_heading(results, revision)
    painter.setFont(font(28, bold=True))
    painter.drawText(QRectF(24, 10, SIZE[0] - 48, 40), Qt.AlignLeft | Qt.AlignVCenter, title)
    painter.setFont(font(18))
    painter.drawText(QRectF(24, 50, SIZE[0] - 48, 26), Qt.AlignLeft | Qt.AlignVCenter, machine)
    painter.setPen(QColor("#b03a00"))
    painter.drawText(QRectF(24, 72, SIZE[0] - 48, 22), Qt.AlignLeft | Qt.AlignVCenter, missing_note(results))


class PanelPainter:
    """One panel: title, legend, axes and the curves, inside `box`."""

    def __init__(self, painter: QPainter, panel: Panel, scales: list[str], box: QRectF):
        self.painter, self.panel, self.box = painter, panel, box
        self.plot = box.adjusted(64, 86, -14, -34)
        self.embedded = "embedded" in scales
        self.numeric = sorted((s for s in scales if s != "embedded"), key=float)
        self.low, self.high = self._value_range()

    # where things go
    def x(self, scale: str) -> float:
        left, width = self.plot.left(), self.plot.width()
        apart = 0.16 * width if self.embedded else 0.0     # the embedded column, left of a rule
        if scale == "embedded":
            return left + apart / 2
        logs = [math.log10(float(s)) for s in self.numeric]
        span = (max(logs) - min(logs)) or 1.0
        inner = width - apart - 0.16 * width
        return left + apart + 0.08 * width + inner * (math.log10(float(scale)) - min(logs)) / span

    def y(self, value: float) -> float:
        if self.panel.log:
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(value)
        else:
            low, high = self.low, self.high
        return self.plot.bottom() - self.plot.height() * (value - low) / (high - low)

    def _value_range(self) -> tuple[float, float]:
        every = self.panel.numbers()
        if not every:
            return (1.0, 10.0) if self.panel.log else (0.0, 1.0)
        if self.panel.log:
            return min(every) / 2.2, max(every) * 1.8   # room for a label under the lowest point
        return 0.0, max(every) * 1.22

    def ticks(self) -> list[float]:
        if self.panel.log:
            decades = range(math.floor(math.log10(self.low)), math.ceil(math.log10(self.high)) + 1)
            marks = [m * 10 ** d for d in decades for m in (1, 2, 5)]
        else:
            raw = self.high / 5
            step = min((m * 10 ** math.floor(math.log10(raw)) for m in (1, 2, 2.5, 5, 10)),
                       key=lambda s: abs(s - raw))
            marks = [i * step for i in range(int(self.high / step) + 1)]
        return [m for m in marks if self.low <= m <= self.high]

    # drawing
    def draw(self) -> None:
        p = self.painter
        p.setPen(QColor("#111111"))
        p.setFont(font(20, bold=True))
        unit = f"{self.panel.unit}, log scale" if self.panel.log else self.panel.unit
        p.drawText(QRectF(self.box.left(), self.box.top(), self.box.width(), 28),
                   Qt.AlignLeft | Qt.AlignVCenter, f"{self.panel.title} ({unit})")
        self.draw_legend(self.box.top() + 32)
        self.draw_axes()
        for scale, value, _ in self.panel.targets:
            self.draw_target(scale, value)
        self.draw_series()

    def draw_legend(self, top: float) -> None:
        """Each series' line and marker, then the target's, wrapping onto a second row."""
        p, left = self.painter, self.box.left() + 4
        p.setFont(font(16))
        entries = list(self.panel.styles.items())
        if self.panel.targets:
            entries.append((self.target_text(), TARGET))
        for name, style in entries:
            text_width = p.fontMetrics().horizontalAdvance(name)
            if left + 40 + text_width > self.box.right():
                left, top = self.box.left() + 4, top + 24
            p.setPen(QPen(QColor(style.colour), 2.5, style.line))
            p.drawLine(QPointF(left, top + 11), QPointF(left + 34, top + 11))
            marker(p, style, QPointF(left + 17, top + 11), 5)
            p.setPen(QColor("#111111"))
            p.drawText(QRectF(left + 40, top, text_width + 4, 22), Qt.AlignLeft | Qt.AlignVCenter, name)
            left += 40 + text_width + 22

    def target_text(self) -> str:
        unit = self.panel.unit
        return "target: " + "; ".join(
            f"{label + ', ' if label else ''}{value_text(value, unit)} {unit} ({scale_name(scale)})"
            for scale, value, label in self.panel.targets)

    def draw_axes(self) -> None:
        p, plot = self.painter, self.plot
        p.setFont(font(14))
        for tick in self.ticks():
            y = self.y(tick)
            p.setPen(QPen(QColor("#e2e2e2"), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#444444"))
            p.drawText(QRectF(self.box.left(), y - 10, 58, 20), Qt.AlignRight | Qt.AlignVCenter, f"{tick:g}")
        p.setPen(QPen(QColor("#444444"), 1.2))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.drawLine(plot.bottomLeft(), plot.topLeft())
        if self.embedded:
            rule = plot.left() + 0.16 * plot.width()
            p.setPen(QPen(QColor("#999999"), 1, Qt.DashDotLine))
            p.drawLine(QPointF(rule, plot.top()), QPointF(rule, plot.bottom()))
        p.setPen(QColor("#222222"))
        p.setFont(font(16))
        for scale in (["embedded"] if self.embedded else []) + self.numeric:
            p.drawText(QRectF(self.x(scale) - 60, plot.bottom() + 4, 120, 24), Qt.AlignCenter, scale_name(scale))

    def draw_target(self, scale: str, value: float) -> None:
        """A dashed line over the target's scale, from halfway to its neighbour (legend: what it is)."""
        if scale == "embedded":
            left, right = self.plot.left() + 4, self.plot.left() + 0.16 * self.plot.width() - 4
        else:
            index = self.numeric.index(scale)
            before = self.x(self.numeric[index - 1]) if index else self.x(scale) - 40
            left, right = (before + self.x(scale)) / 2, self.plot.right() - 2
        self.painter.setPen(QPen(QColor(TARGET.colour), 2, TARGET.line))
        self.painter.drawLine(QPointF(left, self.y(value)), QPointF(right, self.y(value)))

    def draw_series(self) -> None:
        for name, line in self.panel.values.items():
            style = self.panel.styles[name]
            self.painter.setPen(QPen(QColor(style.colour), 3, style.line))
            # a missing scale breaks the curve: nothing is drawn where nothing was measured
            for a, b in pairwise(self.numeric):
                if a in line and b in line:
                    self.painter.drawLine(QPointF(self.x(a), self.y(line[a])), QPointF(self.x(b), self.y(line[b])))
        # markers after every line, the first series' on top: where two points meet,
        # its circle sits inside the other's larger square or diamond and both show
        for name, line in reversed(self.panel.values.items()):
            for scale, value in line.items():
                marker(self.painter, self.panel.styles[name], QPointF(self.x(scale), self.y(value)), 6)
        self.draw_value_labels()

    def draw_value_labels(self) -> None:
        """Each point's value in its series' colour: the highest at a scale above it, the rest below."""
        p, styles = self.painter, self.panel.styles
        p.setFont(font(15, bold=True))
        for scale in (["embedded"] if self.embedded else []) + self.numeric:
            points = sorted(((line[scale], name) for name, line in self.panel.values.items() if scale in line),
                            reverse=True)
            for rank, (value, name) in enumerate(points):
                y = self.y(value)
                box = QRectF(self.x(scale) - 40, y - 30 if rank == 0 else y + 9, 80, 20)
                p.fillRect(box.adjusted(14, 2, -14, -2), QColor(255, 255, 255, 210))
                p.setPen(QColor(styles[name].colour))
                p.drawText(box, Qt.AlignCenter, value_text(value, self.panel.unit))


def marker(painter: QPainter, style: Style, at: QPointF, r: float) -> None:
    if not style.marker:
        return
    painter.setPen(QPen(QColor("white"), 1.5))
    painter.setBrush(QColor(style.colour))
    if style.marker == "circle":
        painter.drawEllipse(at, r, r)
    elif style.marker == "square":
        painter.drawRect(QRectF(at.x() - 1.2 * r, at.y() - 1.2 * r, 2.4 * r, 2.4 * r))
    else:
        corners = [(0, -1.6), (1.6, 0), (0, 1.6), (-1.6, 0)]
        painter.drawPolygon(QPolygonF([QPointF(at.x() + dx * r, at.y() + dy * r) for dx, dy in corners]))
    painter.setBrush(Qt.NoBrush)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a JSON file written by versus_qgis.py")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--revision", help="the commit measured, where the JSON does not record it")
    args = parser.parse_args(argv)
    draw_growth(json.loads(args.results.read_text()), args.out, args.revision)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
