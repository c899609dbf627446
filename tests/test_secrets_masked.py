"""No output ever shows a secret: every secrets fixture is scanned with every policy and rendered in
every format, and none of the credentials written in the fixtures may appear in the output.

The credentials are collected from the fixture text, line by line, with the detector's own
pieces: every provider-shaped token, every ``NAME=value`` / ``name: value`` literal under a
secret-looking name (and ``name:``/``value:`` pairs of env entries), every credential on a command
line, every value of a Kubernetes Secret's data (raw and decoded), and the body lines of private
keys. A policy or an output format that prints a value without masking it fails here.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import re

import pytest

from iaclint.engine import ScanOptions, scan
from iaclint.output import FORMATS, render
from iaclint.policies.secrets._detect import assignments, find_shapes, is_placeholder, looks_chosen, secret_name
from iaclint.policies.secrets._shell import script_secrets

from .conftest import FIXTURES

SECRET_DIRS = sorted(d for d in os.listdir(FIXTURES) if d.startswith("IAC-SEC-"))
# Supply-chain messages quote URLs and commands, which may carry a token.
QUOTING_DIRS = sorted(d for d in os.listdir(FIXTURES) if d.startswith("IAC-SUP-"))
# Policies whose fixtures hold no credential values at all (they judge file names).
NO_VALUES = {"IAC-SEC-016"}
# `name = "value"`, `name: value`, `"name": "value"`, `NAME=value` on one line.
_PAIR = re.compile(r"""["']?([A-Za-z_][\w.\-]*)["']?\s*(?:=|:)\s*["']?([^\s"',;{}\[\]]+)""")
_ENV_NAME = re.compile(r"""(?:-\s*)?["']?name["']?\s*[:=]\s*["']?([A-Za-z_][\w.\-]*)""")
_ENV_VALUE = re.compile(r"""["']?value["']?\s*[:=]\s*["']?([^"'\s,}]+)""")


def _fixture_texts(folder: str) -> list[str]:
    texts = []
    for dirpath, _dirs, files in os.walk(os.path.join(FIXTURES, folder)):
        for name in files:
            with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                texts.append(fh.read())
    return texts


def _decoded(value: str) -> str | None:
    compact = "".join(value.split())
    if len(compact) < 8 or len(compact) % 4:
        return None
    try:
        return base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def harvest(text: str) -> set[str]:
    """The credentials written in a fixture file (see the module docstring)."""
    found = {s.value for s in find_shapes(text)} | {s.value for s in assignments(text)}
    last_name = None
    in_data = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("#", "//")) or not stripped:
            continue  # annotations and comments
        found |= {s.value for s in script_secrets(stripped)}
        for name, value in _PAIR.findall(stripped):
            if secret_name(name) and looks_chosen(value):
                found.add(value)
        # env entries: the value belongs to the name on the line before (or the same line)
        if (m := _ENV_NAME.search(stripped)) is not None:
            last_name = m.group(1)
        if (m := _ENV_VALUE.search(stripped)) is not None and last_name and secret_name(last_name):
            found.add(m.group(1))
        # a Kubernetes Secret's data: every value, decoded, is a secret
        if re.match(r"^(?:data|stringData):\s*$", stripped):
            in_data = True
        elif in_data and not line.startswith((" ", "\t")):
            in_data = False
        elif in_data and ":" in stripped:
            raw = stripped.split(":", 1)[1].strip().strip("\"'")
            decoded = _decoded(raw)
            for value in (raw, decoded):
                if value and not value.startswith(("${", "<", "|")) and len(value.strip()) >= 6:
                    found.add(value.strip())
    # Private keys: their base64 body lines are the secret, whatever the header says.
    found |= {line.strip() for line in text.splitlines() if re.fullmatch(r"\s*[A-Za-z0-9+/]{40,}={0,2}\s*", line)}
    return {s for s in found if len(s) >= 6 and not is_placeholder(s)}


def rendered(result) -> dict[str, str]:
    outputs = {}
    for fmt in FORMATS:
        buf = io.StringIO()
        render(fmt, result, buf)
        text = buf.getvalue()
        if fmt == "sarif":
            # rules[] carries each policy's documentation: text its authors wrote, not scanned data.
            doc = json.loads(text)
            for run in doc.get("runs", []):
                run.get("tool", {}).get("driver", {}).pop("rules", None)
            text = json.dumps(doc, ensure_ascii=False)
        outputs[fmt] = text
    return outputs


@pytest.mark.parametrize("folder", [d for d in SECRET_DIRS if d not in NO_VALUES])
def test_no_fixture_secret_appears_in_any_output(folder):
    secrets = set().union(*(harvest(t) for t in _fixture_texts(folder)))
    assert secrets, f"no credentials found in fixtures/{folder}: the check would be empty"
    cwd = os.getcwd()
    os.chdir(os.path.join(FIXTURES, folder))
    try:
        result = scan(["."], options=ScanOptions(inline_suppressions=True))
    finally:
        os.chdir(cwd)
    assert any(f.family == "secrets" for f in result.findings), "the fixture should produce secrets findings"
    _assert_no_leak(folder, result, secrets)


@pytest.mark.parametrize("folder", [d for d in QUOTING_DIRS
                                    if set().union(*(harvest(t) for t in _fixture_texts(d)))])
def test_no_credential_in_a_quoted_url_or_command_is_printed(folder):
    secrets = set().union(*(harvest(t) for t in _fixture_texts(folder)))
    cwd = os.getcwd()
    os.chdir(os.path.join(FIXTURES, folder))
    try:
        result = scan(["."], options=ScanOptions(inline_suppressions=True))
    finally:
        os.chdir(cwd)
    assert result.findings
    _assert_no_leak(folder, result, secrets)


def _assert_no_leak(folder, result, secrets) -> None:
    for fmt, text in rendered(result).items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{fmt} output of fixtures/{folder} shows raw credentials: {leaked}"
