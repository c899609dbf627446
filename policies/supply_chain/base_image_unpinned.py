"""Dockerfile FROM an image without a version tag, or with :latest, and no digest.

## Why
`FROM python` and `FROM python:latest` mean "whatever the registry serves today". The next
build silently picks up a new major version, a different distribution or a compromised push to
the tag; builds stop being reproducible, and a rollback rebuilds something else. A version tag
makes the intent visible; a digest (`@sha256:...`) makes it immutable.

Not reported: `scratch`, `FROM` an earlier stage of the same file, images pinned by digest, and
images whose reference uses a build argument without a default (`FROM $BASE`): what they resolve
to is chosen at build time.

## Fix
Name a version tag, and add the digest for reproducible builds:
`FROM python:3.12-slim@sha256:<digest>` (`docker buildx imagetools inspect python:3.12-slim`
prints it). Let a bot (Dependabot, Renovate) propose the updates.

## Example
```dockerfile
# bad
FROM node
FROM nginx:latest

# good
FROM node:22-alpine
FROM nginx:1.27@sha256:0a8b4b1f0c9bd8b6e2d49d1a0c6f3ef2c0a9a7a1e5d7f8b9c0d1e2f3a4b5c6d7
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-SUP-001", name="base-image-unpinned", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("dockerfile:stage",), equivalents=("CKV_DOCKER_7", "AVD-DS-0001"), cwe=829,
        precision="high")
def base_image_unpinned(resource, options):
    if resource.get("from_stage") is not None:
        return
    ref = resource.get("image_ref")
    if ref is None:
        return  # an unresolved build argument, or not an image reference at all
    if ref.get("repository") == "scratch" and ref.get("registry") is None:
        return
    if ref.get("digest"):
        return
    tag = ref.get("tag")
    image = resource.get("image")
    if tag is None:
        yield resource.finding(f"FROM {image} has no tag: it pulls :latest, whatever that is at build "
                               "time; pin a version tag (and digest)", at="image")
    elif tag == "latest":
        yield resource.finding(f"FROM {image} uses the moving tag :latest; pin a version tag (and digest)",
                               at="image")
