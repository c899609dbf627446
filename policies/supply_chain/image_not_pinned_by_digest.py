"""Image not pinned by a digest (Dockerfile FROM, Kubernetes containers).

## Why
A tag is a name the registry's owner can move: `python:3.12-slim` is re-pushed for every patch
release, and anyone who can push to the repository (a compromised maintainer account, a
poisoned mirror, a registry compromise) can point `myorg/app:1.4.2` at different content. Only
a digest (`@sha256:...`) names exactly one image: builds stay reproducible, a rollback rolls
back, and what was scanned is what runs.

Reported (low severity): every Dockerfile `FROM` of an external image and every workload
container image without a digest, whatever its tag: a version tag, `:latest` or none at all (an
image without a version is also IAC-SUP-001's or IAC-SUP-004's finding, at medium severity: the
digest is a separate, stricter question). `scratch`, earlier build stages, images chosen by a
build argument without default (`FROM $BASE`) and templated images (`{{ .Values.image }}`) are
not judged. Kubernetes images that Skaffold builds (it deploys them by digest) or that a
Kustomize `images` entry pins with `digest` are not reported.

## Differences from Checkov
Checkov's CKV_K8S_43 checks Kubernetes containers only; iaclint also checks Dockerfile `FROM`
lines (Checkov's Dockerfile checks and Trivy have no digest check), so its Dockerfile findings
have no Checkov counterpart. In Kubernetes the two agree, except for images that a Skaffold
configuration in the scan builds and deploys by digest, or that a Kustomize `images` entry pins by
digest: Checkov judges them as written.

## Fix
Add the digest of the version you tested, after its tag (name a version tag first if there is
none): `FROM python:3.12-slim@sha256:<digest>` (`docker buildx imagetools inspect
python:3.12-slim` prints it), or let Kustomize, Skaffold or your CD system pin it at deploy time.
Keep the tag for readability; let Renovate or Dependabot update both.

## Example
```dockerfile
# bad
FROM python:3.12-slim
FROM alpine

# good
FROM python:3.12-slim@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import describe
from ._images import container_images, pinning_of, rewrites


@policy(id="IAC-SUP-005", name="image-not-pinned-by-digest", severity=Severity.LOW, family="supply-chain",
        applies_to=("dockerfile:stage", "k8s:workload"), equivalents=("CKV_K8S_43",), cwe=829,
        scope="project", precision="high")
def image_not_pinned_by_digest(project, options):
    for stage in project.of_type("dockerfile:stage"):
        yield from project.guarded(_stage(stage), stage)
    rewritten = None
    for _resource, container, image, ref in container_images(project):
        if ref.digest:
            continue
        if rewritten is None:
            rewritten = rewrites(project)
        pinning = pinning_of(ref, rewritten)
        if pinning.digest:
            continue
        problem = _unpinned(ref.tag)
        if not ref.tag and pinning.tag:
            problem = "is pinned by tag only (set by Kustomize), not by digest"
        yield container.finding(f'{describe(container)} image "{image}" {problem}', at="image")


def _unpinned(tag) -> str:
    if not tag:
        return "is pinned neither by tag nor by digest"
    if tag == "latest":
        return "uses the moving tag :latest and no digest"
    return "is pinned by tag only, not by digest"


def _stage(stage):
    if stage.get("from_stage") is not None:
        return
    ref = stage.get("image_ref")
    if not isinstance(ref, dict) or ref.get("registry") is None:
        return  # an unresolved build argument, scratch, or not an image reference at all
    if ref.get("digest"):
        return
    yield stage.finding(f"FROM {stage.get('image')} {_unpinned(ref.get('tag'))}", at="image")
