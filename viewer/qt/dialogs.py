"""Dialogs: a file's problems, About, data sources and licences (exports: export_dialogs.py).

Everything shown here that comes from a dataset is escaped or set as plain
text: a dataset is untrusted input.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from viewer import __version__
from viewer.model.links import web_link
from viewer.qt.iso_date_edit import IsoDateEdit

# Licences of what ships inside the app, besides the dataset's own line.
BUNDLED_LICENCES = (
    ("Base map", "Natural Earth, public domain"),
    ("Facts (events, series, control, routes)", "compiled by the Kachin Viewer project, CC BY 4.0"),
    ("Place coordinates", "Wikipedia (CC BY-SA), GeoNames (CC BY 4.0), "
                          "MIMU place codes via mm-geo-coder (MIT)"),
)


def impossible_date_refused(dialog: QWidget) -> bool:
    """Whether a date field of `dialog` holds a typed date that is none or out of range
    (2025-02-30); if so, says which and puts the cursor there. A good one is settled."""
    for field in dialog.findChildren(IsoDateEdit):
        problem = field.typed_problem()
        if problem:
            plain_message(dialog, QMessageBox.Icon.Warning, "Not a date", problem)
            field.setFocus()
            return True
    return False


def plain_label(text: str = "") -> QLabel:
    """A label that shows `text` as it is: a dataset title or a file name such as
    `<img src=…>` is never taken for rich text."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_menu_text(text: str) -> str:
    """`text` for a menu item or button as it is: its '&' is not taken for the mark of
    a keyboard shortcut ("R&D" would show as "RD")."""
    return text.replace("&", "&&")


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as it is. Qt guesses whether a tooltip is rich text,
    so `text` is escaped inside an explicit rich-text wrapper."""
    return f"<qt>{html.escape(text)}</qt>" if text else ""


def plain_message(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str,
                  buttons=QMessageBox.StandardButton.Ok) -> QMessageBox.StandardButton:
    """A modal message box whose text (file names, error lines) is plain text."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return QMessageBox.StandardButton(box.exec())


def open_web_link(url: QUrl) -> None:
    """Open an http(s) link in the user's browser; anything else is ignored."""
    link = web_link(url.toString())
    if link is not None:
        QDesktopServices.openUrl(QUrl(link))


class ProblemDialog(QDialog):
    """Every problem line of a file that could not be opened (or opened with warnings)."""

    def __init__(self, title: str, intro: str, lines: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 360)
        label = plain_label(intro)
        label.setWordWrap(True)
        self.lines = QPlainTextEdit()
        self.lines.setReadOnly(True)
        self.lines.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.lines.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy all")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.lines.toPlainText()))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.lines)
        layout.addWidget(buttons)


class RichTextDialog(QDialog):
    """Read-only rich text whose web links open, only when clicked, in the browser."""

    def __init__(self, title: str, body_html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 460)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(open_web_link)
        self.browser.setHtml(body_html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def _meta(dataset, key: str) -> str:
    return html.escape(dataset.meta.get(key, "").strip()) if dataset is not None else ""


def _licence_rows(dataset) -> list[tuple[str, str]]:
    rows = list(BUNDLED_LICENCES)
    if dataset is not None:
        rows.insert(0, (f"This dataset ({dataset.title})",
                        "; ".join(v for v in (dataset.meta.get("license", "").strip(),
                                              dataset.meta.get("attribution", "").strip()) if v)
                        or "no licence stated"))
    return rows


def about_html(dataset) -> str:
    """Version, the open dataset, and the licences of everything bundled."""
    licences = "".join(f"<tr><td><b>{html.escape(what)}</b>&nbsp;&nbsp;</td>"
                       f"<td>{html.escape(terms)}</td></tr>" for what, terms in _licence_rows(dataset))
    opened = ""
    if dataset is not None:
        opened = (f"<h3>Open dataset</h3><p><b>{html.escape(dataset.title)}</b><br>"
                  f"{_meta(dataset, 'subtitle')}</p><p>{_meta(dataset, 'description')}</p>")
    return (f"<h2>Kachin Viewer {html.escape(__version__)}</h2>"
            "<p>An offline timeline-and-map viewer for briefing datasets: scrub a date to see who "
            "held which area and which export routes ran, and click anything for its sources. "
            "It never connects to the network.</p>"
            f"{opened}<h3>Licences</h3><table>{licences}</table>")


class SourcesDialog(QDialog):
    """Every row of the dataset's `sources` table, and the licence lines."""

    COLUMNS = (("outlet", "Outlet"), ("title", "Title"), ("published", "Published"), ("url", "Address"))

    def __init__(self, dataset, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data sources and licences")
        self.resize(1100, 600)
        licences = QLabel("<br>".join(f"<b>{html.escape(what)}:</b> {html.escape(terms)}"
                                      for what, terms in _licence_rows(dataset)))
        licences.setWordWrap(True)
        self.table = QTableWidget(len(dataset.sources), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([title for _, title in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, record in enumerate(dataset.sources.itertuples(index=False)):
            for column, (name, _) in enumerate(self.COLUMNS):
                value = getattr(record, name, None)
                item = QTableWidgetItem(_plain(value))
                item.setToolTip(plain_tooltip(item.text()))
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, 240)
        self.table.setColumnWidth(3, 300)
        self.table.setSortingEnabled(True)
        self.table.sortItems(0, Qt.SortOrder.AscendingOrder)
        count = QLabel(f"{len(dataset.sources)} sources. Addresses are shown as text; "
                       "nothing is fetched.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(licences)
        layout.addWidget(self.table)
        layout.addWidget(count)
        layout.addWidget(buttons)


def _plain(value: object) -> str:
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)
