"""Giving freed memory back to the system (glibc only; elsewhere a no-op)."""
from __future__ import annotations

import ctypes


def release_free_memory() -> None:
    """Return the malloc heap's free pages to the system.

    glibc keeps large freed buffers (images, a reader's scratch arrays) in its
    heaps, where fragmentation can pin them for the rest of the session.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to do
