"""Which files changed since a git revision, read from ``.git`` without running git.

``iaclint scan --changed-since REF`` must not run ``git``: a scanned repository is hostile, and
its ``.git/config`` can make git run programs of its choosing (``core.fsmonitor``, clean/smudge
filters, hooks, an external diff). So this module reads the repository format itself, read only:

* the repository: a ``.git`` directory, or a ``.git`` file saying ``gitdir: PATH`` (worktrees,
  submodules), with ``commondir`` for linked worktrees;
* refs: ``HEAD`` and other symbolic refs, loose refs, ``packed-refs`` (with peeled tags);
* objects: loose (zlib) and packed (``.idx`` version 2, pack version 2/3, with OFS_DELTA and
  REF_DELTA chains); only commits, tags and trees are ever read, never blobs;
* revisions: a full or unambiguous short hex id, ``HEAD``, a branch, a tag (annotated tags are
  peeled), a remote-tracking ref (``origin/main``, or ``origin`` for ``origin/HEAD``), each
  followed by any number of ``~N``, ``^N``, ``^{}`` or ``^{commit}``.

A file has changed when its blob id (``sha1(b"blob <size>\\0" + bytes)``) differs from the
entry in the revision's tree, or when the tree has no entry for it (a new file). A worktree file
with CRLF line ends also counts as unchanged when its LF form matches (``core.autocrlf``).
Files that git transforms in other ways (clean filters such as Git LFS) always count as
changed: more is reported, never less. SHA-256 repositories, shallow history that does not
reach the revision, and missing objects are errors (:class:`GitError`).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import struct
import zlib

__all__ = ["GitError", "Repository", "ChangedSince", "blob_id"]

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SHORT_HEX = re.compile(r"^[0-9a-fA-F]{4,40}$")
_SUFFIX = re.compile(r"~(\d*)|\^\{(\w*)\}|\^(\d*)")
_REF_FILE_LIMIT = 64 * 1024
_MAX_SYMREF_DEPTH = 10
_MAX_PEEL_DEPTH = 20
# Only commits, tags and trees are read: a commit is a few KB, a tree some 40 bytes an entry (a
# directory of 400,000 files). Objects inflate through a bound, so a small object that says (or
# turns out) to be larger, a zlib bomb in a hostile .git, is an error, not gigabytes of memory.
MAX_OBJECT_BYTES = 16 * 1024 * 1024
_MAX_READ_BYTES = 64 * 1024 * 1024  # inflated for one object, deltas of its chain included
_MAX_BASE_DEPTH = 50  # REF_DELTA bases looked up in other packs or loose objects, nested
_CHUNK = 64 * 1024

OBJ_COMMIT, OBJ_TREE, OBJ_BLOB, OBJ_TAG, OBJ_OFS_DELTA, OBJ_REF_DELTA = 1, 2, 3, 4, 6, 7
_TYPE_NAMES = {OBJ_COMMIT: "commit", OBJ_TREE: "tree", OBJ_BLOB: "blob", OBJ_TAG: "tag"}
MODE_TREE, MODE_LINK, MODE_GITLINK = "40000", "120000", "160000"


class GitError(Exception):
    """The repository cannot answer: not a repository, unknown revision, missing object..."""


def _too_large(what: str, size: int) -> GitError:
    return GitError(f"{what} is {size} bytes: more than the {MAX_OBJECT_BYTES // (1024 * 1024)} MB iaclint "
                    "reads of a commit, tag or tree (a corrupt or hostile repository?)")


def _inflate(d, read, what: str, size: int, pending: bytes = b"", said: int | None = None) -> bytes:
    """Go on inflating with the decompressobj ``d`` (``pending`` input first, then ``read(n)``)
    to the end of its stream, which must come within ``size`` bytes: a stream that goes on is a
    GitError once ``size + 1`` bytes are out, never inflated to its end (a zlib bomb). ``said``:
    the object's whole size, for the message, when some of it was inflated before."""
    out = bytearray()
    try:
        while not d.eof:
            if not pending:
                pending = read(_CHUNK)
                if not pending:
                    raise GitError(f"{what}: truncated object data")
            out += d.decompress(pending, size + 1 - len(out))
            pending = d.unconsumed_tail
            if len(out) > size:
                raise GitError(f"{what}: object data inflates past the {size if said is None else said} "
                               "bytes it says it has")
    except zlib.error as exc:
        raise GitError(f"{what}: corrupt object data ({exc})") from None
    return bytes(out)


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (SHA-1 object format)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def _read_small(path: str, limit: int = _REF_FILE_LIMIT) -> bytes | None:
    """A small metadata file's bytes, or None when it is not a regular file."""
    try:
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as fh:
            return fh.read(limit)
    except OSError:
        return None


