"""The compiled code of a package's modules in one file, kept in iaclint's cache folder.

Python imports a module by searching its folder, checking its source's time and size, then
opening, reading and checking its ``.pyc``. On the 2-core Firecracker VM the benchmarks run on,
where a system call costs 7-25 µs and the first touch of a page of memory 6-8 µs, that came to
~230 µs a module; a scan imports 20-75 policy modules (terragoat: 76). A :class:`CodeBundle`
serves the modules below one package from one file, read once, at one ``stat`` of each source:
~90 µs a module, most of it the import system's own bookkeeping (module locks, the module's
attributes), which a finder does not bypass.

The file (:func:`bundle_file`):
- lives in the parse cache's folder (``$XDG_CACHE_HOME/iaclint``), and only a scan that may use
  the cache uses it (not with ``--no-cache``). Never in the installed package: a file there that
  pip did not install outlives ``pip uninstall``, and the folder it keeps alive then shadows a
  later editable install of iaclint as a namespace package;
- is named for the package's folder, the interpreter and the optimisation level, and says which
  Python wrote it (``sys.version``, ``-O``) and for which folder;
- holds the code Python compiled: a module's ``.pyc`` when that is fresh, else its source
  compiled, as an import would;
- serves a module only while its source has the size and modification time it had when the file
  was written (the ``.pyc`` check, in nanoseconds). A module changed or added since, a file of
  another Python or another folder, an unreadable or corrupt file: each is imported the usual
  way, and :meth:`CodeBundle.refresh` writes the file again;
- is written as ``.pyc`` files are (not under ``PYTHONDONTWRITEBYTECODE``, not in a folder the
  user cannot write), to a temporary file renamed over the old one, so two runs may write it at
  once.

It holds iaclint's own code, never anything read from a scanned repository.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib.machinery import ModuleSpec

__all__ = ["CodeBundle", "bundle_file"]

_HEADER = b"iaclint code bundle 1\n"


def bundle_file(folder: str, directory: str) -> str:
    """The file in ``folder`` that keeps the code of the package whose folder is ``directory``,
    for this interpreter and optimisation level: one per installation, so that several sharing
    a cache folder do not overwrite each other's."""
    import hashlib  # the parse cache, whose folder this is, has imported it already
    tag = f"{sys.implementation.cache_tag}-O{sys.flags.optimize}"
    where = hashlib.sha256(directory.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(folder, f"code-{tag}-{where}.bin")


def _read_at(fd: int, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows
    return os.read(fd, size)


def _stamp(directory: str) -> bytes:
    return _HEADER + f"{sys.version}\n-O{sys.flags.optimize}\n{directory}\n".encode("utf-8", "surrogateescape")


class CodeBundle:
    """A finder and loader (``sys.meta_path``) for the modules below ``package``, whose folder is
    ``directory``; the package itself is imported the usual way, before them."""

    def __init__(self, package: str, directory: str, path: str):
        self.package = package
        self.prefix = package + "."
        self.directory = directory
        self.path = path
        # name -> (source relative to directory, mtime_ns, size, is a package, offset, length)
        self.entries: dict | None = None
        self._fd, self._base = -1, 0  # the open bundle, where the code starts in it
        self.stale = False  # a module was imported the usual way: refresh() writes the bundle

    # -- reading -----------------------------------------------------------------------------
    def _read(self) -> dict:
        """The index, read from the head of the file; each module's code is read when it is
        imported (reading all of it would touch ~220 new pages of memory, ~1.5 ms here)."""
        stamp = _stamp(self.directory)
        fd = -1
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            head = _read_at(fd, 16384, 0)  # the built-in pack's index: ~10 kB
            if head.startswith(stamp):
                start = len(stamp) + 8
                size = int.from_bytes(head[len(stamp):start], "little")
                if len(head) < start + size:
                    head += _read_at(fd, start + size - len(head), len(head))
                entries = marshal.loads(head[start:start + size])
                end = max((e[4] + e[5] for e in entries.values()), default=0)
                if start + size + end <= os.fstat(fd).st_size:  # not cut short
                    self._fd, self._base = fd, start + size
                    return entries
        except (OSError, TypeError, ValueError, EOFError, AttributeError, IndexError):
            pass  # missing, unreadable, cut short, not what this module writes
        if fd >= 0:
            os.close(fd)
        self.stale = True
        return {}

    def _index(self) -> dict:
        if self.entries is None:
            self.entries = self._read()
        return self.entries

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        if not name.startswith(self.prefix):
            return None
        entry = self._index().get(name)
        if entry is None:
            if not self.stale and self._exists(name):
                self.stale = True  # a module added since the bundle was written
            return None
        relative, mtime, size, is_package = entry[:4]
        source = os.path.join(self.directory, relative)
        try:
            st = os.stat(source)
        except OSError:
            self.stale = True
            return None
        if st.st_mtime_ns != mtime or st.st_size != size:
            self.stale = True  # edited since: its own .pyc or source, the usual way
            return None
        spec = ModuleSpec(name, self, origin=source, is_package=is_package)
        spec.has_location = True  # __file__ is the source, as for any module
        spec.cached = self.path
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(source)]
        return spec

    def _exists(self, name: str) -> bool:
        base = os.path.join(self.directory, *name[len(self.prefix):].split("."))
        return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))

    def create_module(self, spec):
        return None  # the default module

    def exec_module(self, module) -> None:
        exec(self.get_code(module.__name__), module.__dict__)

    def get_code(self, name: str):
        offset, length = self._index()[name][4:6]
        return marshal.loads(_read_at(self._fd, length, self._base + offset))

    def is_package(self, name: str) -> bool:
        return bool(self._index()[name][3])

    def get_source(self, name: str) -> str:
        with open(os.path.join(self.directory, self._index()[name][0]), encoding="utf-8") as fh:
            return fh.read()

    def close(self) -> None:
        """Let go of the file; the next import through the bundle reads it again."""
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self.entries = -1, None

    # -- writing -----------------------------------------------------------------------------
    def modules(self) -> list[tuple[str, str, bool]]:
        """``(name, source relative to the folder, is a package)`` of every module below the
        package: ``.py`` files of its folder and of the sub-folders that are packages."""
        out = []

        def walk(folder: str, relative: str, prefix: str) -> None:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                return
            for fn in names:
                path = os.path.join(folder, fn)
                if fn.endswith(".py") and fn != "__init__.py" and fn[:-3].isidentifier():
                    out.append((prefix + fn[:-3], os.path.join(relative, fn), False))
                elif fn.isidentifier() and os.path.isfile(os.path.join(path, "__init__.py")):
                    out.append((prefix + fn, os.path.join(relative, fn, "__init__.py"), True))
                    walk(path, os.path.join(relative, fn), prefix + fn + ".")

        walk(self.directory, "", self.prefix)
        return out

    def write(self) -> bool:
        """Write the bundle of every module below the package; False where Python would not write
        a ``.pyc`` either, or when writing failed (the modules are then imported the usual way)."""
        if sys.dont_write_bytecode:
            return False
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return False
        if not os.access(folder, os.W_OK):
            return False
        from importlib.machinery import SourceFileLoader
        entries, blobs, offset = {}, [], 0
        for name, relative, is_package in self.modules():
            source = os.path.join(self.directory, relative)
            try:
                st = os.stat(source)  # before reading: a later edit makes the entry stale, not wrong
                code = SourceFileLoader(name, source).get_code(name)
            except (OSError, SyntaxError, ValueError, ImportError):
                continue  # left to the usual import, which reports it
            blob = marshal.dumps(code)
            entries[name] = (relative, st.st_mtime_ns, st.st_size, is_package, offset, len(blob))
            blobs.append(blob)
            offset += len(blob)
        index = marshal.dumps(entries)
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as fh:
                fh.write(_stamp(self.directory) + len(index).to_bytes(8, "little") + index)
                fh.writelines(blobs)
            os.replace(temporary, self.path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            return False
        return True

    def refresh(self) -> bool:
        """Write the bundle again if a module was imported the usual way since it was read; the
        modules already imported keep the code they have."""
        if not self.stale:
            return False
        self.stale = False
        self.close()  # Windows does not replace a file that is open; later imports read the new one
        return self.write()
