"""The export dialogs: one PNG, a pack of maps, an animation; their shared size,
dates and file-path boxes, and the worker each export runs on."""
from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from viewer.qt.dialogs import impossible_date_refused, plain_message
from viewer.qt.iso_date_edit import IsoDateEdit
from viewer.qt.loader import Worker
from viewer.render.renderer import MapRenderer

SIZE_PRESETS = (("Full HD", 1920, 1080), ("4K", 3840, 2160), ("HD", 1280, 720),
                ("Square", 1080, 1080), ("A4 landscape at 300 dpi", 3508, 2480))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "map"


def _export_folder(settings: QSettings) -> Path:
    saved = str(settings.value("export/folder", ""))
    if saved and Path(saved).is_dir():
        return Path(saved)
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures) if pictures and Path(pictures).is_dir() else Path.home()


class ExportOptionsBox(QGroupBox):
    """Size, resolution, area and title: what every export asks."""

    def __init__(self, state, extent, size: tuple[int, int] = (1920, 1080),
                 parent: QWidget | None = None) -> None:
        super().__init__("Image", parent)
        self.state = state
        self.extent = extent
        self.preset = QComboBox()
        for name, width, height in SIZE_PRESETS:
            self.preset.addItem(f"{name} ({width} × {height})")
        self.preset.addItem("Custom size")
        self.width_box = self._pixels(size[0])
        self.height_box = self._pixels(size[1])
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.width_box.valueChanged.connect(self._size_typed)
        self.height_box.valueChanged.connect(self._size_typed)
        self._size_typed()
        self.dpi = QSpinBox()
        self.dpi.setRange(72, 1200)
        self.dpi.setValue(96)
        self.dpi.setSuffix(" dpi")
        self.dpi.setToolTip("Stored in the PNG for printing; the pixel size sets the detail")
        self.shown_area = QRadioButton("The area the map shows now")
        self.whole_area = QRadioButton("The dataset's whole area")
        self.shown_area.setChecked(True)
        self.title = QLineEdit()
        self.title.setPlaceholderText(state.dataset.title)
        size_row = QHBoxLayout()
        for widget in (self.width_box, QLabel("×"), self.height_box, QLabel("pixels")):
            size_row.addWidget(widget)
        size_row.addStretch()
        areas = QVBoxLayout()
        areas.addWidget(self.shown_area)
        areas.addWidget(self.whole_area)
        form = QFormLayout(self)
        form.addRow("Size", self.preset)
        form.addRow("", size_row)
        form.addRow("Resolution", self.dpi)
        form.addRow("Area", areas)
        form.addRow("Title", self.title)

    @staticmethod
    def _pixels(value: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(200, 10000)
        box.setValue(value)
        return box

    def _preset_chosen(self, index: int) -> None:
        if index < len(SIZE_PRESETS):
            _, width, height = SIZE_PRESETS[index]
            self.width_box.setValue(width)
            self.height_box.setValue(height)

    def _size_typed(self) -> None:
        size = (self.width_box.value(), self.height_box.value())
        sizes = [(width, height) for _, width, height in SIZE_PRESETS]
        self.preset.blockSignals(True)  # showing the matching preset must not resize again
        self.preset.setCurrentIndex(sizes.index(size) if size in sizes else len(sizes))
        self.preset.blockSignals(False)

    def options(self):
        from viewer.export import ExportOptions

        return ExportOptions(width=self.width_box.value(), height=self.height_box.value(),
                             dpi=self.dpi.value(),
                             extent=self.extent if self.shown_area.isChecked() else None,
                             layers=dict(self.state.layers), title=self.title.text().strip() or None)


class DatesBox(QGroupBox):
    """The dates a pack or an animation shows: the key events, or a regular step."""

    STEPS = ("month", "week", "day")
    changed = Signal()

    def __init__(self, dataset, key_events: bool, bounds: tuple | None = None,
                 parent: QWidget | None = None) -> None:
        """`bounds`: the in and out points (default: the dataset's whole range)."""
        from viewer.export import key_event_dates

        super().__init__("Dates", parent)
        self.dataset = dataset
        first, last = bounds or (dataset.time_start, dataset.last_day)
        self.key_dates = [d for d in key_event_dates(dataset) if first <= d <= last]
        self.key_events = QRadioButton(f"The key events ({len(self.key_dates)} dates)")
        self.regular = QRadioButton("Every")
        self.step = QComboBox()
        self.step.addItems(self.STEPS)
        self.first = self._date(first)
        self.last = self._date(last)
        self.count = QLabel()
        (self.key_events if key_events and self.key_dates else self.regular).setChecked(True)
        self.key_events.setEnabled(bool(self.key_dates))
        for signal in (self.key_events.toggled, self.step.currentIndexChanged,
                       self.first.dateChanged, self.last.dateChanged):
            signal.connect(self._count)
        row = QHBoxLayout()
        for widget in (self.regular, self.step, QLabel("from"), self.first, QLabel("to"), self.last):
            row.addWidget(widget)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.key_events)
        layout.addLayout(row)
        layout.addWidget(self.count)
        self._count()

    def _date(self, day) -> QDateEdit:
        edit = IsoDateEdit()
        edit.setDateRange(self.dataset.time_start, self.dataset.last_day)
        edit.setDate(day)
        return edit

    def dates(self) -> list:
        from viewer.export import dates_every

        if self.key_events.isChecked():
            return list(self.key_dates)
        return dates_every(self.first.date().toPython(), self.last.date().toPython(),
                           self.step.currentText())

    def captions(self) -> dict:
        """Key-event maps carry the event's date and short title."""
        from viewer.export import key_event_captions

        return key_event_captions(self.dataset) if self.key_events.isChecked() else {}

    def _count(self) -> None:
        count = len(self.dates())
        self.count.setText(f"{count} map{'s' if count != 1 else ''}")
        self.changed.emit()


