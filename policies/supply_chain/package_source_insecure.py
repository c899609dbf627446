"""Dockerfile fetches packages over plain HTTP or with checksum verification off (npm, yarn, gem, Go, Composer).

## Why
A package index reached over plain HTTP can be answered by anyone on the path (a proxy, a
compromised network in CI, DNS spoofing), and npm, RubyGems and Composer packages are not signed
the way distribution packages are: the transport is the only protection, so an `http://`
registry hands code execution in the build to whoever can intercept it. Go verifies every
module against the public checksum database; `GOSUMDB=off`, `GONOSUMCHECK`, `GOINSECURE` or
`GOFLAGS=-insecure` switch that off.

Reported in `RUN` commands and `ENV`/`ARG` values: an `http://` registry given to `npm`, `yarn`
or `pnpm` (`--registry`, `config set registry`, `NPM_CONFIG_REGISTRY`, `YARN_REGISTRY`), an
`http://` source for `gem` (`--source`, `gem sources --add`, `bundle config mirror`), Go's
`GOSUMDB=off`, `GONOSUMCHECK`, `GONOSUMDB=*`, `GOINSECURE`, `GOFLAGS=-insecure`, an `http://`
`GOPROXY`, and `composer config secure-http false`. Hosts on the loopback interface
(`localhost`, `127.0.0.1`) are not reported. pip's HTTP indexes need `--trusted-host`, which
IAC-ENC-006 reports.

## Fix
Use `https://` for every registry, mirror and proxy (internal ones included), leave `GOSUMDB`
on (use `GOPRIVATE` / `GONOSUMDB=corp.example.com/*` for private modules only), and keep
Composer's `secure-http` enabled.

## Example
```dockerfile
# bad
RUN npm install --registry http://npm.internal.example/

# good
RUN npm install --registry https://npm.internal.example/
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from .._docker import first_command, run_scripts
from ..secrets._detect import redact

_HTTP = lazy_re(r"(?i)^[\"']?http://(?!(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?(?:/|$))")
_NODE = frozenset({"npm", "yarn", "pnpm", "npx"})
_REGISTRY_VARS = frozenset({"NPM_CONFIG_REGISTRY", "YARN_REGISTRY", "YARN_NPM_REGISTRY_SERVER",
                            "PNPM_REGISTRY", "GEM_SOURCE", "BUNDLE_MIRROR__ALL", "GOPROXY"})


def _env_problem(name: str, value: str) -> str | None:
    upper, v = name.upper(), value.strip().strip("'\"")
    if upper in _REGISTRY_VARS and any(_HTTP.match(part) for part in re.split(r"[,|]", v)):
        return f"{upper}={v} is a plain-HTTP package source"
    if upper == "GOSUMDB" and v.lower() == "off":
        return "GOSUMDB=off turns off Go's module checksum verification"
    if upper == "GONOSUMCHECK" and v:
        return "GONOSUMCHECK turns off Go's module checksum verification"
    if upper == "GONOSUMDB" and v.strip() in ("*", "*/*"):
        return "GONOSUMDB=* turns off Go's module checksum verification for every module"
    if upper == "GOINSECURE" and v:
        return f"GOINSECURE={v} lets Go fetch modules over plain HTTP"
    if upper == "GOFLAGS" and re.search(r"(?:^|\s)-insecure\b", v):
        return "GOFLAGS=-insecure lets Go fetch modules over plain HTTP"
    return None


def _command_problem(cmd) -> str | None:
    for name, value in cmd.environment:
        problem = _env_problem(name, value)
        if problem:
            return problem
    name, args = cmd.name, cmd.args
    if name == "export":
        for word in args:
            key, eq, value = word.partition("=")
            if eq and (problem := _env_problem(key, value)):
                return problem
    if name in _NODE:
        for k, word in enumerate(args):
            value = word.partition("=")[2] if word.startswith("--registry=") else (
                args[k + 1] if word == "--registry" and k + 1 < len(args) else None)
            if value and _HTTP.match(value):
                return f"{name} --registry {value} is a plain-HTTP package source"
        if "config" in args and "set" in args:
            rest = args[args.index("set") + 1:]
            key, eq, value = (rest[0].partition("=") if rest else ("", "", ""))
            value = value if eq else (rest[1] if len(rest) > 1 else "")
            if key.endswith("registry") and _HTTP.match(value):
                return f"{name} config set {key} {value} is a plain-HTTP package source"
    if name in ("gem", "bundle"):
        for k, word in enumerate(args):
            if _HTTP.match(word) and k and args[k - 1] in ("--source", "-s", "--add", "-a", "mirror.https://rubygems.org",
                                                           "mirror.https://rubygems.org/"):
                return f"{name} uses the plain-HTTP source {word}"
            if word.startswith("--source=") and _HTTP.match(word.partition("=")[2]):
                return f"{name} uses the plain-HTTP source {word.partition('=')[2]}"
    if name == "go" and "-insecure" in args:
        return "go -insecure fetches modules over plain HTTP"
    if name == "composer" and "config" in args:
        tail = [a for a in args if not a.startswith("-")]
        if "secure-http" in tail and tail[-1].lower() in ("false", "0"):
            return "composer config secure-http false allows plain-HTTP package downloads"
    return None


@policy(id="IAC-SUP-008", name="package-source-insecure", severity=Severity.HIGH, family="supply-chain",
        applies_to=("dockerfile:stage",), cwe=494, precision="high")
def package_source_insecure(resource, options):
    for i, inst in enumerate(resource.get("instructions") or ()):
        if inst.get("cmd") in ("ENV", "ARG"):
            for j, (name, value) in enumerate(inst.get("pairs") or ()):
                problem = _env_problem(name, value) if isinstance(value, str) else None
                if problem:
                    yield resource.finding(redact(f"{inst['cmd']} {problem}"), at=("instructions", i, "pairs", j))
    for i, _inst, scripts in run_scripts(resource):
        problem = next((p for script in scripts if (p := _script_problem(script))), None)
        if problem:
            yield resource.finding(redact(f"RUN: {problem}"), at=("instructions", i))


_script_problem = first_command(_command_problem)
