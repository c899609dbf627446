"""What the ECS task definition policies share: the container definitions, decoded.

``container_definitions`` is a JSON document by the AWS provider's schema: a heredoc or string
literal, a ``jsonencode(...)`` of an HCL list, or a ``file()``/``templatefile()``. The evaluated
value is that JSON text (or, where an evaluator hands over the structure, the list itself);
decoding it is reading a value, not parsing a file. Text that is not a JSON list of objects
is what Terraform would reject too, and yields no containers.
"""

from __future__ import annotations

from iaclint.model import Unknown, UnknownValue, decoded


def container_definitions(resource) -> list[dict]:
    """The task's container definitions as dicts (each with at least a ``name`` when written).

    Raises :class:`UnknownValue` when the value cannot be known (a variable without a default,
    ``templatefile`` of values known after apply): the policy's verdict is skipped and counted.
    """
    # JSON text, or the structure jsonencode() was given when parts of it (an ECR image URL)
    # are known only after apply: the known parts still decide
    value = decoded(resource.get("container_definitions"))
    if isinstance(value, dict):  # a single definition written without the list
        value = [value]
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, Unknown):
            raise UnknownValue(item)
        if isinstance(item, dict):
            out.append(item)
    return out


def label(container: dict, index: int) -> str:
    name = container.get("name")
    return f'container "{name}"' if isinstance(name, str) and name else f"container #{index}"


def is_windows_task(resource) -> bool:
    """A task for Windows containers (``runtime_platform { operating_system_family = "WINDOWS_..." }``)."""
    family = resource.get("runtime_platform.operating_system_family")
    return isinstance(family, str) and family.upper().startswith("WINDOWS")


def is_true(value) -> bool:
    """A JSON ``true``. The provider decodes the document into typed fields, so a ``"true"``
    string is an error at plan time, not a privileged container."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    return value is True
