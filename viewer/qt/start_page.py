"""The page the window shows until a dataset is open: progress, or how to open one."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.io.pg_url import display_name
from viewer.qt.dialogs import plain_label


class StartPage(QWidget):
    """What the window shows until a dataset is open: progress, or how to open one."""

    def __init__(self, open_action: QAction, embedded_action: QAction,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = plain_label()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        # Centred, a bar takes its size hint, too narrow for "Reading base_admin1 29%".
        self.progress.setFixedWidth(380)
        buttons = QHBoxLayout()
        for action in (open_action, embedded_action):
            button = QPushButton(action.text().replace("&", "").rstrip("."))
            button.clicked.connect(action.trigger)
            button.setEnabled(action.isEnabled())
            buttons.addWidget(button)
        self.buttons = QWidget()
        self.buttons.setLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.message)
        layout.addWidget(self.progress, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.buttons, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        self.show_idle("No dataset is open.")

    def show_loading(self, path: str) -> None:
        self.message.setText(f"Opening {display_name(path)}…")
        self.progress.setValue(0)
        self.progress.show()
        self.buttons.hide()

    def show_progress(self, text: str, fraction: float) -> None:
        self.progress.setValue(round(fraction * 100))
        self.progress.setFormat(f"{text} %p%")

    def show_idle(self, message: str) -> None:
        self.message.setText(message)
        self.progress.hide()
        self.buttons.show()
