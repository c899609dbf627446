"""Which files to scan, and what format each one is."""

from __future__ import annotations

import os
import re
import stat

from .files import NONBLOCKING

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__",
                                 ".terragrunt-cache", ".venv", ".tox"})


def kind_of(path: str, peek: bool = True) -> str | None:
    """``terraform``, ``tfvars``, ``kubernetes`` (any YAML), ``dockerfile``, ``tfplan`` or None.

    Other ``.json`` files are opened (their first bytes only) to recognise Terraform plan JSON,
    unless ``peek`` is false.
    """
    name = os.path.basename(path)
    lower = name.lower()
    if lower.endswith(".tf") or lower.endswith(".tf.json"):
        return "terraform"
    if lower.endswith(".tfvars") or lower.endswith(".tfvars.json"):
        return "tfvars"
    if lower.endswith((".yaml", ".yml")):
        return "kubernetes"
    if (lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile."))
            or lower.endswith(".dockerfile") or lower.endswith(".containerfile")):
        return "dockerfile"
    if lower.endswith(".json"):
        return "tfplan" if peek and _is_plan(path) else None
    return None


def _is_plan(path: str) -> bool:
    from .terraform.plan import looks_like_plan
    # Only a regular file's first bytes: opening a FIFO would block, a device never ends.
    try:
        fd = os.open(path, NONBLOCKING)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and looks_like_plan(os.read(fd, 256))
    except OSError:
        return False
    finally:
        os.close(fd)


