"""iaclint: a static policy linter for Terraform, Kubernetes manifests and Dockerfiles."""

__version__ = "1.0.0"
