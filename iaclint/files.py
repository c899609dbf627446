"""Reading a file the scan did not write, and writing a report.

A path in a scanned repository can be a FIFO (reading it would wait forever), a device (it never
ends) or a huge file. Each reader opens it with ``O_NONBLOCK`` (so that opening a FIFO returns at
once) and hands the descriptor to :func:`read_regular`, which says whether it is a regular file
and reads at most one byte past the reader's bound; the reader words its own refusals.
:func:`read_text` is the scan's reader (the parse floor in ``benchmarks/`` reads with it too, without
importing the engine). Reports and baselines are written by :func:`write_atomically`, through :func:`replace_file`.
"""

from __future__ import annotations

import os
import stat

MAX_FILE_BYTES = 5 * 1024 * 1024  # a scanned file larger than this is refused (--max-file-size)

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


def read_text(root: str, path: str, limit: int, diagnostics: list,
              real_root: str | None = None) -> str | None:
    """The text of one file, or None with an error diagnostic that says why it was not read.

    Only regular files inside the scanned tree are read, at most ``limit`` bytes: a FIFO would
    block the scan forever, a device never ends, and a symbolic link (or a path through one)
    that leads out of the tree is not followed.
    """
    from .model import Diagnostic, Span  # here: `iaclint --version` imports this module, not the model
    full = os.path.join(root, path)
    real_root = real_root or os.path.realpath(root)  # a scan resolves it once for all its files
    real = os.path.realpath(full)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        diagnostics.append(Diagnostic("note", "skipped: symbolic link out of the scanned tree not followed",
                                      path, None, "skipped"))
        return None
    try:
        fd = os.open(full, NONBLOCKING)
    except OSError as exc:
        diagnostics.append(Diagnostic("error", f"cannot read file: {exc.strerror or exc}", path,
                                      Span.point(1), "unreadable"))
        return None
    try:
        found = read_regular(fd, limit)
        if found is None:
            diagnostics.append(Diagnostic("error", "not a regular file (a FIFO, socket or device): not read",
                                          path, Span.point(1), "not-a-file"))
            return None
        size, data = found
        if size > limit or len(data) > limit:
            diagnostics.append(Diagnostic(
                "error", f"file is {max(size, len(data))} bytes, over the limit of {limit} bytes "
                "(raise it with --max-file-size)", path, Span.point(1), "file-too-large"))
            return None
    except OSError as exc:
        diagnostics.append(Diagnostic("error", f"cannot read file: {exc.strerror or exc}", path,
                                      Span.point(1), "unreadable"))
        return None
    finally:
        os.close(fd)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        diagnostics.append(Diagnostic("error", "UTF-16 or UTF-32 text (byte order mark): only UTF-8 is read",
                                      path, Span.point(1), "encoding"))
        return None
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        diagnostics.append(Diagnostic("error", "binary file (NUL byte): not a text file", path,
                                      Span.point(line), "binary-file"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.append(Diagnostic("error", f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path,
                                      Span.point(line, column), "encoding"))
        return None
    return text


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
    replace_file(os.path.realpath(path), write, prefix, mode)


def replace_file(target: str, write, prefix: str, mode: int | None = None, binary: bool = False) -> None:
    """Call ``write(fh)`` on a new temporary file beside ``target``, then rename it over ``target``;
    on any failure the temporary file is removed and ``target`` is left as it was.

    ``mode`` sets the new file's permissions (else mkstemp's 0600); text is UTF-8 with ``\\n``
    line ends unless ``binary``. The report writer and the parse cache both write this way.
    """
    import tempfile  # here: a run that writes no file does not import it (and random)
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(target))
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
