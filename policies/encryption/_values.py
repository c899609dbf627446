"""Reading Terraform values the way Terraform converts them, for the encryption policies.

Terraform turns the strings ``"true"`` / ``"false"`` into booleans for a bool argument, so both
spellings count. An Unknown value raises :class:`iaclint.model.UnknownValue` on comparison, which
the engine counts as a skipped check: these helpers never turn it into a verdict.
"""

from __future__ import annotations

from iaclint.model import Unknown


def is_true(value) -> bool:
    return value is True or value == "true"


def is_false(value) -> bool:
    return value is False or value == "false"


def is_blank(value) -> bool:
    """Missing, null or an empty string: how an optional key id or ARN says "none"."""
    if value is None:
        return True
    if isinstance(value, Unknown):
        return False
    return isinstance(value, str) and not value.strip()


def hcl(value) -> str:
    """A value as it would be written in HCL, for messages (``false``, ``"TLS1_0"``)."""
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def first_set(node, paths):
    """The first of ``paths`` (dotted, relative to ``node``) that has a value: (path, value)."""
    for path in paths:
        value = node.get(path)
        if value is not None:
            return path, value
    return None, None