def _inside(path: str, directory: str) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(directory)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _names_worktree(gitdir: str, dotgit: str, worktree: str) -> bool:
    """Whether the repository at ``gitdir`` names ``worktree`` as its own: a linked worktree's
    ``gitdir`` file holds the path of the worktree's ``.git`` file, a submodule's config holds
    ``core.worktree``. A relative ``gitdir:`` may only lead out of a work tree to such a one."""
    back = _read_small(os.path.join(gitdir, "gitdir"), 4096)
    if back is not None:
        path = os.path.join(gitdir, os.fsdecode(back.strip()))
        if os.path.realpath(path) == os.path.realpath(dotgit):
            return True
    value = _config_value(_read_small(os.path.join(gitdir, "config"), 1024 * 1024) or b"", "core", "worktree")
    return value is not None and os.path.realpath(os.path.join(gitdir, value)) == os.path.realpath(worktree)


def _config_value(config: bytes, section: str, key: str) -> str | None:
    """The last ``key`` of ``[section]`` in a git config file (enough for core.worktree)."""
    current, found = "", None
    for raw in config.decode("utf-8", "replace").splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        m = re.match(r"^\[\s*([A-Za-z0-9.-]+)", line)
        if m:
            current = m.group(1).lower()
            continue
        if current == section and "=" in line:
            name, value = (x.strip() for x in line.split("=", 1))
            if name.lower() == key:
                found = value.strip('"')
    return found


def _valid_ref_name(name: str) -> bool:
    """``git check-ref-format`` rules, so a revision never names a path outside the refs."""
    if not name or name.startswith(("/", "-", ".")) or name.endswith(("/", ".", ".lock")):
        return False
    if ".." in name or "//" in name or "@{" in name or name == "@":
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7f or c in " ~^:?*[\\" for c in name):
        return False
    return not any(part.startswith(".") or part.endswith(".lock") for part in name.split("/"))


# -- packs ------------------------------------------------------------------------------------

