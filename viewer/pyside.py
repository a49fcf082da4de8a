"""What importing PySide6 does that the viewer switches off.

Here, not in `viewer.qt`: the command line (which draws with QtGui, never widgets)
and the window both call it, right after PySide6 is first imported.
"""
from __future__ import annotations


def skip_pyside_source_scan() -> None:
    """Stop PySide6 reading the source of every module imported after it.

    For its opt-in `from __feature__ import snake_case`, PySide6 marks each
    module imported later as using PySide or not, by reading its whole source
    (inspect.getsource) and keeping it in memory: at start-up some 600 modules,
    0.05-0.1 s and 10 MB (napari/napari#8584). Only the default, "no feature",
    matters here, and a module that does import a feature is still marked by
    that import. Every other module is then marked "ignore" rather than "no
    feature": were some module to select snake_case, later ones would see it
    too. Nothing here or in the libraries used selects a feature. Where
    PySide6's internals differ, nothing is changed.
    """
    try:
        import shibokensupport.feature as feature
    except ImportError:
        return
    if hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = lambda module: False
