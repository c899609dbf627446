"""Dockerfile turns off TLS certificate verification (curl -k, wget --no-check-certificate, ...).

## Why
Without certificate verification, HTTPS only encrypts: it no longer proves who is on the other
side. Anyone who can intercept the build's traffic (a proxy, a compromised mirror, a hostile
network in CI) can serve their own packages, scripts or binaries, and they get baked into the
image and run with its privileges. Settings made with `ENV` stay in the image and weaken every
connection the application makes at run time too.

Reported in `RUN` commands: `curl -k` / `--insecure` (also in combined flags like `-fsSLk`),
`wget --no-check-certificate`, `pip --trusted-host` (and `pip config set ... trusted-host`),
`git -c http.sslVerify=false` / `git config http.sslVerify false`, `npm`/`yarn`/`pnpm` with
`strict-ssl false`, `yum`/`dnf` (and their `config-manager`) with `--setopt=sslverify=false`
(or `0`, `no`, also per repository: `--setopt=epel.sslverify=0`), and the variables below set
for a command or exported. Reported as `ENV` or `ARG` values: `PYTHONHTTPSVERIFY=0`,
`NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY` (git skips verification whenever it is
set), `NPM_CONFIG_STRICT_SSL=false`, `PIP_TRUSTED_HOST`.
Commands are split into shell words, so `-k` inside a URL or an argument of another program is
not mistaken for curl's flag.

## Fix
Remove the flag. When a server uses a private CA, install the CA certificate in the image
(`COPY corp-ca.crt /usr/local/share/ca-certificates/` then `update-ca-certificates`) or point
the tool at it (`curl --cacert`, `pip --cert`, `git -c http.sslCAInfo=`, `NODE_EXTRA_CA_CERTS`).

## Example
```dockerfile
# bad
RUN curl -fsSLk https://downloads.example.com/tool.tgz -o /tmp/tool.tgz

# good
COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
RUN update-ca-certificates \
 && curl -fsSL https://downloads.example.com/tool.tgz -o /tmp/tool.tgz
```
"""

from __future__ import annotations

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from .._docker import commands, per_command, per_script, run_scripts

