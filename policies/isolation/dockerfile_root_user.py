"""Dockerfile's final stage runs as root (no USER, or the last USER is root).

## Why
A container's processes run as the image's user. Root inside the container is the same UID 0 as
on the host, kept in check only by namespaces, capabilities and seccomp: one kernel or runtime
escape (CVE-2019-5736 in runc, CVE-2022-0492 in cgroups) and the attacker is root on the node.
Root also lets a compromised process rewrite the image's binaries, install tools and bind low
ports. Most applications need none of that.

What counts is the final stage, which becomes the image. Its user is its last `USER`, or the
user inherited from the stage it is built `FROM` (`FROM build` keeps `build`'s last `USER`).
With neither, the base image decides, and almost all base images run as root (`python`, `node`,
`debian`, `alpine`, `scratch`; Windows `servercore` as `ContainerAdministrator`): that is
reported at the `FROM`. Base images known to default to a non-root user are trusted: distroless
`:nonroot` tags, .NET `-chiseled` images and Windows `nanoserver` (`ContainerUser`). A final
stage `FROM` a variable without a default is not reported: its base image, and so its user, is
unknown. Images whose entrypoint drops privileges at start (`gosu`, `su-exec`) are reported,
and the message says so: the container still starts as root, and `exec` sessions get root.

A language or distribution *base image* without a `USER` is reported too: it starts every
container as root, and so does every image built `FROM` it that does not set a `USER` of its
own. When the final stage looks like one (its only command is a bare shell or interpreter prompt,
`CMD ["python3"]`, `CMD ["bash"]`, with no `ENTRYPOINT` other than a pass-through
`docker-entrypoint.sh` and no files copied in besides that script), the message says so: an image
meant only as a base for others can record that with a suppression and its reason, above the
`FROM`:

```dockerfile
# iaclint: ignore[IAC-ISO-005] base image: the application images built FROM it set USER
FROM debian:bookworm-slim
```

## Differences from Checkov
Checkov's CKV_DOCKER_3 fails every Dockerfile without any `USER` instruction; iaclint reports the
same files, base images included, at the final stage's `FROM`. Checkov also passes a file where
an earlier build stage has a `USER` but the final one runs as root; iaclint judges the final
stage only, and reports a final stage that inherits `USER root` from an earlier one. A final
stage `FROM` an image known to run as non-root (distroless `:nonroot`, chiseled .NET,
`nanoserver`) is not reported; Checkov reports it.

## Fix
Create an unprivileged user (or use a numeric UID, which works with `runAsNonRoot` in
Kubernetes) and switch to it after the steps that need root:
`RUN useradd --uid 10001 --no-create-home app` then `USER 10001`.

## Example
```dockerfile
# bad
FROM python:3.12-slim
COPY app /app
CMD ["python", "/app/main.py"]

# good
FROM python:3.12-slim
RUN useradd --uid 10001 --no-create-home app
COPY app /app
USER 10001
CMD ["python", "/app/main.py"]
```
"""

from __future__ import annotations

import re
from collections import defaultdict

from iaclint.lazyre import lazy_re
from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from .._docker import SHELLS, run_scripts, split_words

ROOT_USERS = ("root", "0", "containeradministrator")
# Base images whose own configuration already selects a non-root user.
# Compiled only for an image that could match (``nonroot`` in it, or ``mcr`` first, case aside):
# three patterns every scan of a Dockerfile paid ~0.4 ms for, and few images need.
_NON_ROOT_BASE = lazy_re(
    r"(?i)(?::[^/@]*nonroot[^/@]*(?:@|$))"                      # gcr.io/distroless/*:nonroot, :debug-nonroot
    r"|(?:^mcr\.microsoft\.com/dotnet/[^:]+:[^@]*chiseled)"       # .NET chiseled: USER app
    r"|(?:^mcr\.microsoft\.com/.*nanoserver)"                    # runs as ContainerUser
)
_WINDOWS = lazy_re(r"(?i)^mcr\.microsoft\.com/.*(?:windows|servercore)")
_DIGEST = lazy_re(r"@(sha256:[0-9a-f]{12})[0-9a-f]+")


@policy(id="IAC-ISO-005", name="dockerfile-root-user", severity=Severity.MEDIUM, family="isolation",
        applies_to=("dockerfile:stage",), scope="project",
        equivalents=("CKV_DOCKER_3", "CKV_DOCKER_8", "AVD-DS-0002"), cwe=250, precision="high")
def dockerfile_root_user(project, options):
    by_file = defaultdict(list)
    for stage in project.of_type("dockerfile:stage"):
        by_file[stage.file].append(stage)
    for stages in by_file.values():
        stages.sort(key=lambda s: s.get("index"))
        yield from project.guarded(_check_file(stages), stages[-1])


