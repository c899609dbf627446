"""Container image without a version: no tag, or the mutable `:latest`, and no digest.

## Why
`nginx` and `nginx:latest` name whatever was pushed last. Two pods of one Deployment can run
different code, a rollback does not roll anything back, and anyone who can push to the
repository (or poison a mirror) changes what runs in production at the next pull.

IAC-SUP-005 (low severity) also reports these images, and every other image without a digest:
a version tag is this policy's question, a digest that one's.

## Fix
Pin a version tag, ideally with its digest (`nginx:1.27.2@sha256:...`), and let a bot
(Renovate, Dependabot) propose upgrades. Image names that a build tool replaces at deploy time
are recognised: Skaffold `build.artifacts[].image` and Kustomize `images[]` entries that set
`newTag` or `digest`, when they are part of the scan.

## Example
```yaml
# bad
containers:
  - name: web
    image: nginx:latest
# good
containers:
  - name: web
    image: nginx:1.27.2@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import describe
from ._images import container_images, pinning_of, rewrites


@policy(id="IAC-SUP-004", name="k8s-image-unpinned", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_14", "AVD-KSV-0013"), cwe=494,
        scope="project", precision="high")
def k8s_image_unpinned(project, options):
    rewritten = None
    for _resource, container, image, ref in container_images(project):
        if ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        if rewritten is None:
            rewritten = rewrites(project)
        if pinning_of(ref, rewritten).tag:
            continue
        problem = "uses the mutable :latest tag" if ref.tag else "has no tag (it pulls :latest)"
        yield container.finding(f'{describe(container)} image "{image}" {problem}', at="image")
