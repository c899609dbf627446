"""Dockerfile exposes port 22 (SSH).

## Why
`EXPOSE 22` says the image runs an SSH server. An SSH daemon in a container is one more
network service with credentials or keys to steal and brute-force, it bypasses the runtime's
audit trail (`docker exec`, `kubectl exec`, which are logged and authorised by the platform),
and it usually means long-lived keys or passwords baked into the image. Containers are replaced,
not logged into.

Reported: `22`, `22/tcp` and port ranges that contain 22 (`20-25`), also when written with a
variable whose value the Dockerfile sets (`ARG SSH_PORT=22` then `EXPOSE $SSH_PORT`). UDP ports
are not SSH and are not reported.

## Fix
Remove `EXPOSE 22` and the SSH server. Use `docker exec` / `kubectl exec` or ephemeral debug
containers to get a shell, and copy files with `docker cp` / `kubectl cp`.

## Example
```dockerfile
# bad
RUN apt-get install -y openssh-server
EXPOSE 22 8080

# good
EXPOSE 8080
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

SSH = 22
_PORT = lazy_re(r"^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$", re.I)
_VARIABLE = lazy_re(r"\$(?:\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|([A-Za-z_]\w*))")


@policy(id="IAC-NET-003", name="dockerfile-expose-ssh", severity=Severity.MEDIUM, family="network",
        applies_to=("dockerfile:stage",), equivalents=("CKV_DOCKER_1", "AVD-DS-0004"), cwe=284,
        precision="high")
def dockerfile_expose_ssh(resource, options):
    global_args = resource.get("global_args") or {}
    variables: dict[str, str] = {}
    for i, inst in enumerate(resource.get("instructions") or ()):
        cmd = inst.get("cmd")
        if cmd in ("ARG", "ENV"):
            for name, value in inst.get("pairs") or ():
                if value is None and cmd == "ARG":
                    value = global_args.get(name)  # ARG NAME re-declares a global ARG in the stage
                if isinstance(value, str) and "$" not in value:
                    variables[name] = value
                else:
                    variables.pop(name, None)
        elif cmd == "EXPOSE":
            for word in inst.get("ports") or ():
                expanded = _expand(word, variables)
                if expanded is not None and _covers_ssh(expanded):
                    shown = word if expanded == word else f"{word} (= {expanded})"
                    yield resource.finding(f"EXPOSE {shown} advertises SSH (port 22): containers should "
                                           "not run an SSH server", at=("instructions", i))


def _expand(word: str, variables: dict[str, str]) -> str | None:
    """``word`` with ``$NAME``, ``${NAME}`` and ``${NAME:-default}`` substituted, or None."""
    missing = False

    def repl(m: re.Match) -> str:
        nonlocal missing
        name = m.group(1) or m.group(3)
        if name in variables:
            return variables[name]
        if m.group(2) is not None:
            return m.group(2)
        missing = True
        return ""

    out = _VARIABLE.sub(repl, word)
    return None if missing else out


def _covers_ssh(port: str) -> bool:
    m = _PORT.match(port.strip())
    if m is None:
        return False
    low = int(m.group(1))
    high = int(m.group(2)) if m.group(2) else low
    protocol = (m.group(3) or "tcp").lower()
    return protocol == "tcp" and low <= SSH <= high
