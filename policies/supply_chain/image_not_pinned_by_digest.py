"""Image pinned by a version tag but not by a digest (Dockerfile FROM, Kubernetes containers).

## Why
A tag is a name the registry's owner can move: `python:3.12-slim` is re-pushed for every patch
release, and anyone who can push to the repository (a compromised maintainer account, a
poisoned mirror, a registry compromise) can point `myorg/app:1.4.2` at different content. Only
a digest (`@sha256:...`) names exactly one image: builds stay reproducible, a rollback rolls
back, and what was scanned is what runs.

Reported (low severity): a Dockerfile `FROM` and a workload container image that has a version
tag and no digest. Images without a tag or on `:latest` are reported by IAC-SUP-001 and
IAC-SUP-004 instead; `scratch`, earlier build stages, images chosen by a build argument without
default (`FROM $BASE`) and templated images (`{{ .Values.image }}`) are not judged. Kubernetes
images that Skaffold builds (it deploys them by digest) or that a Kustomize `images` entry pins
with `digest` are not reported.

## Fix
Add the digest of the tag you tested: `FROM python:3.12-slim@sha256:<digest>`
(`docker buildx imagetools inspect python:3.12-slim` prints it), or let Kustomize, Skaffold or
your CD system pin it at deploy time. Keep the tag for readability; let Renovate or Dependabot
update both.

## Example
```dockerfile
# bad
FROM python:3.12-slim

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
        if ref.digest or not ref.tag or ref.tag == "latest":
            continue
        if rewritten is None:
            rewritten = rewrites(project)
        if pinning_of(ref, rewritten).digest:
            continue
        yield container.finding(f'{describe(container)} image "{image}" is pinned by tag only, not by digest',
                                at="image")


def _stage(stage):
    if stage.get("from_stage") is not None:
        return
    ref = stage.get("image_ref")
    if not isinstance(ref, dict) or ref.get("registry") is None:
        return  # an unresolved build argument, scratch, or not an image reference at all
    tag = ref.get("tag")
    if ref.get("digest") or not tag or tag == "latest":
        return
    yield stage.finding(f"FROM {stage.get('image')} is pinned by tag only, not by digest", at="image")
