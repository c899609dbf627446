"""Reading a file the scan did not write, and writing a report.

A path in a scanned repository can be a FIFO (reading it would wait forever), a device (it never
ends) or a huge file. Each reader opens it with ``O_NONBLOCK`` (so that opening a FIFO returns at
once) and hands the descriptor to :func:`read_regular`, which says whether it is a regular file
and reads at most one byte past the reader's bound; the reader words its own refusals.
Reports and baselines are written by :func:`write_atomically`.
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


def write_atomically(path: str, write, prefix: str = ".iaclint-") -> None:
    """Call ``write(fh)`` to write ``path`` as UTF-8 text, whole or not at all.

    A regular file, or a new one, is written under a temporary name beside it and renamed over
    it: a crash or an interrupted run leaves the previous file as it was. It keeps the existing
    file's permissions; a new file gets those the umask gives, as ``open()`` would. A symbolic
    link is followed: the file it names is replaced and the link kept. Anything else
    (``/dev/null``, ``/dev/stdout``, a FIFO) is opened and written in place, because a rename
    would replace it: run as root, ``-o /dev/null`` used to turn the device into a file.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
        return
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile
    target = os.path.realpath(path)
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(target))
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
