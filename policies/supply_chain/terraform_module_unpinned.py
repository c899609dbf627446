"""Terraform module from a registry without a version, or from Git without a ref (or on a branch).

## Why
A module runs with the full permissions of the pipeline that applies it. `source =
"terraform-aws-modules/vpc/aws"` without `version` takes whatever release is newest at the next
`terraform init`; a Git source without `?ref=` (or with `?ref=main`) takes whatever the branch
points at. A new major version, a compromised maintainer account or a force-push then changes
the infrastructure without any change in the reviewed code, and two runs of the same commit can
apply different modules.

Reported: a registry module (`namespace/name/provider`, also on a private registry host) with no
`version`, and a Git module (`git::`, `git@`, `github.com/...`, `bitbucket.org/...`) with no
`ref` or with a ref that names a moving branch (`main`, `master`, `develop`, `HEAD`, ...). Local
modules (`./`, `../`) are part of the repository and are not reported; version constraints
(`~> 5.0`) count as a version, and the lock file pins providers, not modules.

## Fix
Give registry modules a `version` (an exact version, or a constraint you review), and Git
modules a `?ref=` naming a tag or, better, a commit SHA. Let Renovate or Dependabot propose
updates.

## Example
```hcl
# bad
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}

# good
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.13.0"
}
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from ..secrets._detect import redact

# namespace/name/provider, optionally behind a registry host and followed by //subdir.
_REGISTRY = lazy_re(r"^(?:[a-z0-9.\-]+\.[a-z]{2,}(?::\d+)?/)?[\w\-]+/[\w\-]+/[\w\-]+(?://[^?]*)?$", re.I)
_GIT = lazy_re(r"^(?:git::|git@|(?:github\.com|bitbucket\.org)/)", re.I)
_BRANCHES = frozenset({"main", "master", "develop", "development", "dev", "trunk", "head", "latest",
                       "release", "stable", "default"})


def _git_ref(source: str) -> str | None:
    """The first non-empty ``ref`` query parameter of a Git module source, or None, read as
    ``urllib.parse.parse_qs`` reads it (which is imported only for a query with escapes)."""
    query = source.split("?", 1)[1] if "?" in source else ""
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        if not (eq and value):
            continue  # parse_qs drops blank values
        if "%" in pair or "+" in pair:
            from urllib.parse import unquote_plus
            name, value = unquote_plus(name), unquote_plus(value)
        if name == "ref":
            return value
    return None


@policy(id="IAC-SUP-009", name="terraform-module-unpinned", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("module",), cwe=829, precision="high")
def terraform_module_unpinned(resource, options):
    raw = resource.get("source")
    if not isinstance(raw, str) or raw.startswith(("./", "../")):
        return
    source = redact(raw)  # for messages: a source URL may carry a token
    if _GIT.match(raw):
        ref = _git_ref(raw)
        if ref is None:
            yield resource.finding(f'module source "{source}" has no ?ref=: it follows the default branch; '
                                   "pin a tag or commit", at="source")
        elif ref.lower() in _BRANCHES:
            yield resource.finding(f'module source "{source}" pins the branch "{ref}", which moves; '
                                   "pin a tag or commit", at="source")
    elif _REGISTRY.match(raw) and "version" not in resource.value:
        yield resource.finding(f'registry module "{source}" has no version: terraform init takes the newest '
                               "release", at="source")
