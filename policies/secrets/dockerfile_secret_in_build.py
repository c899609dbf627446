"""Credential written into a Dockerfile (ENV, ARG, LABEL, or a RUN, CMD, ENTRYPOINT or HEALTHCHECK command).

## Why
Everything in a Dockerfile ends up in the image or its metadata: `ENV` values are in the image
config and in every container's environment, `ARG` defaults and `LABEL`s are in the history and
config (`docker history`, `docker inspect`), and a `RUN` line is recorded verbatim in the layer
history, even when a later step deletes the file it wrote. Anyone who can pull the image, from
a registry, a cache or a laptop, can read the secret.

`CMD`, `ENTRYPOINT` and `HEALTHCHECK` commands are in the image config, and files written by
`COPY <<EOF` heredocs are in a layer.

Checked: `ENV`, `ARG` (global ones too) and `LABEL` values under secret-looking names or with a
credential's shape; `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK` commands (shell and exec form,
heredoc scripts, `sh -c '...'`, `ONBUILD` triggers) for provider credentials (AWS keys, GitHub,
GitLab, Slack, Stripe, npm tokens, private keys, JWTs, passwords in URLs) and for credentials
on command lines: `curl -u user:pass`, `-H "Authorization: Bearer ..."`, `--password=x`,
`--token x`, `mysql -px`, `sshpass -p x`, `docker login -p x`, `npm config set _authToken x`,
`PGPASSWORD=x psql`, `export API_KEY=x`, `echo 'root:x' | chpasswd`, and `password=...` lines
written with `echo`; `ADD`/`COPY` sources with a credential in the URL; and `COPY` heredoc
files. An `ARG` without a default is not reported, nor are references (`$TOKEN`,
`$(cat /run/secrets/token)`, `--password-stdin`) and placeholders. Messages show at most a
provider's public prefix.

## Fix
Remove the value and rotate it: it is in every image built from this file. For secrets a build
step needs, use BuildKit secret mounts: `RUN --mount=type=secret,id=npm_token ...` with
`docker build --secret id=npm_token,env=NPM_TOKEN`; they never reach a layer. Give secrets to
the running container at run time (orchestrator secrets, a secret store).

## Example
```dockerfile
# bad
ENV GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz
RUN git clone https://$GITHUB_TOKEN@github.com/org/private.git

# good
RUN --mount=type=secret,id=github_token \
    git clone "https://$(cat /run/secrets/github_token)@github.com/org/private.git"
```
"""

from __future__ import annotations

import posixpath

from iaclint.model import Severity
from iaclint.registry import policy

from ._detect import check_value, find_shapes, scan_text
from ._shell import argv_or_script_secrets, script_secrets

PAIR_COMMANDS = ("ENV", "ARG", "LABEL")
COMMANDS = ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK")
_NON_POSIX = ("powershell", "pwsh", "cmd")


@policy(id="IAC-SEC-003", name="dockerfile-secret-in-build", severity=Severity.HIGH, family="secrets",
        applies_to=("dockerfile:stage",), equivalents=("AVD-DS-0031",),
        cwe=798, precision="high")
def dockerfile_secret_in_build(resource, options):
    if resource.get("index") == 0:  # global ARGs belong to the file: report them once
        for name, default in (resource.get("global_args") or {}).items():
            secret = check_value(name, default) if default is not None else None
            if secret is not None:
                yield resource.finding(f"hard-coded {secret.kind} in ARG {name}: {secret.masked}",
                                       at=("global_args", name))
    posix = True
    for i, inst in enumerate(resource.get("instructions") or ()):
        path = ("instructions", i)
        if inst.get("cmd") == "SHELL" and inst.get("json") and inst.get("argv"):
            posix = not posixpath.basename(str(inst["argv"][0])).lower().startswith(_NON_POSIX)
        if inst.get("cmd") == "ONBUILD" and isinstance(inst.get("trigger"), dict):
            inst, path = inst["trigger"], path + ("trigger",)
        cmd = inst.get("cmd")
        if cmd in PAIR_COMMANDS:
            for j, (name, value) in enumerate(inst.get("pairs") or ()):
                secret = check_value(name, value) if value is not None else None
                if secret is not None:
                    yield resource.finding(f"hard-coded {secret.kind} in {cmd} {name}: {secret.masked}",
                                           at=path + ("pairs", j))
        elif cmd in COMMANDS:
            found = _command_secrets(inst, posix)
            if found:
                first, *rest = found
                more = f" (and {len(rest)} more)" if rest else ""
                where = "it stays in the image history" if cmd == "RUN" else "it is in the image config"
                yield resource.finding(f"{cmd} contains a hard-coded {first.kind}: {first.masked}{more}; "
                                       f"{where}", at=path)
        elif cmd in ("COPY", "ADD"):
            sources = find_shapes(inst.get("args") or "")  # ADD https://ci:<token>@host/file
            if sources:
                yield resource.finding(f"{cmd} source contains a hard-coded {sources[0].kind}: "
                                       f"{sources[0].masked}; it stays in the image history", at=path)
                continue
            for heredoc in inst.get("heredocs") or ():
                found = scan_text(heredoc.get("body") or "")
                if found:
                    yield resource.finding(f"{cmd} writes a file with a hard-coded {found[0].kind}: "
                                           f"{found[0].masked}; it is in an image layer",
                                           at=path)


def _command_secrets(inst: dict, posix: bool) -> list:
    """The credentials of a RUN, CMD, ENTRYPOINT or HEALTHCHECK instruction."""
    if inst.get("cmd") == "HEALTHCHECK":
        command = inst.get("command")
        if isinstance(command, list):
            return argv_or_script_secrets([str(w) for w in command])
        texts = [command] if isinstance(command, str) else []
    elif inst.get("json"):
        return argv_or_script_secrets([str(w) for w in inst.get("argv") or ()])
    else:
        texts = [inst.get("args") or ""] + [h.get("body") or "" for h in inst.get("heredocs") or ()]
    found = {}
    for text in texts:
        for secret in (script_secrets(text) if posix else find_shapes(text)):
            found.setdefault(secret.value, secret)
    return list(found.values())
