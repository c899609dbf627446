"""Dockerfile installs packages with signature checks off (--allow-untrusted, --allow-unauthenticated, --nogpgcheck).

## Why
Package managers verify that every package is signed by the distribution or vendor key; that
check is what makes a mirror, a proxy or a compromised CDN unable to slip in modified
packages. Turning it off makes any of them able to run code as root in the image, and a
repository added as "trusted" keeps the image trusting it for every later install.

Reported in `RUN` commands: `apk add --allow-untrusted`; `apt-get`/`apt` with
`--allow-unauthenticated`, `--allow-insecure-repositories`, `--force-yes` or
`-o APT::Get::AllowUnauthenticated=true` / `Acquire::AllowInsecureRepositories=true`; remote
apt sources written with `[trusted=yes]` (a local `file:` repository of packages built in the
same step cannot be signed and is not reported); `yum`/`dnf`/`microdnf`/`tdnf` with `--nogpgcheck` or
`--setopt=gpgcheck=0`; `zypper --no-gpg-checks`; `rpm` with `--nosignature`, `--nodigest`,
`--nofiledigest` or `--noverify`; and `gpgcheck=0` written into a repository file. Commands are
split into shell words, so the flags inside a quoted string or another command's argument do
not count.

## Fix
Remove the flag and import the repository's signing key instead (`apt-key` is deprecated:
download the key to `/etc/apt/keyrings/` and use `signed-by=` in the source line; `rpm
--import KEY` for RPM repositories; `apk add --allow-untrusted` only for a package you verify
by checksum first).

## Example
```dockerfile
# bad
RUN apt-get update && apt-get install -y --allow-unauthenticated acme-agent

# good
RUN curl -fsSLo /etc/apt/keyrings/acme.asc https://packages.acme.example/key.asc \
 && echo "deb [signed-by=/etc/apt/keyrings/acme.asc] https://packages.acme.example stable main" \
      > /etc/apt/sources.list.d/acme.list \
 && apt-get update && apt-get install -y acme-agent
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from .._docker import first_command, run_scripts

_APT = frozenset({"apt-get", "apt", "aptitude"})
_APT_FLAGS = frozenset({"--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"})
_APT_OPTIONS = lazy_re(r"(?i)^(?:APT::Get::AllowUnauthenticated|Acquire::AllowInsecureRepositories|"
                          r"Acquire::AllowDowngradeToInsecureRepositories)=(?:1|true|yes)$")
_RPM_FAMILY = frozenset({"yum", "dnf", "microdnf", "tdnf", "yum-config-manager", "dnf-config-manager"})
_RPM_FLAGS = frozenset({"--nosignature", "--nodigest", "--nofiledigest", "--noverify"})
_GPGCHECK_OFF = lazy_re(r"(?i)^(?:[\w.*\-]+\.)?gpgcheck=(?:0|false|no)$")
# A remote apt source marked trusted (a local file:// repository of packages built in the same
# step cannot be signed, and is not reported), or a yum/dnf repository with gpgcheck=0.
_WRITTEN_OFF = lazy_re(r"(?i)\[[^\]]*\btrusted=yes\b[^\]]*\]\s*[\"']?(?:https?|ftp|tor\+https?)://|"
                          r"^\s*gpgcheck\s*=\s*0\s*$", re.M)
_WRITERS = frozenset({"echo", "printf", "tee"})


@policy(id="IAC-SUP-007", name="package-signature-check-disabled", severity=Severity.HIGH,
        family="supply-chain", applies_to=("dockerfile:stage",),
        equivalents=("CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11"),
        cwe=494, precision="high")
def package_signature_check_disabled(resource, options):
    for i, inst, scripts in run_scripts(resource):
        found = None
        for script in scripts:
            found = found or _script_disabled(script) or _written(inst, script)
        if found:
            yield resource.finding(f"RUN {found}: packages are installed without checking their signatures",
                                   at=("instructions", i))


def _disabled(cmd) -> str | None:
    name, args = cmd.name, cmd.args
    if name == "apk":
        if "--allow-untrusted" in args:
            return "apk --allow-untrusted"
    elif name in _APT:
        for k, word in enumerate(args):
            if word in _APT_FLAGS:
                return f"{name} {word}"
            option = word[2:] if word.startswith("-o") and len(word) > 2 else (
                args[k + 1] if word in ("-o", "--option") and k + 1 < len(args) else None)
            if option and _APT_OPTIONS.match(option.strip("'\"")):
                return f"{name} -o {option}"
    elif name in _RPM_FAMILY:
        for k, word in enumerate(args):
            if word == "--nogpgcheck":
                return f"{name} --nogpgcheck"
            setting = word.partition("=")[2] if word.startswith("--setopt=") else (
                args[k + 1] if word == "--setopt" and k + 1 < len(args) else None)
            if setting and _GPGCHECK_OFF.match(setting):
                return f"{name} --setopt={setting}"
    elif name == "zypper":
        if "--no-gpg-checks" in args or "--no-gpg-check" in args:
            return "zypper --no-gpg-checks"
    elif name == "rpm":
        for word in args:
            if word in _RPM_FLAGS:
                return f"rpm {word}"
    elif name in _WRITERS:
        text = " ".join(args)
        if _WRITTEN_OFF.search(text) and ("deb " in text or "gpgcheck" in text):
            return "writes a package source that skips signature checks"
    return None


_script_disabled = first_command(_disabled)


def _written(inst, script) -> str | None:
    """A heredoc that writes an apt source with [trusted=yes] or a yum repo with gpgcheck=0."""
    for heredoc in inst.get("heredocs") or ():
        body = heredoc.get("body") or ""
        if body != script and _WRITTEN_OFF.search(body):
            return "writes a package source that skips signature checks"
    return None
