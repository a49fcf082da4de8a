"""The Chapters panel: a briefing's chapters, made from the window's views.

"Add view" records the current date, map extent and layers as a new chapter;
the title and caption are edited below the list; chapters are reordered by
dragging and deleted with Delete. Every change is an edit command
(viewer.model.chapter_edits) handed to the window's edit session, so it can
be undone and is saved to the file with the other edits. Text typed and not
applied is applied when another chapter is chosen or the window closes, and
kept while other edits change the file. Double-click a chapter to show its
view; Present (F5) starts presenter mode there.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from viewer.model.briefing import Briefing, Chapter, LonLatBox, visible_layers
from viewer.model.changes import EditRefused
from viewer.model.chapter_edits import AddChapter, DeleteChapter, EditChapter, MoveChapter
from viewer.model.dates import format_date
from viewer.model.text import isolated
from viewer.qt.dialogs import plain_label, plain_tooltip

NEW_BRIEFING_ID = "briefing"


class ChaptersPanel(QWidget):
    """Lists one briefing's chapters; edits go to `session` (may_edit(), push(edit))."""

    present_requested = Signal(int)      # index of the chapter to start presenting from
    view_requested = Signal(object)      # a Chapter whose view the window should show

    def __init__(self, state, session, current_view: Callable[[], LonLatBox],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.session, self.current_view = state, session, current_view
        self.briefing_box = QComboBox()
        self.briefing_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.chapters = QListWidget()
        self.chapters.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self.chapters.model().rowsMoved.connect(self._rows_moved)
        self.chapters.currentItemChanged.connect(lambda *_items: self._chapter_chosen())
        self.chapters.itemDoubleClicked.connect(lambda _item: self._request_view())
        self.title = QLineEdit(placeholderText="Title")
        self.caption = QPlainTextEdit(placeholderText="Caption: what this view shows, in your words")
        self.caption.setTabChangesFocus(True)
        self.sources = QLineEdit(placeholderText="Sources: ids from the sources layer, ;-separated")
        # Who each id is (they were shown as ids only): outlet and title, plain text.
        self.sources_named = plain_label()
        self.sources_named.setWordWrap(True)
        self.sources.textChanged.connect(self._name_sources)
        self.message = plain_label()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.add_button = QPushButton("Add view", clicked=self.add_current_view)
        self.add_button.setToolTip("A chapter with the map's date, extent and layers as they are now")
        self.apply_button = QPushButton("Apply text", clicked=self.apply_text)
        self.delete_button = QPushButton("Delete", clicked=self.delete_selected)
        self.present_button = QPushButton("Present", clicked=self._request_present)
        self.present_button.setToolTip("Full screen from this chapter (F5); Esc leaves")
        self._shown_id: str | None = None    # the chapter whose text the fields hold
        self._shown_text: dict[str, str] = {}   # and the text they were filled with
        self._build_layout()
        state.dataset_changed.connect(lambda _dataset: self.refresh())
        if state.dataset is not None:   # else the first dataset_changed fills it
            self.refresh()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.delete_button, self.present_button):
            buttons.addWidget(button)
        text_row = QHBoxLayout()
        text_row.addWidget(self.title, 1)
        text_row.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.briefing_box)
        layout.addWidget(self.chapters, 2)
        layout.addLayout(buttons)
        layout.addLayout(text_row)
        layout.addWidget(self.caption, 1)
        layout.addWidget(self.sources)
        layout.addWidget(self.sources_named)
        layout.addWidget(self.message)

    # -- what is shown ---------------------------------------------------------------
    def briefing(self) -> Briefing | None:
        briefings = self.state.dataset.briefings
        chosen = self.briefing_box.currentData()
        return next((b for b in briefings if b.briefing_id == chosen), briefings[0] if briefings else None)

    def selected(self) -> Chapter | None:
        briefing, row = self.briefing(), self.chapters.currentRow()
        return briefing.chapters[row] if briefing and 0 <= row < len(briefing.chapters) else None

    def refresh(self) -> None:
        """Rebuild from the state's dataset, keeping the briefing and chapter selected,
        and the text typed for it and not applied yet (another edit, an undo)."""
        keep = self.selected()
        typed = self._typed() if self._unapplied(keep) else None
        self._fill_briefings()
        briefing = self.briefing()
        self.chapters.blockSignals(True)
        self.chapters.clear()
        for number, chapter in enumerate(briefing.chapters if briefing else (), 1):
            item = QListWidgetItem(f"{number}. {isolated(chapter.title)} — {format_date(chapter.date)}")
            item.setData(Qt.ItemDataRole.UserRole, chapter.chapter_id)
            item.setToolTip(plain_tooltip(chapter.caption))
            self.chapters.addItem(item)
            if keep is not None and chapter.chapter_id == keep.chapter_id:
                self.chapters.setCurrentItem(item)
        self.chapters.blockSignals(False)
        self._show_text()
        chosen = self.selected()
        if typed is not None and chosen is not None and chosen.chapter_id == keep.chapter_id:
            self._show_typed(typed)

    def _fill_briefings(self) -> None:
        briefings = self.state.dataset.briefings
        chosen = self.briefing_box.currentData()
        self.briefing_box.blockSignals(True)
        self.briefing_box.clear()
        for briefing in briefings:
            self.briefing_box.addItem(briefing.title, briefing.briefing_id)
        index = self.briefing_box.findData(chosen)
        self.briefing_box.setCurrentIndex(max(index, 0))
        self.briefing_box.setVisible(len(briefings) > 1)
        self.briefing_box.blockSignals(False)

    def _show_text(self) -> None:
        chapter = self.selected()
        self._shown_id = chapter.chapter_id if chapter else None
        self._shown_text = _text_of(chapter) if chapter else {"title": "", "caption": "",
                                                               "source_ids": ""}
        self._show_typed(self._shown_text)
        for widget in (self.title, self.caption, self.sources, self.apply_button,
                       self.delete_button):
            widget.setEnabled(chapter is not None)
        self.present_button.setEnabled(self.briefing() is not None and bool(self.briefing().chapters))

    def _show_typed(self, text: dict[str, str]) -> None:
        self.title.setText(text["title"])
        self.caption.setPlainText(text["caption"])
        self.sources.setText(text["source_ids"])

    def _name_sources(self) -> None:
        ids = [i.strip() for i in self.sources.text().replace(",", ";").split(";") if i.strip()]
        known = {r["source_id"]: r for r in self.state.dataset.source_records(";".join(ids))}
        self.sources_named.setText("\n".join(
            f"{i} — {known[i].get('outlet') or i}: {known[i].get('title') or ''}" if i in known
            else f"{i}: not a source of this briefing" for i in ids))

    def _typed(self) -> dict[str, str]:
        ids = ";".join(i.strip() for i in self.sources.text().replace(",", ";").split(";")
                       if i.strip())
        return {"title": self.title.text(), "caption": self.caption.toPlainText(),
                "source_ids": ids}

    def _unapplied(self, chapter: Chapter | None) -> bool:
        """Whether the fields hold text typed for `chapter` and not applied: changed
        since they were filled (against the chapter as it is now, an undone caption
        still in the fields counted as typed, and came back)."""
        return (chapter is not None and chapter.chapter_id == self._shown_id
                and self._typed() != self._shown_text)

    def _chapter_chosen(self) -> None:
        shown = self._shown_chapter()
        if self._unapplied(shown):   # typed, then another chapter chosen: it was thrown away
            typed = self._typed()
            if not self._submit(EditChapter(shown.chapter_id, typed)):
                self._select(shown.chapter_id)   # refused: back to it, the text kept
                self._show_typed(typed)
                return
        self._show_text()

    def _select(self, chapter_id: str) -> None:
        self.chapters.blockSignals(True)
        for row in range(self.chapters.count()):
            if self.chapters.item(row).data(Qt.ItemDataRole.UserRole) == chapter_id:
                self.chapters.setCurrentRow(row)
        self.chapters.blockSignals(False)

    def _shown_chapter(self) -> Chapter | None:
        briefing = self.briefing()
        return next((c for c in briefing.chapters if c.chapter_id == self._shown_id), None) \
            if briefing else None

    def apply_unapplied_text(self) -> None:
        """Apply what was typed for the shown chapter (the window closes: it would be lost)."""
        if self._unapplied(self._shown_chapter()):
            self.apply_text()

    # -- edits ------------------------------------------------------------------------
    def add_current_view(self) -> None:
        briefing = self.briefing()
        number = len(briefing.chapters) + 1 if briefing else 1
        state = self.state
        self._submit(AddChapter(
            briefing.briefing_id if briefing else NEW_BRIEFING_ID,
            f"Chapter {number}: {format_date(state.date)}", state.date, self.current_view(),
            visible_layers(state.layers), briefing_title=f"{state.dataset.title} briefing"))
        self.chapters.setCurrentRow(self.chapters.count() - 1)

    def apply_text(self) -> None:
        chapter = self._shown_chapter()
        if chapter is not None:
            self._submit(EditChapter(chapter.chapter_id, self._typed()))

    def delete_selected(self) -> None:
        chapter = self.selected()
        if chapter is not None:
            self._submit(DeleteChapter(chapter.chapter_id))

    def _rows_moved(self, _parent, start: int, _end: int, _destination, row: int) -> None:
        briefing = self.briefing()
        if briefing is None or not 0 <= start < len(briefing.chapters):
            return
        index = row - 1 if row > start else row   # Qt gives the row before which it was dropped
        self._submit(MoveChapter(briefing.chapters[start].chapter_id, index))

    def _submit(self, command) -> bool:
        """Check the command on the shown dataset and push it as one undoable edit."""
        self.message.clear()
        if not self.session.may_edit():
            self.refresh()
            self.message.setText("Not changed: the briefing cannot be edited here now")
            return False
        try:
            edit = command.edit(self.state.dataset, self.state.date)
        except EditRefused as refused:
            self.message.setText(f"Not changed: {refused.field}: {refused.reason}")
            self.refresh()
            return False
        self.session.push(edit)
        return True

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.chapters.hasFocus():
            self.delete_selected()
        else:
            super().keyPressEvent(event)

    # -- requests to the window ---------------------------------------------------------
    def _request_view(self) -> None:
        chapter = self.selected()
        if chapter is not None:
            self.view_requested.emit(chapter)

    def _request_present(self) -> None:
        self.present_requested.emit(max(self.chapters.currentRow(), 0))


def _text_of(chapter: Chapter) -> dict[str, str]:
    return {"title": chapter.title, "caption": chapter.caption,
            "source_ids": ";".join(chapter.source_ids)}