class _Pack:
    """One ``pack-*.pack`` with its version 2 ``.idx``, both memory-mapped read only."""

    def __init__(self, idx_path: str, pack_path: str):
        self.name = os.path.basename(pack_path)
        self._files = []
        self.idx = self._map(idx_path)
        self.pack = self._map(pack_path)
        idx = self.idx
        if len(idx) < 8 + 1024 or idx[:4] != b"\xfftOc":
            raise GitError(f"{os.path.basename(idx_path)}: pack index version 1 or not a pack index "
                           "(only version 2 is read)")
        version = struct.unpack(">I", idx[4:8])[0]
        if version != 2:
            raise GitError(f"{os.path.basename(idx_path)}: pack index version {version} (only 2 is read)")
        self.fanout = struct.unpack(">256I", idx[8:8 + 1024])
        self.count = self.fanout[255]
        self.names_at = 8 + 1024
        self.offsets_at = self.names_at + 24 * self.count  # after names (20n) and CRCs (4n)
        self.large_at = self.offsets_at + 4 * self.count
        if len(idx) < self.large_at + 40:
            raise GitError(f"{os.path.basename(idx_path)}: truncated pack index")
        if self.pack[:4] != b"PACK" or struct.unpack(">I", self.pack[4:8])[0] not in (2, 3):
            raise GitError(f"{self.name}: not a version 2 or 3 pack")

    def _map(self, path: str):
        fh = open(path, "rb")
        self._files.append(fh)
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            return b""

    def close(self) -> None:
        for m in (self.idx, self.pack):
            if isinstance(m, mmap.mmap):
                m.close()
        for fh in self._files:
            fh.close()

    def _name(self, i: int) -> bytes:
        at = self.names_at + 20 * i
        return self.idx[at:at + 20]

    def find(self, oid: bytes) -> int | None:
        """The pack offset of object ``oid`` (20 raw bytes), or None."""
        first = oid[0]
        lo = self.fanout[first - 1] if first else 0
        hi = self.fanout[first]
        while lo < hi:
            mid = (lo + hi) // 2
            name = self._name(mid)
            if name < oid:
                lo = mid + 1
            elif name > oid:
                hi = mid
            else:
                return self._offset(mid)
        return None

    def with_prefix(self, prefix: str) -> list[str]:
        """Ids (hex) starting with ``prefix`` (at least two hex digits), at most two."""
        first = int(prefix[:2], 16)
        lo = self.fanout[first - 1] if first else 0
        hi = self.fanout[first]
        out = []
        for i in range(lo, hi):
            name = self._name(i).hex()
            if name.startswith(prefix):
                out.append(name)
                if len(out) > 1:
                    break
        return out

    def _offset(self, i: int) -> int:
        at = self.offsets_at + 4 * i
        offset = struct.unpack(">I", self.idx[at:at + 4])[0]
        if offset & 0x80000000:
            at = self.large_at + 8 * (offset & 0x7fffffff)
            offset = struct.unpack(">Q", self.idx[at:at + 8])[0]
        return offset

    def header(self, offset: int) -> tuple[int, int, int]:
        """``(type, size, data_offset)`` of the entry at ``offset``."""
        pack = self.pack
        if offset + 1 > len(pack):
            raise GitError(f"{self.name}: offset {offset} past the end of the pack")
        c = pack[offset]
        kind, size, shift, pos = (c >> 4) & 7, c & 15, 4, offset + 1
        while c & 0x80:
            if pos >= len(pack):
                raise GitError(f"{self.name}: truncated entry at {offset}")
            c = pack[pos]
            pos += 1
            size |= (c & 0x7f) << shift
            shift += 7
        return kind, size, pos

    def inflate(self, pos: int, size: int) -> bytes:
        if size > MAX_OBJECT_BYTES:
            raise _too_large(f"{self.name}: the object at {pos}", size)
        at = pos

        def read(n: int) -> bytes:
            nonlocal at
            chunk = self.pack[at:at + n]
            at += len(chunk)
            return chunk
        out = _inflate(zlib.decompressobj(), read, f"{self.name}: the object at {pos}", size)
        if len(out) != size:
            raise GitError(f"{self.name}: object data is {len(out)} bytes, the entry says {size}")
        return out


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data):
            raise GitError("corrupt delta: truncated size")
        c = data[i]
        i += 1
        value |= (c & 0x7f) << shift
        shift += 7
        if not c & 0x80:
            return value, i


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """Git's delta format: source size, target size, then copy and insert instructions."""
    src_size, i = _varint(delta, 0)
    dst_size, i = _varint(delta, i)
    if src_size != len(base):
        raise GitError(f"corrupt delta: base is {len(base)} bytes, the delta expects {src_size}")
    if dst_size > MAX_OBJECT_BYTES:
        raise _too_large("a delta's result", dst_size)
    out = bytearray()
    n = len(delta)
    while i < n:
        if len(out) > dst_size:  # copies of a small base can make any size: stop at the one declared
            break
        op = delta[i]
        i += 1
        if op & 0x80:
            offset = size = 0
            for k in range(4):
                if op & (1 << k):
                    offset |= delta[i] << (8 * k)
                    i += 1
            for k in range(3):
                if op & (0x10 << k):
                    size |= delta[i] << (8 * k)
                    i += 1
            size = size or 0x10000
            if offset + size > len(base):
                raise GitError("corrupt delta: copy past the end of the base")
            out += base[offset:offset + size]
        elif op:
            out += delta[i:i + op]
            i += op
        else:
            raise GitError("corrupt delta: reserved instruction 0")
    if len(out) != dst_size:
        raise GitError(f"corrupt delta: result is {len(out)} bytes, expected {dst_size}")
    return bytes(out)