class IgnoreRules:
    """``.gitignore``-style patterns, relative to a base directory (last match wins)."""

    def __init__(self, patterns: list[str], base: str = "."):
        self.base = os.path.abspath(base)
        self.rules: list[tuple[re.Pattern, bool, bool]] = []  # (regex, negated, dir_only)
        for raw in patterns:
            p = raw.strip()
            if not p or p.startswith("#"):
                continue
            negated = p.startswith("!")
            if negated:
                p = p[1:]
            dir_only = p.endswith("/")
            p = p.rstrip("/")
            anchored = "/" in p
            p = p.lstrip("/")
            self.rules.append((re.compile(_glob_regex(p, anchored)), negated, dir_only))

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether the absolute ``path`` is excluded; paths outside the base never are."""
        if not self.rules:
            return False
        rel = os.path.relpath(path, self.base).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            return False
        result = False
        for regex, negated, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.match(rel):
                result = not negated
        return result

    def __bool__(self) -> bool:
        return bool(self.rules)


def _glob_regex(pattern: str, anchored: bool) -> str:
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return f"^{prefix}{''.join(out)}(?:/.*)?$"


class Discovered:
    """The files a scan reports on, those it reads only to evaluate them, and what it skipped."""

    __slots__ = ("root", "files", "context", "notes")

    def __init__(self, root: str):
        self.root = root  # absolute
        # rel path -> kind, files to report on (kind None: a non-regular file named on the command line)
        self.files: dict[str, str | None] = {}
        self.context: dict[str, str] = {}  # rel path -> kind, read for evaluation only
        self.notes: list[tuple[str, str]] = []  # (rel path, why it was skipped)

    def __repr__(self) -> str:
        return f"Discovered(root={self.root!r}, files={self.files!r}, context={self.context!r}, notes={self.notes!r})"


def choose_root(paths: list[str]) -> str:
    cwd = os.getcwd()
    absolute = [os.path.abspath(p) for p in paths]
    if all(a == cwd or a.startswith(cwd + os.sep) for a in absolute):
        return cwd
    common = os.path.commonpath(absolute)
    return common if os.path.isdir(common) else os.path.dirname(common)


def _parents(path: str, root: str) -> list[str]:
    """The directories strictly between ``root`` and ``path``."""
    out, d = [], os.path.dirname(path)
    while d.startswith(root + os.sep):
        out.append(d)
        d = os.path.dirname(d)
    return out


def discover(paths: list[str], root: str, excludes: list[IgnoreRules] = ()) -> Discovered:
    found = Discovered(root=root)

    def excluded(path: str, is_dir: bool) -> bool:
        return any(rules.ignored(path, is_dir) for rules in excludes)

    real_root = os.path.realpath(root)
    modules: set[str] = set()  # directories of Terraform files passed one by one
    manifests = False          # a YAML file passed one by one

    def rel(p: str) -> str:
        return os.path.relpath(p, root).replace(os.sep, "/")

    def inside(p: str) -> bool:
        real = os.path.realpath(p)
        return real == real_root or real.startswith(real_root + os.sep)

    for p in paths:
        a = os.path.abspath(p)
        if os.path.isdir(a):
            for dirpath, filenames in _walk(a, excluded, lambda full: found.notes.append(
                    (rel(full), "symbolic link to a directory not followed"))):
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    outside = os.path.islink(full) and not inside(full)
                    kind = kind_of(full, peek=not outside)  # nothing outside the tree is opened
                    if kind is None or excluded(full, False):
                        continue
                    if outside:
                        found.notes.append((rel(full), "symbolic link out of the scanned tree not followed"))
                        continue
                    found.files[rel(full)] = kind
        elif os.path.exists(a):
            kind = kind_of(a)
            if excluded(a, False) or any(excluded(d, True) for d in _parents(a, root)):
                continue  # pre-commit passes files one by one: the config's excludes still hold
            if kind is None and os.path.isfile(a):
                found.notes.append((rel(a), "not a Terraform, YAML or Dockerfile file"))
                continue
            # A FIFO, socket or device named on the command line, whatever its name, goes to the
            # scan's reader: it refuses one with an error, as in a directory, and never blocks on it.
            if os.path.islink(a) and not inside(a):
                found.notes.append((rel(a), "symbolic link out of the scanned tree not followed"))
                continue
            found.files[rel(a)] = kind
            if kind in ("terraform", "tfvars", "tfplan"):
                # A module is evaluated whole: its siblings give variables, locals and tfvars.
                modules.add(os.path.dirname(a))
            manifests = manifests or kind == "kubernetes"
        else:
            found.notes.append((p, "no such file or directory"))
    # ... and as its callers call it: a module another directory calls is evaluated with each
    # call's arguments, as in a scan of the whole tree, never as a root with its defaults.
    if modules:
        modules |= _callers(root, modules, excluded)
    for directory in sorted(modules):
        for name in sorted(os.listdir(directory)):
            sib = os.path.join(directory, name)
            sk = kind_of(sib, peek=False)  # no plan JSON: its content is not opened to tell
            if sk in ("terraform", "tfvars") and os.path.isfile(sib) and not excluded(sib, False):
                found.context.setdefault(rel(sib), sk)
    if manifests:
        # Manifests are checked together (a NetworkPolicy selects pods of other files, Skaffold
        # and Kustomize rewrite their images): a manifest passed alone is checked against every
        # other YAML file of the tree, as in a scan of the whole tree, and only it is reported.
        for dirpath, filenames in _walk(root, excluded):
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if kind_of(full, peek=False) == "kubernetes" and not excluded(full, False) \
                        and (not os.path.islink(full) or inside(full)) and os.path.isfile(full):
                    found.context.setdefault(rel(full), "kubernetes")
    for r in list(found.context):
        if r in found.files:
            del found.context[r]
    return found


# A local module call in HCL (`source = "../x"`, also in a one-line block) or JSON
# (`"source": "./x"`, minified too; `\/` is JSON's escaped slash). Only a first pass: a match
# that is not really a call (a comment, a heredoc, another block's `source`) just adds a
# directory to evaluate, while a call it missed would leave a module evaluated as a root.
_LOCAL_SOURCE = re.compile(r'"?\bsource"?\s*[=:]\s*"(\.\.?(?:\\?/[^"\n]*)?)"')
_MAX_CALLER_BYTES = 4 * 1024 * 1024


def _callers(root: str, modules: set[str], excluded) -> set[str]:
    """The directories under ``root`` that call one of ``modules`` as a local module, directly or
    through other local modules (absolute paths).

    Finding them reads every ``.tf`` file of the tree (not parsing it: a regular expression
    finds local ``source`` arguments), so that one file passed by pre-commit is evaluated with
    the arguments its callers give, as in a scan of the whole tree.
    """
    from .files import read_text  # the reader of the scan: regular files inside the tree, bounded
    called_by: dict[str, set[str]] = {}
    real_root = os.path.realpath(root)
    for dirpath, filenames in _walk(root, excluded):
        for name in filenames:
            full = os.path.join(dirpath, name)
            if not name.endswith((".tf", ".tf.json")) or excluded(full, False):
                continue
            text = read_text(root, os.path.relpath(full, root), _MAX_CALLER_BYTES, [], real_root)
            if text is None or "source" not in text:
                continue
            for source in _LOCAL_SOURCE.findall(text):
                target = os.path.normpath(os.path.join(dirpath, source.replace("\\/", "/")))
                if target != dirpath:
                    called_by.setdefault(target, set()).add(dirpath)
    found: set[str] = set()
    pending = [os.path.normpath(m) for m in modules]
    while pending:
        for caller in called_by.get(pending.pop(), ()):
            if caller not in found and caller not in modules:
                found.add(caller)
                pending.append(caller)
    return found


def _walk(top: str, excluded, on_link=None):
    """``(directory, file names)`` under ``top``, in order, without the always-skipped and excluded
    directories, and without following symbolic links to directories (``on_link(path)`` hears of
    each)."""
    for dirpath, dirnames, filenames in os.walk(top):
        kept = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d in ALWAYS_SKIPPED_DIRS or excluded(full, True):
                continue
            if os.path.islink(full):
                if on_link is not None:
                    on_link(full)
                continue
            kept.append(d)
        dirnames[:] = kept
        yield dirpath, filenames
