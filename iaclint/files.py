"""Reading a file the scan did not write: never blocking on it, never more than a bound.

A path in a scanned repository can be a FIFO (reading it would wait forever), a device (it never
ends) or a huge file. Each reader opens it with ``O_NONBLOCK`` (so that opening a FIFO returns at
once) and hands the descriptor to :func:`read_regular`, which says whether it is a regular file
and reads at most one byte past the reader's bound; the reader words its own refusals.
"""

from __future__ import annotations

import os
import stat

# open() flags every reader starts from
NONBLOCKING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_regular(fd: int, limit: int) -> tuple[int, bytes] | None:
    """``(size, data)`` of the file open on ``fd``, or None when it is not a regular file.

    ``size`` is what the file system says; ``data`` holds at most ``limit + 1`` bytes, none when
    ``size`` is already over ``limit``. A ``size`` or ``len(data)`` over ``limit`` means the file
    is too large for the reader. ``OSError`` from ``fstat`` or ``read`` is the caller's to word.
    """
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return None
    chunks, size = [], 0
    while size <= limit and st.st_size <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return st.st_size, b"".join(chunks)
