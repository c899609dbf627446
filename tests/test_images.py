"""Image references: one reader for Dockerfiles and Kubernetes, with Docker's normalisation."""

import pytest

from iaclint.images import parse_image_ref


@pytest.mark.parametrize("image,name,normalized,tag,digest", [
    ("nginx", "nginx", "docker.io/library/nginx", None, None),
    ("nginx:1.27", "nginx", "docker.io/library/nginx", "1.27", None),
    ("bitnami/redis:7", "bitnami/redis", "docker.io/bitnami/redis", "7", None),
    ("index.docker.io/library/nginx:1.27", "index.docker.io/library/nginx", "docker.io/library/nginx", "1.27", None),
    ("registry.internal:5000/team/app", "registry.internal:5000/team/app", "registry.internal:5000/team/app", None, None),
    ("localhost/app:dev", "localhost/app", "localhost/app", "dev", None),
    ("ghcr.io/acme/app:1.0@sha256:" + "a" * 64, "ghcr.io/acme/app", "ghcr.io/acme/app", "1.0", "sha256:" + "a" * 64),
    ("scratch", "scratch", "scratch", None, None),
])
def test_references_are_split_and_normalised(image, name, normalized, tag, digest):
    ref = parse_image_ref(image)
    assert (ref.name, ref.normalized, ref.tag, ref.digest) == (name, normalized, tag, digest)


@pytest.mark.parametrize("image", ["Nginx:1", "nginx:", "nginx@sha256:abc", "", "a" * 2000, "${REGISTRY}/app"])
def test_invalid_references_are_none(image):
    assert parse_image_ref(image) is None
