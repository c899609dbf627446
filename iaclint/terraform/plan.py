"""Terraform plan JSON (``terraform show -json plan.out``) as Resources of the common model.

A plan holds the values Terraform will apply, so nothing here is guessed: ``planned_values``
gives every known value, ``resource_changes[].change.after_unknown`` marks what only apply will
tell (those become Unknown), and the ``configuration`` section's expression ``references``
give the references between resources. A plan has no source positions; the engine maps each
resource back to its block in the configuration files when they are scanned beside the plan
(see ``attach_config``), else findings point at the resource's ``"address"`` line in the plan.
"""

from __future__ import annotations

import json
import re

from ..model import ParseError, Resource, Span, Unknown

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any

_ADDRESS_RE = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_SNIFF_RE = re.compile(rb'^\s*\{\s*"format_version"\s*:\s*"[^"]*"\s*,\s*"terraform_version"')


def looks_like_plan(head: bytes) -> bool:
    """True for the first bytes of ``terraform show -json`` output (plan or state)."""
    return bool(_SNIFF_RE.match(head))


def plan_resources(text: str, path: str, root: str) -> list[Resource]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", 1, 1) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ParseError(f"invalid JSON: {exc}", 1, 1) from None
    if not isinstance(data, dict) or "planned_values" not in data:
        raise ParseError("not a Terraform plan: no planned_values (use `terraform show -json PLANFILE`)", 1, 1)
    lines = _address_lines(text)
    unknown = {}
    # The file is not trusted to have the shape terraform writes: anything of the wrong type
    # is left out (_obj, _seq) rather than crashing the scan.
    for change in _seq(data.get("resource_changes")):
        if isinstance(change, dict) and isinstance(change.get("change"), dict) and \
                isinstance(change.get("address"), str):
            unknown[change["address"]] = change["change"].get("after_unknown")
    refs = _config_refs(_obj(_obj(data.get("configuration")).get("root_module")), "")
    out: list[Resource] = []
    for module in _modules(_obj(_obj(data["planned_values"]).get("root_module"))):
        for r in _seq(module.get("resources")):
            if not isinstance(r, dict) or not isinstance(r.get("address"), str):
                continue
            address = r["address"]
            type_ = r.get("type", "") if isinstance(r.get("type", ""), str) else ""
            if r.get("mode") == "data":
                type_ = f"data.{type_}"
            values = _overlay(r.get("values") or {}, unknown.get(address), address)
            line = lines.get(address, 1)
            base = _base(address)
            meta = {"block": "data" if r.get("mode") == "data" else "resource", "root": root, "plan": path,
                    "computed": set(), "refs": refs.get(base, {})}
            call_path = _call_path(address)
            if call_path:
                meta["call_path"] = call_path
            name = r.get("name", "") if isinstance(r.get("name", ""), str) else ""
            out.append(Resource("terraform", type_, name, address, path, Span.point(line),
                                values, {}, meta))
    return out


def attach_config(plan: list[Resource], config: list[Resource]) -> set[str]:
    """Point plan resources at their blocks in the scanned configuration; return those files.

    A planned ``aws_instance.web[1]`` takes the position of the configuration's
    ``aws_instance.web[1]`` or, when the configuration could not expand it, ``aws_instance.web``.
    """
    by_address = {}
    for r in config:
        by_address.setdefault(r.address, r)
        by_address.setdefault(_base(r.address), r)
    files = set()
    for r in plan:
        c = by_address.get(r.address) or by_address.get(_base(r.address))
        if c is None:
            continue
        c.settle()  # every argument's span
        r.file, r.header, r.spans = c.file, c.header, c.spans
        r.meta["module_dir"] = c.meta.get("module_dir")
        files.add(c.file)
    return files


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _seq(value: Any) -> list:
    return value if isinstance(value, list) else []


def _modules(module: dict):
    stack = [module]  # not recursive: child_modules may nest as deep as the JSON does
    while stack:
        module = stack.pop()
        yield module
        stack.extend(reversed([c for c in _seq(module.get("child_modules")) if isinstance(c, dict)]))