# -- the repository ---------------------------------------------------------------------------

class Repository:
    """A git repository read from disk. Use as a context manager (packs are memory-mapped)."""

    def __init__(self, worktree: str, gitdir: str):
        self.worktree = worktree
        self.gitdir = gitdir
        common = _read_small(os.path.join(gitdir, "commondir"))
        if common is not None:
            target = common.decode("utf-8", "replace").strip()
            self.commondir = os.path.normpath(os.path.join(gitdir, target))
        else:
            self.commondir = gitdir
        self.objects = os.path.join(self.commondir, "objects")
        if not os.path.isdir(self.objects):
            raise GitError(f"{gitdir}: no objects directory: not a git repository")
        self._check_format()
        self._packs: list[_Pack] | None = None
        self._cache: dict[tuple[str, int], tuple[int, bytes]] = {}
        self._cache_bytes = 0
        self.shallow = self._shallow()

    # discovery
    @classmethod
    def discover(cls, start: str) -> "Repository":
        """The repository whose work tree holds ``start`` (a file or directory)."""
        here = os.path.abspath(start)
        if not os.path.isdir(here):
            here = os.path.dirname(here)
        while True:
            dotgit = os.path.join(here, ".git")
            if os.path.isdir(dotgit):
                return cls(here, dotgit)
            if os.path.isfile(dotgit):
                data = _read_small(dotgit) or b""
                m = re.match(rb"gitdir:\s*(.+?)\s*$", data.split(b"\n", 1)[0])
                if not m:
                    raise GitError(f"{dotgit}: a .git file without 'gitdir: PATH'")
                written = os.fsdecode(m.group(1))
                target = os.path.join(here, written)
                if not os.path.isdir(target):
                    raise GitError(f"{dotgit}: gitdir {written} does not exist")
                if not os.path.isabs(written) and not _inside(target, here) and not _names_worktree(
                        target, dotgit, here):
                    raise GitError(f"{dotgit}: gitdir {written} leads out of {here}, to a repository that "
                                   "does not name this work tree (a worktree's gitdir file, a submodule's "
                                   "core.worktree): not followed")
                return cls(here, os.path.normpath(target))
            parent = os.path.dirname(here)
            if parent == here:
                raise GitError(f"{os.path.abspath(start)} is not inside a git work tree")
            here = parent

    def _check_format(self) -> None:
        config = _read_small(os.path.join(self.commondir, "config"), 1024 * 1024) or b""
        section = ""
        for raw in config.decode("utf-8", "replace").splitlines():
            line = raw.split("#", 1)[0].split(";", 1)[0].strip()
            m = re.match(r"^\[\s*([A-Za-z0-9.-]+)", line)
            if m:
                section = m.group(1).lower()
                continue
            if section == "extensions" and "=" in line:
                key, value = (x.strip() for x in line.split("=", 1))
                if key.lower() == "objectformat" and value.strip('"').lower() != "sha1":
                    raise GitError(f"the repository uses the {value.strip(chr(34))} object format; "
                                   "only SHA-1 repositories can be read")
                if key.lower() == "refstorage" and value.strip('"').lower() != "files":
                    raise GitError(f"the repository stores refs as {value.strip(chr(34))}; only "
                                   "loose refs and packed-refs can be read")

    def _shallow(self) -> frozenset[str]:
        data = _read_small(os.path.join(self.commondir, "shallow"), 64 * 1024 * 1024) or b""
        return frozenset(x.strip() for x in data.decode("ascii", "replace").split() if x.strip())

    def close(self) -> None:
        for pack in self._packs or ():
            pack.close()
        self._packs = []
        self._cache.clear()

    def __enter__(self) -> "Repository":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # objects
    def packs(self) -> list[_Pack]:
        if self._packs is None:
            self._packs = []
            pack_dir = os.path.join(self.objects, "pack")
            try:
                names = sorted(os.listdir(pack_dir))
            except OSError:
                names = []
            for name in names:
                if name.endswith(".idx") and name.startswith("pack-"):
                    pack = os.path.join(pack_dir, name[:-4] + ".pack")
                    if os.path.isfile(pack):
                        self._packs.append(_Pack(os.path.join(pack_dir, name), pack))
        return self._packs

    def read(self, oid: str, _depth: int = 0) -> tuple[str, bytes]:
        """``(type, content)`` of object ``oid`` (hex)."""
        if not _HEX40.match(oid):
            raise GitError(f"not a SHA-1 object id: {oid!r}")
        if _depth > _MAX_BASE_DEPTH:
            raise GitError(f"object {oid}: delta bases nested too deeply (a cycle between packs?)")
        loose = os.path.join(self.objects, oid[:2], oid[2:])
        if os.path.isfile(loose):
            return self._read_loose(loose, oid)
        raw = bytes.fromhex(oid)
        for pack in self.packs():
            offset = pack.find(raw)
            if offset is not None:
                kind, data = self._read_packed(pack, offset, _depth)
                return _TYPE_NAMES[kind], data
        hint = " (the clone is shallow: fetch more history, e.g. fetch-depth: 0)" if self.shallow else \
            " (a partial or incomplete clone?)"
        raise GitError(f"object {oid} is not in the repository{hint}")

    def _read_loose(self, path: str, oid: str) -> tuple[str, bytes]:
        # "<type> <size>\0" comes first: a size over the limit is refused before the body inflates
        what = f"object {oid}"
        try:
            with open(path, "rb") as fh:
                d = zlib.decompressobj()
                head = d.decompress(fh.read(_CHUNK), 64)
                header, sep, start = head.partition(b"\0")
                parts = header.split(b" ")
                if not sep or len(parts) != 2 or not parts[1].isdigit() or len(parts[1]) > 20 \
                        or int(parts[1]) < len(start):
                    raise GitError(f"{what}: corrupt loose object header")
                size = int(parts[1])
                if size > MAX_OBJECT_BYTES:
                    raise _too_large(what, size)
                body = start + _inflate(d, fh.read, what, size - len(start), d.unconsumed_tail, size)
        except (OSError, zlib.error) as exc:
            raise GitError(f"{what}: cannot read loose object ({exc})") from None
        if len(body) != size:
            raise GitError(f"{what}: corrupt loose object header")
        return parts[0].decode("ascii", "replace"), body

    def _read_packed(self, pack: _Pack, offset: int, depth: int = 0) -> tuple[int, bytes]:
        chain: list[bytes] = []  # deltas, outermost first
        base: tuple[int, bytes] | None = None
        at = offset
        spent = 0
        while True:
            cached = self._cache.get((pack.name, at))
            if cached is not None:
                base = cached
                break
            kind, size, pos = pack.header(at)
            spent += size
            if spent > _MAX_READ_BYTES:
                raise GitError(f"{pack.name}: the object at {offset} and its delta chain inflate to more than "
                               f"{_MAX_READ_BYTES // (1024 * 1024)} MB")
            if kind == OBJ_OFS_DELTA:
                c = pack.pack[pos]
                pos += 1
                distance = c & 0x7f
                while c & 0x80:
                    c = pack.pack[pos]
                    pos += 1
                    distance = ((distance + 1) << 7) | (c & 0x7f)
                chain.append(pack.inflate(pos, size))
                if distance <= 0 or distance > at:
                    raise GitError(f"{pack.name}: delta base offset out of range at {at}")
                at -= distance
                if len(chain) > 10000:
                    raise GitError(f"{pack.name}: delta chain too long")
            elif kind == OBJ_REF_DELTA:
                base_id = pack.pack[pos:pos + 20]
                chain.append(pack.inflate(pos + 20, size))
                found = pack.find(base_id)
                if found is not None:
                    at = found
                    continue
                name, data = self.read(base_id.hex(), depth + 1)
                base = ({v: k for k, v in _TYPE_NAMES.items()}[name], data)
                break
            elif kind in _TYPE_NAMES:
                base = (kind, pack.inflate(pos, size))
                self._remember(pack.name, at, base)
                break
            else:
                raise GitError(f"{pack.name}: unknown object type {kind} at {at}")
        kind, data = base
        for delta in reversed(chain):
            data = apply_delta(data, delta)
        if chain:
            self._remember(pack.name, offset, (kind, data))
        return kind, data

    def _remember(self, pack: str, offset: int, value: tuple[int, bytes]) -> None:
        if len(value[1]) > 4 * 1024 * 1024:
            return
        if self._cache_bytes > 64 * 1024 * 1024:
            self._cache.clear()
            self._cache_bytes = 0
        self._cache[(pack, offset)] = value
        self._cache_bytes += len(value[1])

    def _with_prefix(self, prefix: str) -> list[str]:
        prefix = prefix.lower()
        found: set[str] = set()
        try:
            names = os.listdir(os.path.join(self.objects, prefix[:2]))
        except OSError:
            names = []
        for name in names:
            if len(name) == 38 and (prefix[:2] + name).startswith(prefix):
                found.add(prefix[:2] + name)
        for pack in self.packs():
            found.update(pack.with_prefix(prefix))
        return sorted(found)

    # refs
    def _ref_file(self, name: str) -> bytes | None:
        for base in dict.fromkeys((self.gitdir, self.commondir)):
            data = _read_small(os.path.join(base, *name.split("/")))
            if data is not None:
                return data
        return None

    def _packed_refs(self) -> dict[str, tuple[str, str | None]]:
        if not hasattr(self, "_packed"):
            refs: dict[str, tuple[str, str | None]] = {}
            data = _read_small(os.path.join(self.commondir, "packed-refs"), 256 * 1024 * 1024) or b""
            last = None
            for line in data.decode("utf-8", "replace").splitlines():
                if not line or line.startswith("#"):
                    continue
                if line.startswith("^") and last is not None:
                    refs[last] = (refs[last][0], line[1:].strip())
                    continue
                parts = line.split(" ", 1)
                if len(parts) == 2:
                    refs[parts[1].strip()] = (parts[0].strip(), None)
                    last = parts[1].strip()
            self._packed = refs
        return self._packed

    def ref(self, name: str, depth: int = 0) -> str | None:
        """The object id a full ref name (``HEAD``, ``refs/heads/main``) points at, or None."""
        if depth > _MAX_SYMREF_DEPTH:
            raise GitError(f"symbolic ref {name} loops")
        data = self._ref_file(name)
        if data is not None:
            text = data.decode("utf-8", "replace").strip()
            if text.startswith("ref:"):
                target = text[4:].strip()
                if not _valid_ref_name(target):
                    raise GitError(f"{name}: symbolic ref to an invalid name {target!r}")
                return self.ref(target, depth + 1)
            first = text.split(None, 1)[0] if text else ""
            if _HEX64.match(first):
                raise GitError(f"{name} holds a SHA-256 id: only SHA-1 repositories can be read")
            if _HEX40.match(first):
                return first
            if name.startswith("refs/"):
                raise GitError(f"{name}: not a ref file")
            return None
        packed = self._packed_refs().get(name)
        return packed[0] if packed else None

    # revisions
    def resolve(self, revision: str) -> str:
        """The commit id a revision names (``main``, ``v1.2``, ``origin/main~3``, ``a1b2c3d^2``)."""
        rev = revision.strip()
        if not rev:
            raise GitError("empty revision")
        cut = min((i for i in (rev.find("~"), rev.find("^")) if i >= 0), default=len(rev))
        base, suffix = rev[:cut], rev[cut:]
        oid = self._resolve_base(base or "HEAD", revision)
        pos = 0
        oid = self.peel(oid)
        while pos < len(suffix):
            m = _SUFFIX.match(suffix, pos)
            if not m:
                raise GitError(f"cannot read revision {revision!r} at {suffix[pos:]!r} "
                               "(supported: ~N, ^N, ^{{}}, ^{{commit}})")
            pos = m.end()
            if m.group(1) is not None:            # ~N: N first parents
                for _ in range(int(m.group(1) or 1)):
                    oid = self._parent(oid, 1, revision)
            elif m.group(2) is not None:          # ^{} / ^{commit}
                if m.group(2) not in ("", "commit"):
                    raise GitError(f"{revision!r}: only ^{{}} and ^{{commit}} are supported")
            else:                                 # ^N: the N-th parent (^0: the commit itself)
                n = int(m.group(3) or 1)
                if n:
                    oid = self._parent(oid, n, revision)
        return self.peel(oid)  # reads it: a missing commit is an error here, not later

    def _resolve_base(self, name: str, revision: str) -> str:
        if _HEX40.match(name.lower()):
            return name.lower()
        if _HEX64.match(name.lower()):
            raise GitError(f"{name} is a SHA-256 id: only SHA-1 repositories can be read")
        if name == "@":
            name = "HEAD"
        if _valid_ref_name(name):
            candidates = [f"refs/{name}", f"refs/tags/{name}", f"refs/heads/{name}",
                          f"refs/remotes/{name}", f"refs/remotes/{name}/HEAD"]
            if name.startswith("refs/") or re.fullmatch(r"[A-Z_]+", name):
                candidates.insert(0, name)
            for full in candidates:
                oid = self.ref(full)
                if oid is not None:
                    return oid
        if _SHORT_HEX.match(name):
            matches = self._with_prefix(name)
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise GitError(f"short id {name} is ambiguous: use more digits")
        raise GitError(f"unknown revision {revision!r}: no such branch, tag, remote ref or commit "
                       "(in CI, fetch it first, e.g. actions/checkout with fetch-depth: 0)")

    def peel(self, oid: str) -> str:
        """Follow annotated tags to the commit they name."""
        for _ in range(_MAX_PEEL_DEPTH):
            kind, data = self.read(oid)
            if kind == "commit":
                return oid
            if kind != "tag":
                raise GitError(f"{oid} is a {kind}, not a commit")
            m = re.search(rb"^object ([0-9a-f]{40})$", data, re.M)
            if not m:
                raise GitError(f"tag {oid} names no object")
            oid = m.group(1).decode()
        raise GitError(f"tag {oid}: too many nested tags")

    def _commit_field(self, oid: str, field: str) -> list[str]:
        kind, data = self.read(oid)
        if kind != "commit":
            raise GitError(f"{oid} is a {kind}, not a commit")
        header = data.split(b"\n\n", 1)[0]
        return [m.decode() for m in re.findall(rb"^" + field.encode() + rb" ([0-9a-f]{40})$", header, re.M)]

    def _parent(self, oid: str, n: int, revision: str) -> str:
        if oid in self.shallow:  # its parents were cut off by a shallow fetch
            raise GitError(f"{revision!r}: commit {oid[:12]} is the edge of a shallow clone; "
                           "fetch more history (e.g. actions/checkout with fetch-depth: 0)")
        parents = self._commit_field(oid, "parent")
        if len(parents) < n:
            raise GitError(f"{revision!r}: commit {oid[:12]} has no parent {n}")
        return parents[n - 1]

    def commit_tree(self, commit: str) -> str:
        trees = self._commit_field(commit, "tree")
        if len(trees) != 1:
            raise GitError(f"commit {commit} has no tree")
        return trees[0]

    def tree(self, oid: str) -> dict[str, tuple[str, str]]:
        """``{name: (mode, id)}`` of a tree object."""
        kind, data = self.read(oid)
        if kind != "tree":
            raise GitError(f"{oid} is a {kind}, not a tree")
        entries: dict[str, tuple[str, str]] = {}
        i, n = 0, len(data)
        while i < n:
            space = data.find(b" ", i)
            nul = data.find(b"\0", space + 1)
            if space < 0 or nul < 0 or nul + 21 > n:
                raise GitError(f"tree {oid}: corrupt entry at byte {i}")
            mode = data[i:space].decode("ascii", "replace")
            name = os.fsdecode(data[space + 1:nul])
            entries[name] = (mode, data[nul + 1:nul + 21].hex())
            i = nul + 21
        return entries


