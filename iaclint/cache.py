"""A parse cache on disk: what a file parsed into, keyed by its content, path and iaclint's code.

Entries live under ``$XDG_CACHE_HOME/iaclint`` (``~/.cache/iaclint``), one file each, written to
a temporary name and renamed into place, so two runs that share the cache never read half an
entry. The key covers the file's kind, path and bytes, iaclint's version and a digest of the
parser sources, so an upgrade or a local change to a parser never serves a stale parse. The
cache is bounded: when it grows past ``max_bytes`` the least recently written entries go. It
only ever holds what iaclint itself wrote in the user's own cache directory; nothing in a
scanned repository is ever loaded from or stored as a cache entry.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat

from . import __version__
from .files import NONBLOCKING, read_regular, replace_file

MAX_BYTES = 256 * 1024 * 1024
_MISSING = object()


def default_directory() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iaclint")


_FULL_DIGEST: list[str] = []


def code_digest(full: bool = False) -> str:
    """A digest of iaclint's code: the parsers (``full=False``) or every module and policy.

    The full digest keys the result cache, so a warm scan computes it every time: it covers each
    ``.py`` file's path, size and modification time rather than its bytes (reading and hashing
    the 170 files took 8 ms of a 75 ms warm scan; a stat each takes under 1 ms). Any edit, a git
    checkout or a reinstall changes a file's modification time; the parse cache, which outlives
    such changes, keys on the parsers' bytes (``_code_digest``).
    """
    if not full:
        return _code_digest()
    if not _FULL_DIGEST:
        from . import policies  # its own folder in a source checkout, inside this one when installed
        h = hashlib.sha256(__version__.encode())
        here = os.path.dirname(os.path.abspath(__file__))
        dirs = [here] + [p for p in policies.__path__
                         if os.path.commonpath([here, os.path.abspath(p)]) != here]
        for base in dirs:
            for dirpath, dirnames, files in os.walk(base):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                rel = dirpath[len(base):]
                for name in sorted(files):
                    if name.endswith(".py"):
                        try:
                            st = os.stat(os.path.join(dirpath, name))
                            stamp = f"{st.st_size}:{st.st_mtime_ns}"
                        except OSError:
                            stamp = "-"
                        h.update(f"{rel}/{name}\0{stamp}\0".encode("utf-8", "surrogatepass"))
        _FULL_DIGEST.append(h.hexdigest())
    return _FULL_DIGEST[0]


# What a parse result depends on besides the parsers themselves (every module of parsers/).
CACHED_CODE = ("model.py", "parse.py", "cache.py", "images.py")


def _code_digest() -> str:
    """A digest of the modules whose output is cached: a change to any of them is a new cache."""
    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256(__version__.encode())
    parsers = sorted(os.path.join("parsers", n) for n in os.listdir(os.path.join(here, "parsers")) if n.endswith(".py"))
    for rel in list(CACHED_CODE) + parsers:
        try:
            with open(os.path.join(here, rel), "rb") as fh:
                h.update(rel.encode() + b"\0" + fh.read())
        except OSError:
            h.update(rel.encode() + b"\0-")
    return h.hexdigest()[:16]


def _digest(path: str, limit: int = 8 << 20) -> str | None:
    """A digest of a file a scan read along the way (``file()``, a called module's file), or of a
    directory it listed (a called module's, ``fileset()``'s: the names in it), or None when it is
    neither or missing (so that one appearing later tells); read without blocking. A file over
    ``limit`` (above what the scan reads by default: 5 MB, ``file()`` 1 MiB) is known by its size
    alone."""
    try:
        fd = os.open(path, NONBLOCKING)
    except OSError:
        return None
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            names = sorted(e.name + ("/" if e.is_dir(follow_symlinks=False) else "") for e in os.scandir(fd))
            return "dir:" + hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()
        found = read_regular(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
    if found is None:
        return None
    size, data = found
    return hashlib.sha256(str(size).encode() + b"\0" + data).hexdigest()


def _is_result_entry(entry) -> bool:
    """Whether ``entry`` has the shape ``put_result`` stores: ``([(path, digest or None)], ScanResult)``."""
    from .result import ScanResult
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], list)
            and isinstance(entry[1], ScanResult)):
        return False
    return all(isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
               and isinstance(item[1], (str, type(None))) for item in entry[0])


class ParseCache:
    MISSING = _MISSING

    def __init__(self, directory: str, max_bytes: int = MAX_BYTES):
        self.root = directory
        self.directory = os.path.join(directory, _code_digest())
        self.max_bytes = max_bytes
        self.hits = self.misses = self.writes = 0

    @staticmethod
    def key(kind: str, path: str, text: str) -> str:
        return hashlib.sha256(f"{kind}\0{path}\0".encode() + text.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key[2:])

    def get(self, key: str):
        """What was stored under ``key``, or MISSING when there is no entry or it cannot be read."""
        return self.get_valid(key, lambda value: True)

    def get_valid(self, key: str, valid):
        """As :meth:`get`, but a value that ``valid`` rejects is MISSING too.

        For readers that unpack what they get: an entry of the wrong shape (damaged, or written
        by other code) is a miss like an unreadable one, and the reader's ``put`` replaces it.
        """
        try:
            with open(self._path(key), "rb") as fh:
                value = pickle.load(fh)
            ok = valid(value)
        except Exception:  # noqa: BLE001 - a missing or damaged entry is a miss, and is replaced
            ok = False
        if not ok:
            self.misses += 1
            return _MISSING
        self.hits += 1
        return value

    def put(self, key: str, value) -> None:
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            replace_file(path, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL), ".tmp-",
                         binary=True)
            self.writes += 1
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a cache that cannot be written is a slower scan, never a failed one

    # -- whole results -------------------------------------------------------------------------
    def get_result(self, key: str, root: str):
        """A kept ScanResult for ``key``, if every extra file it read is still the same."""
        entry = self.get_valid("r" + key, _is_result_entry)
        if entry is _MISSING:
            return None
        manifest, result = entry
        for path, digest in manifest:
            if _digest(os.path.join(root, path)) != digest:
                return None
        return result

    def put_result(self, key: str, result, root: str, extra: list[str]) -> None:
        """Keep ``result``; ``extra`` are files read besides the scanned ones (checked on use)."""
        import copy
        manifest = [(path, _digest(os.path.join(root, path))) for path in extra]
        light = copy.copy(result)
        light.policies = [p.without_func() for p in result.policies]
        light.findings = [f.without_resource() for f in result.findings]
        self.put("r" + key, (manifest, light))

    def prune(self) -> None:
        """Keep the cache under ``max_bytes``: drop older code digests, then the oldest entries."""
        if not self.writes:
            return
        entries = []
        total = 0
        try:
            tops = os.listdir(self.root)
        except OSError:
            return
        for top in tops:
            top_path = os.path.join(self.root, top)
            for dirpath, _dirs, files in os.walk(top_path):
                for name in files:
                    full = os.path.join(dirpath, name)
                    try:
                        st = os.stat(full)
                    except OSError:
                        continue
                    stale = not full.startswith(self.directory + os.sep)
                    entries.append((not stale, st.st_mtime, st.st_size, full))
                    total += st.st_size
        if total <= self.max_bytes and not any(not current for current, *_ in entries):
            return
        entries.sort()  # other code digests first, then oldest
        target = self.max_bytes * 0.8
        for current, _mtime, size, full in entries:
            if current and total <= target:
                break
            try:
                os.unlink(full)
                total -= size
            except OSError:
                pass