def _check_file(stages):
    # The user each stage ends with: (user, stage that set it, instruction index), or None.
    effective = {}
    by_name = {}
    for stage in stages:
        own = _last_user(stage)
        parent = stage.get("from_stage")
        if own is not None:
            effective[id(stage)] = own
        elif parent is not None and parent in by_name:
            effective[id(stage)] = effective.get(id(by_name[parent]))
        else:
            effective[id(stage)] = None
        if stage.get("name") is not None:
            by_name[stage.get("name")] = stage
    final = next((s for s in stages if s.get("final")), None)
    if final is None:
        return
    current = effective[id(final)]
    if current is None:
        image = _base_image(final, by_name)
        if isinstance(image, Unknown):
            raise UnknownValue(image)  # FROM $IMAGE without a default: its user is not known (counted)
        if image is None:
            return
        low = image.lower()
        microsoft = low.startswith("mcr")
        if ("nonroot" in low or microsoft) and _NON_ROOT_BASE.search(image):
            return
        chain = _chain(final, by_name)
        shown = _DIGEST.sub(r"@\1...", image) if "@sha256:" in image else image
        if image == "scratch":
            message = "no USER is set in the final stage FROM scratch, so the process starts as UID 0 (root)"
        elif microsoft and _WINDOWS.search(image):
            message = ("no USER is set in the final stage, so the container starts as ContainerAdministrator "
                       f"(the default user of {shown}, unless that image sets USER)")
        else:
            message = ("no USER is set in the final stage, so the container starts as root "
                       f"(the default user of {shown}, unless that image sets USER)")
        stepper = _steps_down(chain)
        if stepper:
            message += (f"; an entrypoint that steps down with {stepper} still starts the container as "
                        "root, and exec sessions get root")
        if _is_base_image(chain):
            message += ("; if this image is only a base for other images, which set their own USER, "
                        "suppress this finding with that reason")
        yield final.finding(message, at=("instructions", 0))
        return
    user, owner, index = current
    if not _is_root(user):
        return
    if owner is final:
        yield final.finding(f"the last USER of the final stage is root (USER {user})",
                            at=("instructions", index))
    else:
        line = owner.span(("instructions", index)).line
        yield final.finding(f"the final stage inherits USER {user} from stage {owner.get('name')!r} "
                            f"(line {line}); add a USER for an unprivileged user",
                            at=("instructions", 0))


def _last_user(stage):
    found = None
    for i, inst in enumerate(stage.get("instructions") or ()):
        if inst.get("cmd") == "USER" and isinstance(inst.get("user"), str):
            found = (inst.get("args") or inst["user"], stage, i)
    return found


def _base_image(stage, by_name):
    """The external image a stage starts from, following FROM <earlier stage> chains."""
    seen = set()
    while stage.get("from_stage") is not None and stage.get("from_stage") in by_name:
        if id(stage) in seen:
            return None
        seen.add(id(stage))
        stage = by_name[stage.get("from_stage")]
    return stage.get("image")


def _is_root(user: str) -> bool:
    if "$" in user:
        return False  # a build argument or environment variable: not known to be root
    return user.split(":", 1)[0].strip().lower() in ROOT_USERS


# Interpreters that start an interactive prompt when run without arguments.
_REPL = lazy_re(r"^(?:python[\d.]*|pypy[\d.]*|node|nodejs|irb|ghci|iex|erl|jshell|R|julia|lua[\d.]*"
                   r"|tclsh|pwsh|powershell|cmd)(?:\.exe)?$", re.I)
_PASS_THROUGH_ENTRYPOINT = lazy_re(r"^docker-entrypoint(?:\.sh)?$")
_STEP_DOWN = ("gosu", "su-exec", "setpriv")


def _chain(stage, by_name):
    """The stage, then the stages of this file it is built FROM, nearest first."""
    chain = [stage]
    while chain[-1].get("from_stage") in by_name and by_name[chain[-1].get("from_stage")] not in chain:
        chain.append(by_name[chain[-1].get("from_stage")])
    return chain


def _command_words(inst) -> list:
    if inst.get("json"):
        return [w for w in inst.get("argv") or () if isinstance(w, str)]
    return split_words(inst.get("args") or "")


def _is_base_image(chain) -> bool:
    """A final stage whose default command is a bare shell or interpreter prompt, with no
    entrypoint of its own beyond a pass-through script: it looks like an image to build upon
    (it is still reported; the message says how to record that)."""
    cmd = entrypoint = None
    for stage in chain:  # nearest first: the first CMD / ENTRYPOINT found is the one in force
        for inst in reversed(stage.get("instructions") or ()):
            if inst.get("cmd") == "CMD" and cmd is None:
                cmd = _command_words(inst)
            elif inst.get("cmd") == "ENTRYPOINT" and entrypoint is None:
                entrypoint = _command_words(inst)
    if not cmd or len(cmd) != 1:
        return False
    if any(_copies_content(inst) for stage in chain for inst in stage.get("instructions") or ()):
        return False  # an application or tool image: it ships files of its own
    if entrypoint and not (len(entrypoint) == 1 and
                           _PASS_THROUGH_ENTRYPOINT.match(entrypoint[0].rsplit("/", 1)[-1])):
        return False
    program = cmd[0].replace("\\", "/").rsplit("/", 1)[-1]
    return program in SHELLS or bool(_REPL.match(program))


def _copies_content(inst) -> bool:
    """A COPY or ADD of anything but a pass-through entrypoint script."""
    if inst.get("cmd") not in ("COPY", "ADD"):
        return False
    words = [w for w in _command_words(inst) if not w.startswith("--")]
    sources = words[:-1]
    return not sources or not all(
        _PASS_THROUGH_ENTRYPOINT.match(w.rstrip("/").rsplit("/", 1)[-1]) for w in sources)


def _steps_down(chain) -> str | None:
    """``gosu`` / ``su-exec`` / ``setpriv`` when the image installs or runs one."""
    for stage in chain:
        for _i, inst, scripts in run_scripts(stage):
            for script in scripts:
                bare = script.replace("'", "").replace('"', "").replace("\\", "")
                if not any(name in bare for name in _STEP_DOWN):
                    continue  # quote removal cannot make a name the text does not hold
                for word in split_words(script):
                    name = word.rsplit("/", 1)[-1]
                    if name in _STEP_DOWN:
                        return name
        for inst in stage.get("instructions") or ():
            if inst.get("cmd") == "ENTRYPOINT":
                for word in _command_words(inst):
                    if word.rsplit("/", 1)[-1] in _STEP_DOWN:
                        return word.rsplit("/", 1)[-1]
    return None
