"""Dockerfile RUN pipes a download straight into a shell (curl ... | sh).

## Why
`curl https://get.example.sh | sh` runs whatever the server sends at build time, unseen and
unverified, as the build's user (usually root). A compromised or hijacked server, CDN or DNS
answer, or a truncated download, becomes code in the image, and the next build may run
something different with no change to the Dockerfile. Servers can even tell `curl | sh` apart
from a browser and serve a different script.

Reported: a pipeline where `curl` or `wget` feeds a shell reading stdin (`| sh`, `| bash -s --`,
`| sudo -E bash -`) or an interpreter running stdin (`| python3`, `| perl`, `| node`), and a
shell running a download directly: `bash <(curl ...)`, `sh -c "$(curl ...)"`,
`eval "$(wget -O- ...)"`. Commands are split into shell words first, so text inside quotes
(`echo "curl x | sh"`) does not count, and a shell given a command (`| sh -c 'cat > f'`) or an
interpreter given a program (`| python3 -m json.tool`) reads stdin as data and does not count.

## Fix
Download to a file, verify it against a checksum or signature published separately, then run it
(see below); better, install from a package manager or copy a pinned release.

## Example
```dockerfile
# bad
RUN curl -fsSL https://deb.nodesource.com/setup_22.x | bash -

# good
RUN curl -fsSLo /tmp/setup.sh https://deb.nodesource.com/setup_22.x \
 && echo "3c5e...d9a1  /tmp/setup.sh" | sha256sum -c - \
 && bash /tmp/setup.sh
```
"""

from __future__ import annotations

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from .._docker import SHELLS, per_script, pipelines, run_scripts, runs_stdin
from ..secrets._detect import redact

DOWNLOADERS = frozenset({"curl", "wget", "fetch"})
_RUNS_DOWNLOAD = lazy_re(r"^(<\(|\$\(|`)\s*(?:sudo\s+)?(curl|wget|fetch)\b")


@policy(id="IAC-SUP-002", name="curl-pipe-shell", severity=Severity.HIGH, family="supply-chain",
        applies_to=("dockerfile:stage",), equivalents=(),
        cwe=494, precision="high")
def curl_pipe_shell(resource, options):
    for i, _inst, scripts in run_scripts(resource):
        found = next((f for script in scripts if (f := _script_download(script))), None)
        if found:
            yield resource.finding(redact(f"RUN executes a download without verifying it ({found}); download "
                                          "to a file and check its hash first"), at=("instructions", i))


@per_script
def _script_download(script: str) -> str | None:
    return next((f for pipeline in pipelines(script) if (f := _piped(pipeline) or _substituted(pipeline))), None)


def _piped(pipeline) -> str | None:
    """``curl URL | sh``: a downloader earlier in the pipeline, a shell or interpreter that
    runs its stdin later."""
    for k, cmd in enumerate(pipeline):
        if cmd.name in DOWNLOADERS:
            for later in pipeline[k + 1:]:
                if runs_stdin(later.argv):
                    return f"{cmd.name} ... | {' '.join(later.words)}"
    return None


def _substituted(pipeline) -> str | None:
    """``bash <(curl URL)``, ``sh -c "$(curl URL)"``, ``eval "$(curl URL)"``."""
    for cmd in pipeline:
        name, args = cmd.name, cmd.args
        if name in SHELLS or name in ("eval", "source", "."):
            for word in args:
                m = _RUNS_DOWNLOAD.match(word.strip())
                if m:
                    opener, tool = m.groups()
                    closer = "`" if opener == "`" else ")"
                    flag = "-c " if "-c" in args[:args.index(word)] else ""
                    return f"{name} {flag}{opener}{tool} ...{closer}"
    return None
