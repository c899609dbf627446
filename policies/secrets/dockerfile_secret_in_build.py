"""Credential written into a Dockerfile (ENV, ARG, LABEL or a RUN command).

## Why
Everything in a Dockerfile ends up in the image or its metadata: `ENV` values are in the image
config and in every container's environment, `ARG` defaults and `LABEL`s are in the history and
config (`docker history`, `docker inspect`), and a `RUN` line is recorded verbatim in the layer
history, even when a later step deletes the file it wrote. Anyone who can pull the image, from
a registry, a cache or a laptop, can read the secret.

Checked: `ENV`, `ARG` (global ones too) and `LABEL` values under secret-looking names or with a
credential's shape, and `RUN` commands and heredocs for provider credentials (AWS keys, GitHub,
GitLab, Slack and Stripe tokens, private keys, JWTs, passwords in URLs). An `ARG` without a
default is not reported, nor are references like `$TOKEN` and placeholders. Messages show at
most four characters of the secret.

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

from iaclint.model import Severity
from iaclint.registry import policy

from ._detect import check_value, scan_text

PAIR_COMMANDS = ("ENV", "ARG", "LABEL")


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
    for i, inst in enumerate(resource.get("instructions") or ()):
        path = ("instructions", i)
        if inst.get("cmd") == "ONBUILD" and isinstance(inst.get("trigger"), dict):
            inst, path = inst["trigger"], path + ("trigger",)
        cmd = inst.get("cmd")
        if cmd in PAIR_COMMANDS:
            for j, (name, value) in enumerate(inst.get("pairs") or ()):
                secret = check_value(name, value) if value is not None else None
                if secret is not None:
                    yield resource.finding(f"hard-coded {secret.kind} in {cmd} {name}: {secret.masked}",
                                           at=path + ("pairs", j))
        elif cmd == "RUN":
            texts = [inst.get("args") or ""] + [h.get("body") or "" for h in inst.get("heredocs") or ()]
            found = {}
            for text in texts:
                for secret in scan_text(text):
                    if not secret.kind.endswith(" value"):  # provider shapes only in commands
                        found.setdefault(secret.value, secret)
            if found:
                first, *rest = found.values()
                more = f" (and {len(rest)} more)" if rest else ""
                yield resource.finding(f"RUN contains a hard-coded {first.kind}: {first.masked}{more}; "
                                       "it stays in the image history", at=path)