# curl short options that take a value: in "-fsSLo file" everything after "o" is its value.
_CURL_VALUE_FLAGS = set("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_FALSE = ("false", "0", "no", "off")
_PIPS = lazy_re(r"^pip(?:\d+(?:\.\d+)*)?$")
_RPM_TOOLS = ("yum", "dnf", "dnf5", "microdnf", "tdnf", "yum-config-manager")
_PYTHONS = lazy_re(r"^python(?:\d+(?:\.\d+)*)?$")


def _env_disables(name: str, value: str) -> str | None:
    """Why setting environment variable ``name`` to ``value`` disables verification, or None."""
    value = value.strip().strip("'\"").strip()
    upper = name.upper()
    if upper == "PYTHONHTTPSVERIFY" and value == "0":
        return "PYTHONHTTPSVERIFY=0 turns off certificate checks in Python's HTTPS clients"
    if upper == "NODE_TLS_REJECT_UNAUTHORIZED" and value == "0":
        return "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks in Node.js"
    if upper == "GIT_SSL_NO_VERIFY":
        return f"GIT_SSL_NO_VERIFY={value} makes git skip certificate checks (any value does)"
    if upper == "NPM_CONFIG_STRICT_SSL" and value.lower() in _FALSE:
        return f"{name}={value} turns off certificate checks in npm"
    if upper == "PIP_TRUSTED_HOST" and value:
        return f"PIP_TRUSTED_HOST={value} makes pip accept {value} without a valid certificate"
    return None


@policy(id="IAC-ENC-006", name="dockerfile-tls-verification-disabled", severity=Severity.HIGH,
        family="encryption", applies_to=("dockerfile:stage",),
        equivalents=("CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5",
                     "CKV2_DOCKER_6", "CKV2_DOCKER_12", "CKV2_DOCKER_13", "CKV2_DOCKER_14",
                     "CKV2_DOCKER_15", "CKV2_DOCKER_16"),
        cwe=295, precision="high")
def dockerfile_tls_verification_disabled(resource, options):
    global_args = resource.get("global_args") or {}
    for i, inst in enumerate(resource.get("instructions") or ()):
        if inst.get("cmd") in ("ENV", "ARG"):
            for j, (name, value) in enumerate(inst.get("pairs") or ()):
                why = _env_disables(name, value) if isinstance(value, str) else None
                if why is not None:
                    yield resource.finding(f"{inst['cmd']} {why}", at=("instructions", i, "pairs", j))
    if resource.get("index") == 0:
        for name, value in global_args.items():
            why = _env_disables(name, value) if isinstance(value, str) else None
            if why is not None:
                yield resource.finding(f"ARG {why}", at=("global_args", name))
    for i, _inst, scripts in run_scripts(resource):
        reasons = []
        for script in scripts:
            for why in _script_disables(script):
                if why not in reasons:
                    reasons.append(why)
        if reasons:
            yield resource.finding("RUN disables TLS certificate verification: " + "; ".join(reasons),
                                   at=("instructions", i))


@per_script
def _script_disables(script: str) -> tuple[str, ...]:
    reasons: list[str] = []
    for command in commands(script):
        for why in _command_disables(command):
            if why not in reasons:
                reasons.append(why)
    return tuple(reasons)


@per_command
def _command_disables(command) -> tuple[str, ...]:
    out = []
    if command.words:  # ``VAR=x cmd``: set for that command (a bare ``VAR=x`` is not exported)
        for name, value in command.environment:
            why = _env_disables(name, value)
            if why:
                out.append(why)
    name, args = command.name, command.args
    if name in ("export", "declare", "typeset"):
        for word in args:
            key, eq, value = word.partition("=")
            why = _env_disables(key, value) if eq else None
            if why:
                out.append(why)
    elif name == "curl":
        flag = _curl_insecure(args)
        if flag:
            out.append(f"curl {flag}")
    elif name == "wget":
        if any(a == "--no-check-certificate" for a in _options(args)):
            out.append("wget --no-check-certificate")
    elif _PIPS.match(name) or (_PYTHONS.match(name) and args[:2] == ["-m", "pip"]):
        pip_args = args[2:] if _PYTHONS.match(name) else args
        if any(a == "--trusted-host" or a.startswith("--trusted-host=") for a in _options(pip_args)):
            out.append("pip --trusted-host")
        elif len(pip_args) >= 3 and pip_args[0] == "config" and pip_args[1] == "set" and \
                pip_args[2].lower().endswith(".trusted-host"):
            out.append(f"pip config set {pip_args[2]}")
    elif name == "git":
        why = _git_insecure(args)
        if why:
            out.append(why)
    elif name in _RPM_TOOLS:
        why = _sslverify_off(name, args)
        if why:
            out.append(why)
    elif name in ("npm", "yarn", "pnpm"):
        why = _npm_insecure(name, args)
        if why:
            out.append(why)
    return tuple(out)


def _options(args: list[str]) -> list[str]:
    """The words before ``--`` (after it, everything is an operand)."""
    return args[:args.index("--")] if "--" in args else args


def _curl_insecure(args: list[str]) -> str | None:
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        if word == "--":
            return None
        if word == "--insecure":
            return "--insecure"
        if word.startswith("--") or not word.startswith("-") or word == "-":
            continue
        for k, ch in enumerate(word[1:], 1):
            if ch == "k":
                return "-k" if word == "-k" else f"{word} (-k)"
            if ch in _CURL_VALUE_FLAGS:
                skip = k == len(word) - 1  # the value is the next word
                break
    return None


def _git_insecure(args: list[str]) -> str | None:
    i = 0
    while i < len(args):
        word = args[i]
        if word == "-c" and i + 1 < len(args):
            key, _, value = args[i + 1].partition("=")
            if key.lower() == "http.sslverify" and value.lower() in _FALSE:
                return f"git -c {args[i + 1]}"
            i += 2
            continue
        if word == "config":
            rest = [a for a in args[i + 1:] if not a.startswith("-")]
            if len(rest) >= 2 and rest[0].lower() == "http.sslverify" and rest[1].lower() in _FALSE:
                return f"git config {rest[0]} {rest[1]}"
            return None
        if not word.startswith("-"):
            return None  # the subcommand: options after it are its own
        i += 1
    return None


def _sslverify_off(name: str, args: list[str]) -> str | None:
    """``--setopt=sslverify=0`` (or ``--setopt REPO.sslverify=false``) for yum and dnf."""
    words = _options(args)
    for i, word in enumerate(words):
        if word == "--setopt" and i + 1 < len(words):
            setting = words[i + 1]
        elif word.startswith("--setopt="):
            setting = word[len("--setopt="):]
        else:
            continue
        key, eq, value = setting.partition("=")
        if eq and key.lower().rsplit(".", 1)[-1] == "sslverify" and value.strip("'\"").lower() in _FALSE:
            return f"{name} --setopt={setting}"
    return None


def _npm_insecure(name: str, args: list[str]) -> str | None:
    for word in _options(args):
        if word.lower() in ("--strict-ssl=false", "--no-strict-ssl"):
            return f"{name} {word}"
    words = [a for a in args if not a.startswith("-")]
    if words[:1] in (["config"], ["c"]):
        words = words[1:]
    if len(words) >= 2 and words[0] == "set":
        key, eq, value = words[1].partition("=")
        if not eq and len(words) >= 3:
            value = words[2]
        if key.lower() == "strict-ssl" and value.lower() in _FALSE:
            return f"{name} config set strict-ssl {value}"
    return None
