"""Configuration: ``.iaclint.toml`` or ``[tool.iaclint]`` in ``pyproject.toml``.

Validated with JSON Schema; a wrong key or value is an error that names the key. Config can
select policies, set options and excludes; it can never load code (third-party policies come only
from installed entry points).
"""

from __future__ import annotations

import os

SEVERITIES = ["low", "medium", "high", "critical"]
# Isolation levels and trust tiers, for the ``[isolation]`` table (docs/isolation.md).
LEVELS = ["host", "container", "hardened", "sandboxed", "vm", "dedicated"]
TIERS = ["standard", "sensitive", "untrusted"]
# Config tables named after a family are handed to that family's policies as options.
FAMILY_TABLES = ("isolation",)

ISOLATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": "isolation levels and trust tiers (docs/isolation.md)",
    "properties": {
        "floors": {"type": "object", "additionalProperties": False,
                   "properties": {"untrusted": {"enum": LEVELS}, "sensitive": {"enum": LEVELS}},
                   "description": "the lowest level each tier may run at"},
        "namespaces": {"type": "object", "additionalProperties": {"enum": TIERS},
                       "description": "Kubernetes namespace (glob) -> tier"},
        "selectors": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["match-labels", "tier"],
            "properties": {"match-labels": {"type": "object", "minProperties": 1,
                                            "additionalProperties": {"type": "string"}},
                           "tier": {"enum": TIERS}}},
            "description": "labels (Kubernetes) or tags (Terraform) -> tier"},
        "runtime-classes": {"type": "object", "additionalProperties": {"enum": LEVELS},
                            "description": "RuntimeClass name or handler -> level"},
    },
}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "select": {"type": "array", "items": {"type": "string"},
                   "description": "policy ids, names, id prefixes or families to run"},
        "ignore": {"type": "array", "items": {"type": "string"}},
        "exclude": {"type": "array", "items": {"type": "string"},
                    "description": ".gitignore-style patterns, relative to the config file"},
        "severity-threshold": {"enum": SEVERITIES},
        "inline-suppressions": {"type": "boolean"},
        "severity": {"type": "object", "additionalProperties": {"enum": SEVERITIES},
                     "description": "per-policy severity overrides, by id"},
        "options": {"type": "object", "additionalProperties": {"type": "object"},
                    "description": "per-policy options, by id or name"},
        "format": {"enum": ["text", "json", "sarif", "github", "markdown"]},
        "isolation": ISOLATION_SCHEMA,
    },
}


class ConfigError(Exception):
    pass


class Config:
    """The ``.iaclint.toml`` (or ``[tool.iaclint]``) settings, defaults where a key is absent.

    A plain class, not a dataclass: on Python 3.11 a dataclass compiles its generated methods
    when its module is imported, ~0.8 ms of every run for this one.
    """

    FIELDS = ("path", "base", "select", "ignore", "exclude", "severity_threshold",
              "inline_suppressions", "severity", "options", "format", "isolation")
    __slots__ = FIELDS

    def __init__(self, path: str | None = None, base: str = ".", select: list[str] | None = None,
                 ignore: list[str] | None = None, exclude: list[str] | None = None,
                 severity_threshold: str = "low", inline_suppressions: bool = True,
                 severity: dict[str, str] | None = None, options: dict[str, dict] | None = None,
                 format: str | None = None, isolation: dict | None = None):
        self.path, self.base = path, base
        self.select = [] if select is None else select
        self.ignore = [] if ignore is None else ignore
        self.exclude = [] if exclude is None else exclude
        self.severity_threshold, self.inline_suppressions = severity_threshold, inline_suppressions
        self.severity = {} if severity is None else severity
        self.options = {} if options is None else options
        self.format = format
        self.isolation = {} if isolation is None else isolation

    def __repr__(self) -> str:  # every setting: the result cache keys on it
        return "Config(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.FIELDS) + ")"

    def __eq__(self, other):
        if type(other) is not Config:
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.FIELDS)

    __hash__ = None

    def options_for(self, policy) -> dict:
        """A policy's options: its family's table (``[isolation]``) under its own ``[options.ID]``."""
        own = self.options.get(policy.id) or self.options.get(policy.name) or {}
        shared = getattr(self, policy.family.replace("-", "_"), None) if policy.family in FAMILY_TABLES else None
        return {**shared, **own} if shared else own


def find(start: str) -> str | None:
    """The nearest ``.iaclint.toml``, or ``pyproject.toml`` with ``[tool.iaclint]``, upwards."""
    d = os.path.abspath(start)
    while True:
        candidate = os.path.join(d, ".iaclint.toml")
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(d, "pyproject.toml")
        if os.path.isfile(pyproject):
            try:
                with open(pyproject, "rb") as fh:
                    if b"[tool.iaclint" in fh.read():
                        return pyproject
            except OSError:
                pass
        if os.path.isdir(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    import tomllib
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    where = "[tool.iaclint]" if os.path.basename(path) == "pyproject.toml" else "config"
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("iaclint", {})
    _validate(data, path, where)
    cfg = Config(path=path, base=os.path.dirname(os.path.abspath(path)))
    for key, value in data.items():
        setattr(cfg, key.replace("-", "_"), value)
    return cfg


def _validate(data: dict, path: str, where: str) -> None:
    import jsonschema
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = []
    for err in errors:
        key = ".".join(str(p) for p in err.absolute_path)
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            known = ", ".join(sorted(err.schema.get("properties", {}))) or "policy ids"
            for name in extra:
                full = f"{key}.{name}" if key else name
                lines.append(f"unknown key '{full}' (known: {known})" if key == "" else
                             f"'{full}': {err.message}")
            continue
        lines.append(f"'{key}': {err.message}")
    raise ConfigError(f"{path}: {where}: " + "; ".join(lines))
