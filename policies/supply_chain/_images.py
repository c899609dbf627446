"""What the image policies share: every image reference of a scan, and the names a deploy tool
rewrites.

Images are read with :func:`iaclint.images.parse_image_ref`, the same reader the Dockerfile
parser uses, so ``nginx``, ``nginx:1.27`` and ``docker.io/library/nginx@sha256:...`` mean the same
thing in a Dockerfile and in a Pod. A Kubernetes image that a build or deploy tool in the scan
rewrites is judged by what the tool deploys: Skaffold deploys the images it builds by tag *and*
digest; a Kustomize ``images`` entry pins what it sets (``newTag`` a tag, ``digest`` a digest).
"""

from __future__ import annotations

from operator import itemgetter

from iaclint.images import ImageRef, parse_image_ref
from iaclint.model import Record

_TEMPLATE_MARKS = ("${", "{{", "$(", "<", "%{")


def templated(image: str) -> bool:
    """An image reference filled in by a template or a deploy step: not judged as written."""
    return any(mark in image for mark in _TEMPLATE_MARKS)


class Pinning(Record):
    """Whether a deploy tool pins an image by tag and by digest (a :class:`~iaclint.model.Record`)."""

    __slots__ = ()

    def __new__(cls, tag: bool = False, digest: bool = False):
        return tuple.__new__(cls, (tag, digest))

    tag = property(itemgetter(0))
    digest = property(itemgetter(1))


def rewrites(project) -> dict[str, Pinning]:
    """Image names (as written and normalised) that a tool in the scan deploys pinned."""
    names: dict[str, Pinning] = {}

    def add(name: str, pinning: Pinning) -> None:
        ref = parse_image_ref(name)
        keys = {name} | ({ref.name, ref.normalized} if ref is not None else set())
        for key in keys:
            old = names.get(key, Pinning())
            names[key] = Pinning(old.tag or pinning.tag, old.digest or pinning.digest)

    for res in project.all:
        if res.source != "kubernetes":
            continue
        api = res.get("apiVersion")
        if not isinstance(api, str):
            continue
        if api.startswith("skaffold/"):
            builds = [res.node("build")] + [p.node("build") for p in res.blocks("profiles")]
            for build in builds:
                if build is None:
                    continue
                for artifact in build.blocks("artifacts"):
                    image = artifact.get("image")
                    if isinstance(image, str):
                        add(image, Pinning(tag=True, digest=True))
        elif api.startswith("kustomize.config.k8s.io/"):
            for entry in res.blocks("images"):
                name = entry.get("name")
                if isinstance(name, str):
                    add(name, Pinning(tag=bool(entry.get("newTag") or entry.get("digest")),
                                      digest=bool(entry.get("digest"))))
    return names


def pinning_of(ref: ImageRef, rewritten: dict[str, Pinning]) -> Pinning:
    return rewritten.get(ref.name) or rewritten.get(ref.normalized) or Pinning()


def container_images(project):
    """``(workload, container, image text, ImageRef)`` for every container image in the scan
    that is a literal, valid reference."""
    for resource in project.of_type("k8s:workload"):
        for container in resource.containers():
            image = container.get("image")
            if not isinstance(image, str) or not image.strip() or templated(image):
                continue
            ref = parse_image_ref(image.strip())
            if ref is not None:
                yield resource, container, image.strip(), ref
