"""Fixture files that carry their own expectations, for the built-in suite and third-party packs.

An annotation stands on its own line right above the line a finding points at::

    # expect: IAC-NET-001
    resource "aws_security_group" "open" { ... }

    # ok: IAC-NET-001
    resource "aws_security_group" "office_only" { ... }

``#`` and ``//`` comments work in every format. Several annotation lines may stack; each applies to
the next line that is not an annotation. ``todo-expect`` / ``todo-ok`` record known gaps: the
suite runs them as expected failures. A fixture folder may hold an ``.iaclint.toml`` that sets
its policy's options (``[options.IAC-SUP-006]``); it is loaded for that folder only.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

_ANNOT_RE = re.compile(r"^\s*(?:#|//)\s*(expect|ok|todo-expect|todo-ok)\s*:\s*(.+?)\s*$")


@dataclass
class Expectations:
    expect: set = field(default_factory=set)       # {(path, line, id)}
    ok: set = field(default_factory=set)
    todo_expect: set = field(default_factory=set)
    todo_ok: set = field(default_factory=set)

    def ids(self) -> set[str]:
        return {i for s in (self.expect, self.ok, self.todo_expect, self.todo_ok) for (_, _, i) in s}


def read_expectations(text: str, path: str, into: Expectations | None = None) -> Expectations:
    exp = into or Expectations()
    pending: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _ANNOT_RE.match(line)
        if m:
            for policy_id in re.split(r"[,\s]+", m.group(2)):
                if policy_id:
                    pending.append((m.group(1), policy_id.strip()))
            continue
        if pending and line.strip():
            for kind, policy_id in pending:
                getattr(exp, kind.replace("-", "_")).add((path, number, policy_id))
            pending = []
    return exp


def fixture_expectations(directory: str) -> Expectations:
    """All annotations of every file under ``directory`` (paths relative to it)."""
    exp = Expectations()
    for dirpath, _dirs, files in os.walk(directory):
        for name in sorted(files):
            full = os.path.join(dirpath, name)
            try:
                with open(full, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                continue
            read_expectations(text, os.path.relpath(full, directory).replace(os.sep, "/"), exp)
    return exp


@dataclass
class FixtureOutcome:
    missing: set           # expected (path, line, id) not reported
    unexpected: set        # reported where no expect line says so
    fixed_todos: set       # todo-expect now reported, or todo-ok now clean: promote them
    expectations: Expectations


def check_fixture(directory: str, policy_id: str) -> FixtureOutcome:
    """Scan ``directory`` with only ``policy_id`` and compare with its annotations."""
    from .config import load as load_config
    from .engine import ScanOptions, scan
    exp = fixture_expectations(directory)
    own = os.path.join(directory, ".iaclint.toml")  # a fixture may set its policy's options
    config = load_config(os.path.abspath(own)) if os.path.isfile(own) else None
    cwd = os.getcwd()
    os.chdir(directory)  # findings come back relative to the fixture folder
    try:
        result = scan(["."], config=config, options=ScanOptions(select=[policy_id], inline_suppressions=True))
    finally:
        os.chdir(cwd)
    errors = [d for d in result.diagnostics if d.level == "error"]
    if errors:
        raise AssertionError("fixture does not parse: " + "; ".join(
            f"{d.path}:{d.span.line if d.span else '?'}: {d.message}" for d in errors))
    got = {(f.location.path, f.location.span.line, f.policy_id) for f in result.findings}
    want = {e for e in exp.expect if e[2] == policy_id}
    todo_expect = {e for e in exp.todo_expect if e[2] == policy_id}
    todo_ok = {e for e in exp.todo_ok if e[2] == policy_id}
    unexpected = got - want - todo_ok - todo_expect
    fixed = (todo_expect & got) | (todo_ok - got)
    return FixtureOutcome(want - got, unexpected, fixed, exp)
