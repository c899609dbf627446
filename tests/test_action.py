"""The GitHub Action (action.yml): valid YAML, consistent references, and its steps run as the
runner would run them (bash, `${{ }}` substituted, GITHUB_* files), without GitHub.

`uses:` steps are not run: actions/setup-python is replaced by a stand-in interpreter whose
`-m venv` makes a venv that runs this checkout's iaclint and whose pip only records what it was
asked to install (no network); upload-sarif is recorded with its evaluated inputs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from .conftest import ROOT

ACTION = os.path.join(ROOT, "action.yml")
EXAMPLE = os.path.join(ROOT, "docs", "examples", "iaclint-workflow.yml")
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
KNOWN_ACTION_OUTPUTS = {"actions/setup-python": {"python-version", "cache-hit", "python-path"}}
SSH_DOCKERFILE = "FROM alpine:3.20\nUSER app\nEXPOSE 22\n"


@pytest.fixture(scope="module")
def action():
    with open(ACTION, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# -- a small evaluator for the expressions the action uses ----------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|"
                    r"(?P<call>[A-Za-z_][\w-]*\(\))|(?P<ref>[A-Za-z_][\w.-]*))")


def evaluate(expr: str, ctx: dict):
    tokens, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ValueError(f"expression the test cannot read: {expr!r}")
        tokens.append(m)
        pos = m.end()
        if not expr[pos:].strip():
            break
    i = 0

    def value(tok):
        if tok.group("str"):
            return tok.group("str")[1:-1].replace("''", "'")
        if tok.group("call"):
            name = tok.group("call")[:-2]
            if name not in ("always", "success"):
                raise ValueError(f"function the test does not know: {name}")
            return True
        ref = tok.group("ref")
        if ref in ("true", "false"):
            return ref == "true"
        node = ctx
        for part in ref.split("."):
            if not isinstance(node, dict) or part not in node:
                if node is ctx:
                    raise KeyError(f"unknown context {ref}")
                return ""
            node = node[part]
        return node

    def primary():
        nonlocal i
        tok = tokens[i]
        i += 1
        if tok.group("op") == "!":
            return not truthy(primary())
        if tok.group("op") == "(":
            v = disjunction()
            i += 1
            return v
        return value(tok)

    def comparison():
        nonlocal i
        left = primary()
        while i < len(tokens) and tokens[i].group("op") in ("==", "!="):
            op = tokens[i].group("op")
            i += 1
            right = primary()
            left = (str(left).lower() == str(right).lower()) == (op == "==")
        return left

    def conjunction():
        nonlocal i
        left = comparison()
        while i < len(tokens) and tokens[i].group("op") == "&&":
            i += 1
            right = comparison()
            left = right if truthy(left) else left
        return left

    def disjunction():
        nonlocal i
        left = conjunction()
        while i < len(tokens) and tokens[i].group("op") == "||":
            i += 1
            right = conjunction()
            left = left if truthy(left) else right
        return left

    result = disjunction()
    assert i == len(tokens), f"unparsed tokens in {expr!r}"
    return result


def truthy(v) -> bool:
    return bool(v) and v != "false" if isinstance(v, str) else bool(v)


def scalar(value) -> str:
    """A YAML scalar as the runner hands it over: a string (booleans lower case)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def substitute(text: str, ctx: dict) -> str:
    def one(m):
        v = evaluate(m.group(1), ctx)
        return "true" if v is True else "false" if v is False else str(v)
    return EXPR.sub(one, text)


def test_evaluator():
    ctx = {"inputs": {"upload": "true", "x": ""}, "steps": {"s": {"outputs": {"ok": "true"}}}}
    assert evaluate("inputs.upload == 'true' && steps.s.outputs.ok == 'true'", ctx) is True
    assert evaluate("inputs.upload == 'false' || !steps.s.outputs.ok", ctx) is False
    assert evaluate("inputs.x || 'fallback'", ctx) == "fallback"
    assert evaluate("steps.missing.outputs.y", ctx) == ""
    with pytest.raises(KeyError):
        evaluate("secrets.TOKEN", ctx)