def _overlay(values: Any, after_unknown: Any, where: str) -> Any:
    """``values`` with every path that ``after_unknown`` marks true replaced by Unknown."""
    if after_unknown is True:
        return Unknown(where, f"{where} is known only after apply")
    if isinstance(values, dict):
        out = dict(values)
        if isinstance(after_unknown, dict):
            for k, u in after_unknown.items():
                if u is True or isinstance(u, (dict, list)):
                    out[k] = _overlay(values.get(k), u, f"{where}.{k}")
        return out
    if isinstance(values, list) and isinstance(after_unknown, list):
        return [_overlay(v, after_unknown[i] if i < len(after_unknown) else None, f"{where}[{i}]")
                for i, v in enumerate(values)]
    if values is None and isinstance(after_unknown, (dict, list)):
        return values
    return values


def _config_refs(module: dict, prefix: str) -> dict[str, dict]:
    """address -> {attribute path: resource addresses it refers to}, from ``configuration``."""
    out: dict[str, dict] = {}
    for r in _seq(module.get("resources")):
        if not isinstance(r, dict) or not isinstance(r.get("address"), str):
            continue
        paths: dict = {}
        _expression_refs(r.get("expressions") or {}, (), paths, prefix)
        out[prefix + r["address"]] = paths
    for name, call in _obj(module.get("module_calls")).items():
        if isinstance(call, dict):
            out.update(_config_refs(_obj(call.get("module")), f"{prefix}module.{name}."))
    return out


def _expression_refs(expressions: Any, path: tuple, out: dict, prefix: str) -> None:
    if isinstance(expressions, list):
        for i, e in enumerate(expressions):
            _expression_refs(e, path + (i,), out, prefix)
        return
    if not isinstance(expressions, dict):
        return
    refs = expressions.get("references")
    if isinstance(refs, list) and path:
        targets = {prefix + _target(ref) for ref in refs if isinstance(ref, str) and _target(ref)}
        if targets:
            out[path] = frozenset(targets)
        return
    for key, value in expressions.items():
        if isinstance(value, (dict, list)):
            _expression_refs(value, path + (key,), out, prefix)


def _target(ref: str) -> str:
    """The resource a reference names: ``aws_s3_bucket.b.id`` -> ``aws_s3_bucket.b``."""
    parts = ref.split(".")
    if parts[0] in ("var", "local", "each", "count", "path", "terraform", "self"):
        return ""
    if parts[0] == "data":
        return ".".join(parts[:3]) if len(parts) >= 3 else ""
    if parts[0] == "module":
        return ".".join(parts[:2]) if len(parts) >= 2 else ""
    return ".".join(parts[:2]).split("[")[0] if len(parts) >= 2 else ""


def _base(address: str) -> str:
    """``module.a["x"].aws_instance.web[0]`` -> ``module.a.aws_instance.web``."""
    return re.sub(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]', "", address)


def _call_path(address: str) -> str:
    """``module.a["x"].module.b.aws_instance.web`` -> ``module.a["x"].module.b``."""
    m = re.match(r'^((?:module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.?)*)', address)
    return m.group(1).rstrip(".") if m else ""


def _address_lines(text: str) -> dict[str, int]:
    """The line of each resource's ``"address"`` inside ``planned_values``."""
    start = text.find('"planned_values"')
    end = text.find('"resource_changes"', start + 1) if start >= 0 else -1
    out: dict[str, int] = {}
    if start < 0:
        return out
    section_end = end if end > start else len(text)
    line = text.count("\n", 0, start) + 1
    last = start
    for m in _ADDRESS_RE.finditer(text, start, section_end):
        line += text.count("\n", last, m.start())
        last = m.start()
        try:
            out.setdefault(json.loads(f'"{m.group(1)}"'), line)
        except ValueError:  # not a JSON string after all (text inside another string)
            continue
    return out
