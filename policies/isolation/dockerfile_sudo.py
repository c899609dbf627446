"""Dockerfile RUN uses sudo in the image it ships.

## Why
A `RUN sudo ...` under a non-root `USER` builds only because that user may run `sudo` without a
password. The permission stays in the image: any process running as that user in a container,
an attacker's included, becomes root with one command, which undoes the point of the `USER`.
`sudo` also behaves differently without a terminal and with its environment reset, which makes
builds surprising.

Reported in the final stage and in the stages it is built `FROM` (whose files and users it
inherits); steps in other build stages leave nothing in the image and are not reported. A `sudo`
run while the `USER` is known to be root is not reported either: it is useless but grants
nothing. With no `USER` in the chain, the base image's user decides, and images that make
`sudo` work ship a sudo-enabled user. `sudo` is recognised as the command that runs another
(`sudo -E make install`, `env X=1 sudo ...`), not as a word elsewhere (`apt-get install sudo`).

## Fix
Run the steps that need root under `USER root` and switch back to the unprivileged user after
them; do not install `sudo` or give the runtime user sudo rights.

## Example
```dockerfile
# bad
FROM ghcr.io/example/dev-base:3.1
USER dev
RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends jq

# good
FROM ghcr.io/example/dev-base:3.1
USER root
RUN apt-get update && apt-get install -y --no-install-recommends jq
USER dev
```
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from iaclint.model import Severity
from iaclint.registry import policy

from .._docker import pipelines, run_scripts
from .dockerfile_root_user import _is_root

ESCALATORS = frozenset({"sudo", "doas"})


@policy(id="IAC-ISO-029", name="dockerfile-sudo", severity=Severity.MEDIUM, family="isolation",
        applies_to=("dockerfile:stage",), scope="project",
        equivalents=("CKV2_DOCKER_1", "AVD-DS-0010"), cwe=250, precision="high")
def dockerfile_sudo(project, options):
    by_file = defaultdict(list)
    for stage in project.of_type("dockerfile:stage"):
        by_file[stage.file].append(stage)
    for stages in by_file.values():
        stages.sort(key=lambda s: s.get("index"))
        yield from project.guarded(_check_file(stages), stages[-1])


def _check_file(stages):
    by_name = {s.get("name"): s for s in stages if s.get("name") is not None}
    final = next((s for s in stages if s.get("final")), None)
    if final is None:
        return
    chain = [final]  # the final stage, then what it is built FROM, nearest first
    while chain[-1].get("from_stage") in by_name and by_name[chain[-1].get("from_stage")] not in chain:
        chain.append(by_name[chain[-1].get("from_stage")])
    user = None  # the USER in force, carried from the oldest stage of the chain down
    for stage in reversed(chain):
        runs = {i: scripts for i, _inst, scripts in run_scripts(stage)}
        for i, inst in enumerate(stage.get("instructions") or ()):
            if inst.get("cmd") == "USER" and isinstance(inst.get("user"), str):
                user = inst.get("args") or inst["user"]
            elif i in runs:
                found = _escalation(runs[i])
                if found is None or (user is not None and _is_root(user)):
                    continue
                if user is None:
                    why = ("the image's user needs sudo rights for it, and keeps them: use USER root "
                           "for this step instead")
                else:
                    why = (f"USER {user} can become root without a password in every container of "
                           "this image: use USER root for this step instead")
                yield stage.finding(f"RUN uses {found}: {why}", at=("instructions", i))


def _escalation(scripts) -> str | None:
    """``sudo`` or ``doas`` when one of the scripts runs a command through it."""
    for script in scripts:
        for pipeline in pipelines(script):
            for cmd in pipeline:
                wrappers = cmd.words[:len(cmd.words) - len(cmd.argv)]
                for word in wrappers:
                    name = posixpath.basename(word)
                    if name in ESCALATORS:
                        return name
    return None