# -- static checks ----------------------------------------------------------------------------

def _expressions(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _expressions(v)
    elif isinstance(node, list):
        for v in node:
            yield from _expressions(v)
    elif isinstance(node, str):
        yield from EXPR.findall(node)


def test_structure(action):
    assert action["runs"]["using"] == "composite"
    assert action["name"] and action["description"]
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec and isinstance(spec["default"], str), name  # inputs are strings
    for name, spec in action["outputs"].items():
        assert spec.get("description") and EXPR.fullmatch(spec["value"]), name
    steps = action["runs"]["steps"]
    for step in steps:
        assert ("run" in step) != ("uses" in step), step.get("name")
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts through env: only; a ${{ }} in a script is an injection hole
            assert "${{" not in step["run"], step["name"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert "github/codeql-action/upload-sarif@v3" in uses
    assert steps[-1].get("run") and "exit" in steps[-1]["run"], "the exit code is propagated last"


def test_every_reference_exists(action):
    inputs = set(action["inputs"])
    steps = action["runs"]["steps"]
    seen: dict[str, set] = {}
    referenced_inputs = set()

    def check(node, where):
        for expr in _expressions(node):
            for ref in re.findall(r"\b(inputs|steps|github|runner)\.([\w.-]+)", expr):
                kind, rest = ref
                if kind == "inputs":
                    assert rest in inputs, f"{where}: inputs.{rest} is not declared"
                    referenced_inputs.add(rest)
                elif kind == "steps":
                    sid, _, out = rest.partition(".outputs.")
                    assert sid in seen, f"{where}: steps.{sid} is not an earlier step"
                    assert out in seen[sid], f"{where}: step {sid} never sets output {out}"
                elif kind == "github":
                    assert rest in ("action_path", "workspace"), f"{where}: github.{rest}"

    for step in steps:
        check({k: v for k, v in step.items() if k != "id"}, step.get("name"))
        if "id" in step:
            if "run" in step:
                seen[step["id"]] = set(re.findall(r'echo "([\w-]+)=', step["run"]))
            else:
                seen[step["id"]] = KNOWN_ACTION_OUTPUTS[step["uses"].split("@")[0]]
    check(action["outputs"], "outputs")
    assert referenced_inputs == inputs, f"inputs never used: {inputs - referenced_inputs}"


def test_example_workflow_uses_only_real_inputs(action):
    with open(EXAMPLE, encoding="utf-8") as fh:
        workflow = yaml.safe_load(fh)
    steps = workflow["jobs"]["iaclint"]["steps"]
    ours = [s for s in steps if s.get("uses", "").startswith("iaclint/iaclint@")]
    assert len(ours) == 1
    assert set(ours[0]["with"]) <= set(action["inputs"])
    assert workflow["permissions"]["security-events"] == "write"
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0          # --changed-since needs the base commit
    for step in steps:
        for expr in _expressions(step):
            for sid, out in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                assert sid == ours[0]["id"] and out in action["outputs"]


def test_readme_documents_every_input_and_output(action):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    for name in list(action["inputs"]) + list(action["outputs"]):
        assert f"| `{name}` |" in readme, f"README.md does not document {name}"


# -- running the steps ------------------------------------------------------------------------

@pytest.fixture
def runner(tmp_path):
    """Runs the action's steps the way the Actions runner does, in a workspace under tmp_path."""
    bin_dir = tmp_path / "stand-in"
    bin_dir.mkdir()
    pip_log = tmp_path / "pip.log"
    real = sys.executable
    py = bin_dir / "python"
    # `-m venv DIR`: a venv whose iaclint is this checkout's and whose pip only logs.
    py.write_text(f"""#!/bin/bash
if [ "$1" = "-I" ]; then shift; fi  # the action isolates every interpreter it runs
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  cat > "$3/bin/python" <<'EOS'
#!/bin/bash
if [ "$1" = "-I" ]; then shift; fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then shift 2; echo "$*" >> {shlex.quote(str(pip_log))}; exit 0; fi
exec {shlex.quote(real)} "$@"
EOS
  printf '#!/bin/bash\\nexec %s -m iaclint "$@"\\n' {shlex.quote(shlex.quote(real))} > "$3/bin/iaclint"
  chmod +x "$3/bin/python" "$3/bin/iaclint"
  exit 0
fi
exec {shlex.quote(real)} "$@"
""")
    py.chmod(0o755)
    workspace = tmp_path / "workspace"
    workspace.mkdir()

    def run(action, inputs=None):
        temp = tmp_path / "runner-temp"
        temp.mkdir(exist_ok=True)
        summary = tmp_path / "summary.md"
        summary.write_text("")
        values = {k: v.get("default", "") for k, v in action["inputs"].items()}
        values.update(inputs or {})
        ctx = {"inputs": values, "steps": {},
               "github": {"action_path": ROOT, "workspace": str(workspace)},
               "runner": {"temp": str(temp)}}
        record = {"ran": [], "skipped": [], "uploads": [], "code": 0, "logs": {}}
        for step in action["runs"]["steps"]:
            name = step["name"]
            condition = str(step.get("if", "success()")).strip()
            bare = EXPR.fullmatch(condition)
            if not truthy(evaluate(bare.group(1) if bare else condition, ctx)):
                record["skipped"].append(name)
                continue
            record["ran"].append(name)
            outputs: dict[str, str] = {}
            if "uses" in step:
                with_ = {k: substitute(scalar(v), ctx) for k, v in (step.get("with") or {}).items()}
                if step["uses"].startswith("actions/setup-python@"):
                    assert with_["update-environment"] == "false"   # the job's PATH is left alone
                    outputs["python-path"] = str(py)
                elif step["uses"].startswith("github/codeql-action/upload-sarif@"):
                    record["uploads"].append(with_)
                else:
                    raise AssertionError(f"unexpected action {step['uses']}")
            else:
                out_file = tmp_path / f"output-{len(record['ran'])}"
                out_file.write_text("")
                env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
                env.update({k: substitute(scalar(v), ctx) for k, v in (step.get("env") or {}).items()})
                env.update({"GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(summary),
                            "RUNNER_TEMP": str(temp), "GITHUB_WORKSPACE": str(workspace), "NO_COLOR": "1"})
                script = tmp_path / f"step-{len(record['ran'])}.sh"
                script.write_text(step["run"])
                proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                      cwd=workspace, env=env, capture_output=True, text=True, timeout=300,
                                      stdin=subprocess.DEVNULL)
                record["logs"][name] = proc.stdout + proc.stderr
                for line in out_file.read_text().splitlines():
                    key, _, value = line.partition("=")
                    outputs[key] = value
                if proc.returncode != 0:
                    record["code"] = proc.returncode
                    record["failed"] = name
                    ctx["steps"].setdefault(step.get("id", name), {"outputs": outputs})
                    break
            if "id" in step:
                ctx["steps"][step["id"]] = {"outputs": outputs}
        record["outputs"] = {k: substitute(v["value"], ctx) for k, v in action["outputs"].items()}
        record["summary"] = summary.read_text()
        record["pip"] = pip_log.read_text().splitlines() if pip_log.exists() else []
        pip_log.unlink(missing_ok=True)
        return record

    run.workspace = workspace
    return run


def test_findings_fail_the_job_after_uploading(action, runner):
    (runner.workspace / "svc").mkdir()
    (runner.workspace / "svc" / "Dockerfile").write_text(SSH_DOCKERFILE)
    r = runner(action, {"args": "--select IAC-NET-003"})
    assert r["code"] == 1 and r["failed"] == "iaclint result", r["logs"]
    assert r["outputs"] == {"sarif-file": "iaclint.sarif", "findings": "1", "exit-code": "1"}
    assert r["pip"] == [f"install --quiet --disable-pip-version-check {ROOT}"]   # the action's own code
    log = json.loads((runner.workspace / "iaclint.sarif").read_text())
    assert [res["ruleId"] for res in log["runs"][0]["results"]] == ["IAC-NET-003"]
    assert log["runs"][0]["automationDetails"]["id"] == "iaclint/"
    assert r["uploads"] == [{"sarif_file": "iaclint.sarif", "category": "iaclint"}]
    assert r["summary"].startswith("### iaclint: 1 finding\n")
    assert "| network | 1 | 1 |" in r["summary"]
    assert "svc/Dockerfile:3" in r["logs"]["Scan with iaclint"]               # text report in the log


def test_no_upload_and_report_only(action, runner):
    (runner.workspace / "Dockerfile").write_text(SSH_DOCKERFILE)
    r = runner(action, {"args": "--select IAC-NET-003", "upload": "false", "fail-on-findings": "false",
                        "sarif-file": "out/report.sarif", "category": "docker", "format": "github"})
    assert r["code"] == 0 and "Upload SARIF to code scanning" in r["skipped"] and r["uploads"] == []
    assert r["outputs"] == {"sarif-file": "out/report.sarif", "findings": "1", "exit-code": "1"}
    assert "::warning file=Dockerfile,line=3" in r["logs"]["Scan with iaclint"]
    assert json.loads((runner.workspace / "out" / "report.sarif").read_text())["runs"][0][
        "automationDetails"]["id"] == "docker/"


def test_threshold_baseline_and_version(action, runner):
    (runner.workspace / "Dockerfile").write_text(SSH_DOCKERFILE)
    r = runner(action, {"args": "--select IAC-NET-003", "severity-threshold": "critical", "version": "1.2.3"})
    assert r["code"] == 0 and r["outputs"]["findings"] == "1" and r["outputs"]["exit-code"] == "0"
    assert r["pip"] == ["install --quiet --disable-pip-version-check iaclint==1.2.3"]
    subprocess.run([sys.executable, "-m", "iaclint", "scan", ".", "--select", "IAC-NET-003",
                    "--write-baseline", "base.json"], cwd=runner.workspace, capture_output=True, check=True,
                   stdin=subprocess.DEVNULL)
    r = runner(action, {"args": "--select IAC-NET-003", "baseline": "base.json"})
    assert r["code"] == 0 and r["outputs"] == {"sarif-file": "iaclint.sarif", "findings": "0", "exit-code": "0"}
    assert r["summary"].startswith("### iaclint: no new findings\n")
    assert "1 in the baseline" in r["summary"]


def test_paths_with_spaces_and_several_paths(action, runner):
    for d in ("my dir", "other"):
        (runner.workspace / d).mkdir()
        (runner.workspace / d / "Dockerfile").write_text(SSH_DOCKERFILE)
    (runner.workspace / "skipped").mkdir()
    (runner.workspace / "skipped" / "Dockerfile").write_text(SSH_DOCKERFILE)
    r = runner(action, {"paths": "'my dir'\nother", "args": "--select IAC-NET-003"})
    assert r["outputs"]["findings"] == "2" and r["code"] == 1


def test_errors_fail_even_when_findings_do_not(action, runner):
    r = runner(action, {"paths": "does-not-exist", "fail-on-findings": "false"})
    assert r["code"] == 2 and r["outputs"] == {"sarif-file": "", "findings": "0", "exit-code": "2"}
    assert "Upload SARIF to code scanning" in r["skipped"]
    assert "The scan stopped before reporting (exit code 2)" in r["summary"]
    r = runner(action, {"args": "--select 'unclosed"})
    assert r["code"] == 2 and r["outputs"]["exit-code"] == "2"
    assert "cannot be split" in r["logs"]["Scan with iaclint"]


def test_inputs_are_never_run_by_a_shell(action, runner, tmp_path):
    (runner.workspace / "Dockerfile").write_text(SSH_DOCKERFILE)
    marker = tmp_path / "pwned"
    r = runner(action, {"args": f"--select IAC-NET-003 $(touch {marker}) `touch {marker}`",
                        "paths": f". ; touch {marker}", "sarif-file": f"x.sarif$(touch {marker})",
                        "category": f"c\"; touch {marker}; echo \""})
    assert not marker.exists()
    assert r["outputs"]["exit-code"] == "2"      # the odd words reached iaclint as literal paths
