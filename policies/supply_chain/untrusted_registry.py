"""Image pulled from a registry outside the configured allow-list (Dockerfile FROM, Kubernetes containers).

## Why
Every registry an image comes from is a party that can change what runs: its operators, its
access control, its mirrors and its namespace rules (a typo-squatted Docker Hub account, an
abandoned repository taken over). Organisations that mirror and scan images in their own
registry want every build and deployment to pull from there, so that a vulnerability scan,
signature check or retention rule cannot be bypassed by pointing a Dockerfile at a public
image.

This policy needs a list: with no `registries` option configured it reports nothing.
Entries are registry hosts (`ghcr.io`, `registry.internal:5000`), optionally followed by a path
prefix (`ghcr.io/acme`, `docker.io/library` for Docker Hub's official images only), and may use
`*` wildcards (`*.dkr.ecr.*.amazonaws.com`). Image names are normalised as Docker does: `nginx`
is `docker.io/library/nginx`, `bitnami/redis` is `docker.io/bitnami/redis`, `index.docker.io`
is `docker.io`. Not judged: `scratch`, earlier build stages, images chosen by a build argument
without default, and templated images.

```toml
[options.IAC-SUP-006]
registries = ["registry.acme.example", "ghcr.io/acme", "docker.io/library"]
```

## Fix
Pull the image through your own registry (mirror or pull-through cache) and refer to it by
that name, or, if the source is trusted, add it to `registries`.

## Example
```dockerfile
# bad (with registries = ["registry.acme.example"])
FROM node:22-alpine

# good
FROM registry.acme.example/mirror/node:22-alpine
```
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from iaclint.images import DOCKER_HUB, ImageRef, parse_image_ref
from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import describe
from ._images import templated

_HUB_ALIASES = frozenset({"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"})


def allowed_entries(options: dict) -> list[tuple[str, str]]:
    """``(host pattern, path prefix)`` for each configured registry; [] when none is configured."""
    entries = (options or {}).get("registries")
    if entries is None:
        return []
    if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
        raise ValueError("options.IAC-SUP-006.registries must be a list of registry names, "
                         'e.g. ["ghcr.io/acme", "docker.io/library"]')
    out = []
    for entry in entries:
        host, _, prefix = entry.strip().strip("/").partition("/")
        host = host.lower()
        out.append((DOCKER_HUB if host in _HUB_ALIASES else host, prefix.strip("/")))
    return out


def is_allowed(ref: ImageRef, entries: list[tuple[str, str]]) -> bool:
    if ref.registry is None:  # scratch: no registry at all
        return True
    for host, prefix in entries:
        if not fnmatchcase(ref.registry, host):
            continue
        if not prefix or ref.repository == prefix or ref.repository.startswith(prefix + "/") \
                or fnmatchcase(ref.repository, prefix) or fnmatchcase(ref.repository, prefix + "/*"):
            return True
    return False


@policy(id="IAC-SUP-006", name="untrusted-registry", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("dockerfile:stage", "k8s:workload"), equivalents=("AVD-KSV-0125",), cwe=829,
        precision="high")
def untrusted_registry(resource, options):
    entries = allowed_entries(options)
    if not entries:
        return
    if resource.source == "dockerfile":
        if resource.get("from_stage") is not None:
            return
        image = resource.get("image")
        ref = parse_image_ref(image) if isinstance(image, str) else None
        if ref is not None and not is_allowed(ref, entries):
            yield resource.finding(f'FROM {image} pulls from {ref.normalized}, outside the allowed registries',
                                   at="image")
        return
    for container in resource.containers():
        image = container.get("image")
        if not isinstance(image, str) or not image.strip() or templated(image):
            continue
        ref = parse_image_ref(image.strip())
        if ref is not None and not is_allowed(ref, entries):
            yield container.finding(f'{describe(container)} image "{image.strip()}" pulls from {ref.normalized}, '
                                    "outside the allowed registries", at="image")
