"""Dockerfile ADD downloads a URL without --checksum.

## Why
`ADD https://...` fetches whatever the server returns at build time and puts it in the image,
with no integrity check: a compromised or hijacked download server, a DNS or proxy attack, or a
silently re-uploaded release changes the image without any change to the Dockerfile. Since
Dockerfile syntax 1.6, `ADD --checksum=sha256:...` verifies the download (for plain HTTP(S)
sources); a `git` source is pinned by commit instead.

Reported: `ADD` with an `http://` or `https://` source and no `--checksum`. Git URLs
(`https://host/repo.git#ref`, `git@...`) are not reported: `--checksum` does not apply to them.

## Fix
Add `--checksum=sha256:<hash of the file>`, or keep the file in the build context and `COPY` it,
or download in a `RUN` step that checks the hash
(`curl -fsSLo f URL && echo "<sha256>  f" | sha256sum -c -`).

## Example
```dockerfile
# bad
ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini

# good
ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
    https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from ..secrets._detect import redact

_URL = lazy_re(r"^https?://", re.I)
_GIT = lazy_re(r"(?:\.git(?:[#?].*)?$)|^git@|^git://", re.I)


@policy(id="IAC-SUP-003", name="add-from-url", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("dockerfile:stage",), equivalents=(), cwe=494,
        precision="high")
def add_from_url(resource, options):
    for i, inst in enumerate(resource.get("instructions") or ()):
        if inst.get("cmd") != "ADD" or "checksum" in (inst.get("flags") or {}):
            continue
        if inst.get("json"):
            sources = list(inst.get("argv") or ())[:-1]
        else:
            sources = (inst.get("args") or "").split()[:-1]
        urls = [s for s in sources if _URL.match(s) and not _GIT.search(s)]
        if urls:
            yield resource.finding(redact(f"ADD downloads {urls[0]} without --checksum: the content is not "
                                          "verified; add --checksum=sha256:..., or vendor the file and COPY it"),
                                   at=("instructions", i))
