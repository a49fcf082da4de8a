"""Live refresh: hear a colleague's save on a team database (PostgreSQL LISTEN/NOTIFY).

One idle connection LISTENs on the schema's channel; Qt watches its socket
(QSocketNotifier), so nothing polls and no thread waits. A save elsewhere
arrives as a notification carrying the new edit_log position: `saved(position)`.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from viewer.io.pg_store import channel
from viewer.io.pg_url import DatabaseUrl


class LiveUpdates(QObject):
    saved = Signal(int)   # the edit_log position after a save (by anyone)
    lost = Signal(str)    # the connection dropped: live refresh stops, saying why

    def __init__(self, url: DatabaseUrl, parent: QObject | None = None) -> None:
        from psycopg import sql

        super().__init__(parent)
        self._conn = url.connect(autocommit=True, connect_timeout=10)
        self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel(url.schema))))
        self._notifier = QSocketNotifier(self._conn.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def _read(self, *_args) -> None:
        import psycopg

        try:
            positions = [int(n.payload) for n in self._conn.notifies(timeout=0)]
        except psycopg.OperationalError as error:
            self.close()
            self.lost.emit(str(error).strip().splitlines()[0] if str(error).strip() else "closed")
            return
        if positions:
            self.saved.emit(max(positions))

    def close(self) -> None:
        self._notifier.setEnabled(False)
        self._conn.close()