class PathRow(QWidget):
    """A file or folder name with a Browse… button."""

    def __init__(self, path: Path, pick, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(str(path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._browse(pick))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(browse)

    def _browse(self, pick) -> None:
        chosen = pick(self, self.path())
        if chosen:
            self.edit.setText(chosen)

    def path(self) -> Path:
        return Path(self.edit.text().strip()).expanduser()


def _pick_file(caption: str, filters: str):
    return lambda parent, path: QFileDialog.getSaveFileName(parent, caption, str(path), filters)[0]


def _pick_folder(parent, path: Path) -> str:
    return QFileDialog.getExistingDirectory(parent, "Export into folder",
                                            str(path if path.is_dir() else path.parent))


class ExportDialog(QDialog):
    """Asks what to export, then writes it on a worker thread with progress and Cancel.

    Subclasses add their fields, set `self.path` (the PathRow of the file or
    folder to write) and implement `job(target, overwrite)`: read the
    fields (on the GUI thread) and return `run(progress, cancelled) -> message`,
    which the worker thread calls. `exported(message)` says what was written.
    `renderer` is the map's own: exports share its prepared paths instead of
    rebuilding them (seconds at large scales).
    """

    exported = Signal(str)

    def __init__(self, title: str, state, renderer, options_box: ExportOptionsBox,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.state = state
        self.renderer = renderer
        self.settings = QSettings()
        self.options_box = options_box
        self.form = QFormLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(lambda: self.start(overwrite=False))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(options_box)
        layout.addWidget(buttons)
        self.progress: QProgressDialog | None = None
        self._cancel = threading.Event()
        self.worker = Worker(self)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)

    def target(self) -> Path:
        return self.path.path()

    def job(self, target: Path, overwrite: bool):
        raise NotImplementedError

    def start(self, overwrite: bool) -> None:
        if impossible_date_refused(self):
            return
        target = self.target()
        run = self.job(target, overwrite)
        # The folder a file, or a pack's own folder, goes into: the next pack gets a new one beside it.
        self.settings.setValue("export/folder", str(target.parent))
        self._cancel.clear()
        self.progress = QProgressDialog("Exporting…", "Cancel", 0, 100, self)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(self._cancel.set)
        self.export_button.setEnabled(False)
        self.worker.start(lambda progress: run(progress, self._cancel.is_set))

    def _progress(self, text: str, fraction: float) -> None:
        if self.progress is not None:
            self.progress.setLabelText(text)
            self.progress.setValue(round(fraction * 100))

    def _stop_progress(self) -> None:
        self.export_button.setEnabled(True)
        if self.progress is not None:
            self.progress.canceled.disconnect(self._cancel.set)
            self.progress.close()
            self.progress = None

    def _finished(self, message: str) -> None:
        self._stop_progress()
        self.exported.emit(message)
        self.accept()

    def _failed(self, error: Exception) -> None:
        from viewer.export import ExportCancelled, ExportError, TargetExists

        self._stop_progress()
        if isinstance(error, ExportCancelled):
            self.exported.emit("Export cancelled; nothing was written")
        elif isinstance(error, TargetExists):
            buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            answer = plain_message(self, QMessageBox.Icon.Question, "Replace files?",
                                   f"{error}. Replace it?", buttons)
            if answer == QMessageBox.StandardButton.Yes:
                self.start(overwrite=True)
        else:
            reason = str(error) if isinstance(error, ExportError) else f"{type(error).__name__}: {error}"
            plain_message(self, QMessageBox.Icon.Warning, "Export failed", reason)


class ExportPngDialog(ExportDialog):
    """One PNG of the map on one date."""

    def __init__(self, state, renderer, extent, parent: QWidget | None = None) -> None:
        super().__init__("Export PNG", state, renderer, ExportOptionsBox(state, extent), parent)
        self.date = IsoDateEdit()
        self.date.setDateRange(state.dataset.time_start, state.dataset.last_day)
        self.date.setDate(state.date)
        name = f"{_slug(state.dataset.title)}_{state.date.isoformat()}.png"
        self.path = PathRow(_export_folder(self.settings) / name,
                            _pick_file("Export PNG", "PNG images (*.png)"))
        self.caption = QLineEdit()
        self.caption.setPlaceholderText("Optional: a caption printed under the date")
        self.form.addRow("Date", self.date)
        self.form.addRow("Caption", self.caption)
        self.form.addRow("File", self.path)

    def job(self, target, overwrite):
        from viewer.export import crowding, export_png

        dataset, day = self.state.dataset, self.date.date().toPython()
        options = replace(self.options_box.options(), caption=self.caption.text().strip() or None)
        renderer = MapRenderer(self.renderer.prepared)   # this export's own caches

        def run(progress, _cancelled):
            progress("Drawing the map", 0.0)
            export_png(dataset, day, target, options, overwrite=overwrite, renderer=renderer)
            crowded = crowding(renderer, day)
            return _saved(target) + (f" (note: {crowded})" if crowded else "")
        return run


class ExportPackDialog(ExportDialog):
    """A briefing pack: numbered PNGs and an index page with each map's events and sources."""

    def __init__(self, state, renderer, extent, parent: QWidget | None = None) -> None:
        super().__init__("Export key-event pack", state, renderer, ExportOptionsBox(state, extent),
                         parent)
        self.dates = DatesBox(state.dataset, key_events=True, bounds=state.play_range)
        self.path = PathRow(self._new_folder(), _pick_folder)
        self.dates.changed.connect(lambda: self.path.edit.setText(str(self._new_folder())))
        self.form.addRow(self.dates)
        self.form.addRow("Folder", self.path)

    def _new_folder(self) -> Path:
        """A new folder named after the dataset and the dates, beside the last export."""
        dates = self.dates.dates()
        span = dates[0].isoformat() if dates else ""
        if len(dates) > 1:
            span += f"-to-{dates[-1].isoformat()}"
        return _export_folder(self.settings) / f"{_slug(self.state.dataset.title)}-{span}".strip("-")

    def job(self, target, overwrite):
        from viewer.export import export_pack

        dataset, dates, options = self.state.dataset, self.dates.dates(), self.options_box.options()
        renderer = MapRenderer(self.renderer.prepared)   # this export's own caches

        captions = self.dates.captions()

        def run(progress, cancelled):
            result = export_pack(dataset, dates, target, options, overwrite=overwrite,
                                 progress=progress, cancelled=cancelled, renderer=renderer,
                                 captions=captions)
            return f"Saved {len(result.images)} maps and {result.index}"
        return run


class ExportAnimationDialog(ExportDialog):
    """A GIF or MP4 with one frame per date."""

    def __init__(self, state, renderer, extent, parent: QWidget | None = None) -> None:
        super().__init__("Export animation", state, renderer,
                         ExportOptionsBox(state, extent, size=(1280, 720)), parent)
        self.dates = DatesBox(state.dataset, key_events=False, bounds=state.play_range)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 30)
        self.fps.setValue(2)
        self.fps.setSuffix(" frames per second")
        name = f"{_slug(state.dataset.title)}.gif"
        self.path = PathRow(_export_folder(self.settings) / name,
                            _pick_file("Export animation", "GIF animation (*.gif);;MP4 video (*.mp4)"))
        self.form.addRow(self.dates)
        self.form.addRow("Speed", self.fps)
        self.form.addRow("File", self.path)

    def job(self, target, overwrite):
        from viewer.export import export_animation

        dataset, dates, options = self.state.dataset, self.dates.dates(), self.options_box.options()
        renderer = MapRenderer(self.renderer.prepared)   # this export's own caches
        fps = self.fps.value()

        captions = self.dates.captions()

        def run(progress, cancelled):
            export_animation(dataset, dates, target, options, fps=fps, overwrite=overwrite,
                             progress=progress, cancelled=cancelled, renderer=renderer,
                             captions=captions)
            return _saved(target)
        return run


def _saved(target: Path) -> str:
    """What the status bar says of an image or animation written, naming the list of
    sources beside it where its footer had no room for them all."""
    from viewer.export import sources_list_beside

    if listed := sources_list_beside(target):
        return f"Saved {target}; its sources are listed in full in {listed.name}"
    return f"Saved {target}"
