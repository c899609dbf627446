"""Container image without a version: no tag, or the mutable `:latest`, and no digest.

## Why
`nginx` and `nginx:latest` name whatever was pushed last. Two pods of one Deployment can run
different code, a rollback does not roll anything back, and anyone who can push to the
repository (or poison a mirror) changes what runs in production at the next pull.

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


def split_image(ref: str) -> tuple[str, str | None, str | None]:
    """``(name, tag, digest)`` of an image reference; a ``:port`` of the registry is not a tag."""
    ref = ref.strip()
    name, _, digest = ref.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag or None, digest or None


def _templated(ref: str) -> bool:
    return any(mark in ref for mark in ("${", "{{", "$(", "<"))


def _deploy_time_images(project) -> set[str]:
    """Image names a build or deploy tool in the scan rewrites with a pinned reference."""
    names: set[str] = set()
    for res in project.all:
        if res.source != "kubernetes":
            continue
        api = res.get("apiVersion")
        if isinstance(api, str) and api.startswith("skaffold/"):
            builds = [res.node("build")] + [p.node("build") for p in res.blocks("profiles")]
            for build in builds:
                if build is None:
                    continue
                for artifact in build.blocks("artifacts"):
                    image = artifact.get("image")
                    if isinstance(image, str):
                        names.add(split_image(image)[0])
        elif isinstance(api, str) and api.startswith("kustomize.config.k8s.io/"):
            for entry in res.blocks("images"):
                name = entry.get("name")
                if isinstance(name, str) and (entry.get("newTag") or entry.get("digest")):
                    names.add(split_image(name)[0])
    return names


@policy(id="IAC-SUP-004", name="k8s-image-unpinned", severity=Severity.MEDIUM, family="supply-chain",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_14", "AVD-KSV-0013"), cwe=494,
        scope="project", precision="high")
def k8s_image_unpinned(project, options):
    rewritten = None
    for resource in project.of_type("k8s:workload"):
        for container in resource.containers():
            image = container.get("image")
            if not isinstance(image, str) or not image.strip() or _templated(image):
                continue
            name, tag, digest = split_image(image)
            if digest or (tag and tag != "latest"):
                continue
            if rewritten is None:
                rewritten = _deploy_time_images(project)
            if name in rewritten:
                continue
            problem = "uses the mutable :latest tag" if tag else "has no tag (it pulls :latest)"
            yield container.finding(f'{describe(container)} image "{image.strip()}" {problem}', at="image")