class ChangedSince:
    """``changed(path)`` for files of one work tree compared with the tree of a revision."""

    def __init__(self, repo: Repository, revision: str):
        self.repo = repo
        self.revision = revision
        self.commit = repo.resolve(revision)
        self._dirs: dict[tuple[str, ...], dict[str, tuple[str, str]] | None] = {
            (): repo.tree(repo.commit_tree(self.commit))}
        self._real_worktree = os.path.realpath(repo.worktree)

    @classmethod
    def open(cls, start: str, revision: str) -> "ChangedSince":
        repo = Repository.discover(start)
        try:
            return cls(repo, revision)
        except BaseException:
            repo.close()
            raise

    def close(self) -> None:
        self.repo.close()

    def __enter__(self) -> "ChangedSince":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _directory(self, parts: tuple[str, ...]) -> dict[str, tuple[str, str]] | None:
        """The tree entries of a directory at the revision; None when it does not exist there."""
        if parts in self._dirs:
            return self._dirs[parts]
        parent = self._directory(parts[:-1])
        entry = parent.get(parts[-1]) if parent is not None else None
        result = self.repo.tree(entry[1]) if entry is not None and entry[0] == MODE_TREE else None
        if entry is not None and entry[0] == MODE_GITLINK:
            result = None  # a submodule: its files are another repository's
        self._dirs[parts] = result
        return result

    def relative(self, path: str) -> str | None:
        """``path`` relative to the work tree (POSIX), or None when it is outside it."""
        absolute = os.path.abspath(path)
        real = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
        rel = os.path.relpath(real, self._real_worktree)
        if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
            return None
        return rel.replace(os.sep, "/")

    def changed(self, path: str) -> bool:
        rel = self.relative(path)
        if rel is None:
            raise GitError(f"{path} is outside the git work tree {self.repo.worktree}")
        parts = tuple(rel.split("/"))
        if ".git" in parts:
            return True
        directory = self._directory(parts[:-1])
        entry = directory.get(parts[-1]) if directory is not None else None
        if entry is None or entry[0] in (MODE_TREE, MODE_GITLINK):
            return True  # new since the revision (or was a directory then)
        try:
            if os.path.islink(path):
                data = os.fsencode(os.readlink(path))
            else:
                with open(path, "rb") as fh:
                    data = fh.read()
        except OSError:
            return True
        if blob_id(data) == entry[1]:
            return False
        return b"\r\n" not in data or blob_id(data.replace(b"\r\n", b"\n")) != entry[1]

    __call__ = changed
