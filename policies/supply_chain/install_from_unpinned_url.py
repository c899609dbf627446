"""Dockerfile installs a package straight from a URL or Git branch without pinning it (pip, npm, go, cargo).

## Why
`pip install git+https://github.com/org/lib`, `npm install github:org/lib`, `go install
example.com/tool@latest` and `cargo install --git URL` install whatever the branch or the
server holds at build time, bypassing the package index's immutable releases and the lock file.
A force-push, a compromised maintainer account or a hijacked download changes the image with no
change in the Dockerfile, and two builds of the same commit differ.

Reported in `RUN` commands: `pip install` (also `pip3`, `python -m pip`, `uv pip`) of a VCS URL
(`git+https://...`) with no `@ref` or a branch ref (`@main`, `@master`), or of an `http(s)`
archive without a `#sha256=` fragment (and no `--require-hashes`); `npm`/`yarn`/`pnpm`
install of a Git URL, `github:` shorthand or tarball URL with no commit (`#<sha>`); `go install`
/ `go get` of `@latest` (or a branch name); `cargo install --git` without `--rev` or `--tag`.
Installs from the index with a version (`pip install flask==3.0.3`) are not this policy's
business; nor are requirement files.

## Fix
Install released versions from the index, pinned in a lock or requirements file with hashes.
When a URL is unavoidable, pin it: a commit SHA (`git+https://...@4f7c2a9e`, `#4f7c2a9e`,
`cargo install --git URL --rev 4f7c2a9e`), an exact Go version (`tool@v1.8.2`), or a hash
(`https://.../pkg.tar.gz#sha256=...`).

## Example
```dockerfile
# bad
RUN pip install git+https://github.com/acme/client.git \
 && go install golang.org/x/tools/gopls@latest

# good
RUN pip install "git+https://github.com/acme/client.git@4f7c2a9e1b3d5f6a8c0e2d4b6a8c0e2d4b6a8c0e" \
 && go install golang.org/x/tools/gopls@v0.16.2
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from .._docker import first_command, run_scripts
from ..secrets._detect import redact

_PIPS = lazy_re(r"^pip(?:\d+(?:\.\d+)*)?$")
_BRANCHES = frozenset({"main", "master", "develop", "dev", "trunk", "head", "latest", "default", "stable"})
_VCS = lazy_re(r"^(?:git|hg|svn|bzr)\+[a-z+]+://", re.I)
_ARCHIVE = lazy_re(r"^https?://\S+\.(?:zip|tar\.gz|tgz|tar\.bz2|tar\.xz|whl)(?:[?#].*)?$", re.I)
_NODE = frozenset({"npm", "yarn", "pnpm"})
_NODE_GIT = lazy_re(r"^(?:git\+[a-z]+://|git://|github:|gitlab:|bitbucket:|https://github\.com/)", re.I)


def _vcs_ref(url: str) -> str | None:
    """The ``@ref`` of a pip VCS URL (after the host, before ``#egg=``), or None."""
    body = url.split("#", 1)[0]
    path = body.split("://", 1)[-1]
    _, at, ref = path.rpartition("@")
    return ref if at and "/" not in ref else None


def _pip_problem(args: list[str]) -> str | None:
    if "--require-hashes" in args:
        return None
    for word in args:
        if _VCS.match(word):
            ref = _vcs_ref(word)
            if ref is None or ref.lower() in _BRANCHES:
                return f"pip installs {word} from a moving branch"
        elif _ARCHIVE.match(word) and "sha256=" not in word:
            return f"pip installs {word} without a #sha256= hash"
    return None


def _node_problem(name: str, args: list[str]) -> str | None:
    if not args or args[0] not in ("install", "i", "add", "global"):
        return None
    for word in args[1:]:
        if word.startswith("-"):
            continue
        if _NODE_GIT.match(word):
            ref = word.rpartition("#")[2] if "#" in word else None
            if ref is None or ref.lower() in _BRANCHES or ref.startswith("semver:"):
                return f"{name} installs {word} from a moving branch"
        elif _ARCHIVE.match(word) or re.match(r"^https?://\S+/tarball/(?:main|master)\b", word):
            return f"{name} installs the tarball {word} without a pinned version"
    return None


def _command_problem(cmd) -> str | None:
    name, args = cmd.name, cmd.args
    if _PIPS.match(name) and args[:1] == ["install"]:
        return _pip_problem(args[1:])
    if re.match(r"^python[\d.]*$", name) and args[:3] == ["-m", "pip", "install"]:
        return _pip_problem(args[3:])
    if name == "uv" and args[:2] == ["pip", "install"]:
        return _pip_problem(args[2:])
    if name in _NODE:
        return _node_problem(name, args)
    if name == "go" and args[:1] in (["install"], ["get"]):
        for word in args[1:]:
            module, at, version = word.rpartition("@")
            if at and module and version.lower() in _BRANCHES:
                return f"go {args[0]} {word} takes whatever is newest"
    if name == "cargo" and args[:1] == ["install"] and "--git" in args:
        if not any(a in args or any(x.startswith(a + "=") for x in args) for a in ("--rev", "--tag")):
            return "cargo install --git without --rev or --tag builds the default branch"
    return None


@policy(id="IAC-SUP-010", name="install-from-unpinned-url", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("dockerfile:stage",), cwe=829, precision="high")
def install_from_unpinned_url(resource, options):
    for i, _inst, scripts in run_scripts(resource):
        problem = next((p for script in scripts if (p := _script_problem(script))), None)
        if problem:
            yield resource.finding(redact(f"RUN: {problem}; pin a commit, version or hash"), at=("instructions", i))


_script_problem = first_command(_command_problem)
