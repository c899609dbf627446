"""Container image references, read the way Docker and containerd read them.

``nginx:1.27@sha256:...`` is a name, an optional tag and an optional digest; the name may start
with a registry host (a first component with a ``.`` or a ``:port``, or ``localhost``). Docker
normalises a name without a registry to Docker Hub: ``nginx`` is ``docker.io/library/nginx``,
``bitnami/redis`` is ``docker.io/bitnami/redis``, and ``index.docker.io`` is ``docker.io``.

:func:`parse_image_ref` is used by the Dockerfile parser (``FROM``) and by policies that read
Kubernetes ``image:`` fields, so both formats agree on what a tag, a digest and a registry are.
It is a format-level helper: it knows the reference grammar, not any registry's policy.
"""

from __future__ import annotations

import re
from operator import itemgetter

from .lazyre import lazy_re
from .model import Record

__all__ = ["ImageRef", "parse_image_ref", "DOCKER_HUB"]

DOCKER_HUB = "docker.io"

# A name is at most 255 characters, a tag 128, a digest an algorithm and its hex: anything longer
# is not a reference, and is refused before the regular expression sees it.
_MAX_REFERENCE = 1024
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = lazy_re(  # compiled by the first reference read: 1.3 ms that a scan without one skips
    rf"(?P<name>(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\Z",
    re.A,
)


class ImageRef(Record):
    """One image reference.

    ``name`` is the name as written (``nginx``, ``ghcr.io/org/app``); ``registry`` and
    ``repository`` are Docker's normalisation of it (``docker.io`` + ``library/nginx``), and
    ``normalized`` joins them. ``scratch`` has no registry. An immutable
    :class:`~iaclint.model.Record` (a frozen dataclass cost ~1 ms to create at import).
    """

    __slots__ = ()

    def __new__(cls, name: str, registry: str | None, repository: str, tag: str | None = None,
                digest: str | None = None):
        return tuple.__new__(cls, (name, registry, repository, tag, digest))

    name = property(itemgetter(0))
    registry = property(itemgetter(1))
    repository = property(itemgetter(2))
    tag = property(itemgetter(3))
    digest = property(itemgetter(4))

    def __repr__(self) -> str:
        return (f"ImageRef(name={self.name!r}, registry={self.registry!r}, "
                f"repository={self.repository!r}, tag={self.tag!r}, digest={self.digest!r})")

    @property
    def normalized(self) -> str:
        """``docker.io/library/nginx``: the registry and repository, without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    def as_dict(self) -> dict:
        """``{registry, repository, tag, digest}``: the Dockerfile stage's ``image_ref``."""
        return {"registry": self.registry, "repository": self.repository, "tag": self.tag,
                "digest": self.digest}


def parse_image_ref(image: str) -> ImageRef | None:
    """Docker's reading of an image reference, or None when it is not a valid one.

    ``python:3`` -> registry ``docker.io``, repository ``library/python``, tag ``3``. Upper case
    in the path, an empty tag or a short digest make the reference invalid, as they do for
    ``docker pull``. ``scratch`` is the empty image: no registry.
    """
    if not isinstance(image, str) or len(image) > _MAX_REFERENCE:
        return None
    if image == "scratch":
        return ImageRef("scratch", None, "scratch")
    m = _REFERENCE.match(image)
    if m is None or len(m.group("name")) > 255:
        return None
    name = m.group("name")
    slash = name.find("/")
    first = name[:slash]
    if slash < 0 or (":" not in first and "." not in first and first != "localhost"
                     and first.lower() == first):
        registry, repository = DOCKER_HUB, name
    else:
        registry, repository = first, name[slash + 1:]
        if registry == "index.docker.io":
            registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in repository:
        repository = "library/" + repository
    if repository != repository.lower():
        return None
    return ImageRef(name, registry, repository, m.group("tag"), m.group("digest"))
