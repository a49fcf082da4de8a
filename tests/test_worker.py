"""Work on threads reports to the GUI thread, and never to a window that has gone."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Windows closed (their C++ objects deleted at once) while their worker threads
# are still reporting progress: each report must find nobody, not crash.
CLOSED_WHILE_REPORTING = textwrap.dedent("""
    import threading
    import time
    import shiboken6
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication
    from viewer.qt.loader import Worker

    app = QApplication([])
    heard = []
    for attempt in range(150):
        window = QObject()
        worker = Worker(window, daemon=True)
        worker.finished.connect(heard.append)
        worker.start(lambda progress: [progress("reading", 0.5) for _ in range(200)])
        time.sleep(0.0005 * (attempt % 7))
        shiboken6.delete(window)
        app.processEvents()
    alive = Worker()
    alive.finished.connect(heard.append)
    alive.start(lambda progress: "read")
    deadline = time.monotonic() + 10
    while "read" not in heard and time.monotonic() < deadline:
        app.processEvents()
    print(heard)
    # Every report made before the interpreter ends: this script never quits the app,
    # the window's way of stopping reports (the next test checks that way).
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(10)
""")


# The application quits while reads on daemon threads are still reporting progress.
QUIT_WHILE_REPORTING = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication
    from viewer.qt.loader import Worker

    app = QApplication([])
    window = QObject()
    workers = [Worker(window, daemon=True) for _ in range(4)]
    for worker in workers:
        worker.start(lambda progress: [progress("reading", 0.5) for _ in range(10**7)])
    QTimer.singleShot(int(sys.argv[1]), app.quit)
    app.exec()
""")


def run_python(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, timeout=120,
                          capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)})


def test_a_window_closed_while_its_worker_reports_does_not_crash_the_app():
    ran = run_python(CLOSED_WHILE_REPORTING)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip() == "['read']"   # the closed windows' workers reach nobody


def test_quitting_while_reads_report_progress_ends_the_app_cleanly():
    """It crashed at exit about one run in three before (SIGSEGV)."""
    codes = [run_python(QUIT_WHILE_REPORTING, str(milliseconds)).returncode
             for milliseconds in (14, 28, 42, 56, 70, 84)]
    assert codes == [0] * 6
