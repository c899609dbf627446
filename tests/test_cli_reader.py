"""The command line read without argparse (``cli._read``) must read what argparse reads, and
leave argparse everything else.

Hypothesis writes command lines from the declared arguments, in every spelling (``--name value``,
``--name=value``, short names, ``-xvalue``, abbreviations, ``--``, values and paths that start
with ``-``, paths on both sides of an option, values the option refuses). Whenever ``_read``
answers, argparse must give the same namespace; whenever argparse fails, ``_read`` must have left
the line to it. Command lines in the common spellings must be read, or the reader would pass
these tests by leaving everything to argparse.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.cli import COMMANDS, _byte_size, _read, build_parser

VALUES = st.one_of(
    st.sampled_from(["json", "sarif", "text", "markdown", "high", "low", "2", "0", "-1", "+3", " 4",
                     "5M", "512K", "0K", "1.5M", "x=1", "=", "", "a,b", "IAC-NET-001", "-", "--",
                     "-x", "--no-cache", "f.tfvars", "sarif=out.sarif", "ü", "-h"]),
    st.text(alphabet="ab-=.,1 ", max_size=5),
)
PATH = st.sampled_from([".", "main.tf", "k8s/", "a b", "", "-", "-x", "--", "ü.yaml"])
ODD = st.sampled_from(["-h", "--help", "--version", "--", "-", "--no-c", "--form", "-fjson", "-j2", "-qj",
                       "-f=json", "--quiet=1", "--exclude", "-z", "--selec=x"])


def _accepted(draw, name: str, kw: dict) -> str:
    """A value the option accepts, which ``_read`` reads as argparse does."""
    if "choices" in kw:
        return draw(st.sampled_from(kw["choices"]))
    if kw.get("type") is int:
        return str(draw(st.integers(1, 64)))
    if kw.get("type") is _byte_size:
        return draw(st.sampled_from(["5M", "100000"]))
    return draw(st.sampled_from(["out.sarif", "IAC-NET", "x=1", "**/gen/", "sarif=r.sarif"]))


@st.composite
def command_lines(draw, canonical: bool = False):
    """A command and a mix of its arguments; ``canonical``: only the spellings ``_read`` reads,
    with values it accepts."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    arguments = COMMANDS[command][1]
    options = [(names, kw) for names, kw in arguments if names[0].startswith("-")]
    positional = next((kw for names, kw in arguments if not names[0].startswith("-")), None)
    given: list[str] = []  # the options, with their values
    for _ in range(draw(st.integers(0, 6)) if options else 0):
        names, kw = draw(st.sampled_from(options))
        name = draw(st.sampled_from(names))
        if kw.get("action") == "store_true":
            given.append(name)
            continue
        value = _accepted(draw, name, kw) if canonical else draw(VALUES)
        if name.startswith("--") and draw(st.booleans()):
            given.append(f"{name}={value}")
        else:
            given.extend([name, value])
    if not canonical:
        for _ in range(draw(st.integers(0, 2))):
            given.insert(draw(st.integers(0, len(given))), draw(ODD))
    if positional is None:
        return [command, *given]
    count = 1 if positional.get("nargs") != "*" else draw(st.integers(0, 3))
    words = [draw(st.sampled_from(["IAC-NET-001", "main.tf", "k8s/", ".", "a b"]) if canonical else PATH)
             for _ in range(count)]
    if canonical or draw(st.booleans()):
        return [command, *words, *given] if draw(st.booleans()) else [command, *given, *words]
    return [command, *words[:1], *given, *words[1:]]  # positional words on both sides


def _argparse(argv: list[str]):
    try:
        return vars(build_parser(argv[0]).parse_args(argv))
    except SystemExit:
        return None


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.one_of(command_lines(), st.lists(st.one_of(VALUES, ODD, PATH), max_size=4).map(lambda w: ["scan", *w])))
def test_what_read_answers_argparse_answers_the_same(argv):
    read = _read(argv)
    if read is not None:
        assert vars(read) == _argparse(argv)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(command_lines(canonical=True))
def test_the_common_spellings_are_read_without_argparse(argv):
    read = _read(argv)
    assert read is not None, argv
    assert vars(read) == _argparse(argv)


@pytest.mark.parametrize("argv", [
    ["scan", "--no-cache", "-f", "json", "corpus/terragoat"],
    ["scan", "-f", "sarif", "-o", "iaclint.sarif", "--sarif-category", "iac", "."],
    ["scan", "--changed-since", "origin/main", "--also-output", "sarif=r.sarif"],
    ["scan", "main.tf", "modules/vpc/variables.tf"],  # pre-commit: the hook's args, then the files
    ["scan", "--var", "env=prod", "--var-file=prod.tfvars", "--jobs=2", "--max-file-size", "10M"],
    ["isolation", "k8s", "-f", "json"], ["rules", "-f", "json"], ["explain", "IAC-ISO-001"],
])
def test_everyday_command_lines_are_read(argv):
    read = _read(argv)
    assert read is not None and vars(read) == _argparse(argv)


def test_read_leaves_help_errors_and_odd_spellings_to_argparse():
    for argv in (["scan", "--help"], ["--version"], [], ["scan", "-fjson"], ["scan", "--no-c"],
                 ["scan", "a", "--no-cache", "b"], ["scan", "--format", "yaml"], ["scan", "-j", "two"],
                 ["scan", "--max-file-size", "0"], ["scan", "--", "-x"], ["explain"], ["scan", "-o"]):
        assert _read(argv) is None, argv
    defaults = vars(_read(["scan"]))
    assert defaults["paths"] == ["."] and defaults["exclude"] == [] and defaults["also_output"] == []
    assert defaults["paths"] is not COMMANDS["scan"][1][0][1]["default"]  # a fresh list each time


def test_a_scan_does_not_import_argparse(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    code = ("import sys\nfrom iaclint.cli import main\n"
            f"main(['scan', '--no-cache', '-f', 'json', '-o', {str(tmp_path / 'r.json')!r}, {str(tmp_path)!r}])\n"
            "assert 'argparse' not in sys.modules and 'gettext' not in sys.modules, 'argparse imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
