"""Hostile input: the scan of ``tests/hostile`` (see its README), deterministic output, atomic
writes, the file-size limit, and the guarantee that nothing from a scanned repository runs.

The whole-tree scan runs once, in a subprocess, so that its wall time and peak memory are
those of a real ``iaclint scan`` (``os.wait4`` gives the child's maximum RSS).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from iaclint.files import MAX_FILE_BYTES
from iaclint.terraform.evaluate import MAX_NUMBER_BITS, MAX_STEPS, MAX_STRING, MAX_VALUE
from iaclint.terraform.module import MAX_EXPANSION
from iaclint.testing import fixture_expectations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTILE = os.path.join(ROOT, "tests", "hostile")
MAX_SECONDS = 15       # measured about 3 s on a shared 2-core machine; a hang or a bomb takes minutes
MAX_RSS_MB = 200

# Every file under bad/ and what it must be reported for (a diagnostic code on that file).
BAD = {
    "bad/encoding/binary.tf": "binary-file",
    "bad/encoding/latin1.tf": "encoding",
    "bad/encoding/utf16.yaml": "encoding",
    "bad/encoding/nul.yaml": "binary-file",
    "bad/encoding/Dockerfile.overlong": "encoding",
    "bad/huge/one_line.tf": "parse-error",
    "bad/huge/one_line.yaml": "yaml-syntax",
    "bad/huge/Dockerfile.one_line": "parse-error",
    "bad/huge/too_large.tf": "file-too-large",  # made by the test: a 6 MB sparse file
    "bad/deep/deep_list.tf": "parse-error",
    "bad/deep/deep_blocks.tf": "parse-error",
    "bad/deep/deep_call.tf": "parse-error",
    "bad/deep/deep.tf.json": "parse-error",
    "bad/deep/deep_flow.yaml": "yaml-too-deep",
    "bad/deep/deep_block.yaml": "yaml-too-deep",
    "bad/deep/plan.json": "parse-error",
    "bad/yaml/billion_laughs.yaml": "yaml-alias-bomb",
    "bad/yaml/merge_bomb.yaml": "yaml-alias-bomb",
    "bad/yaml/recursive_alias.yaml": "yaml-alias-bomb",
    "bad/yaml/undefined_alias.yaml": "yaml-syntax",
    "bad/yaml/tabs.yaml": "yaml-syntax",
    "bad/tf/syntax/unterminated_string.tf": "parse-error",
    "bad/tf/syntax/unterminated_heredoc.tf": "parse-error",
    "bad/tf/syntax/garbage.tf": "parse-error",
    "bad/tf/syntax/empty.tf.json": "parse-error",  # unlike an empty .tf, not valid JSON
    "bad/tf/range/main.tf": "tf-limit",
    "bad/tf/recursive_locals/main.tf": "tf-local-cycle",
    "bad/tf/self_module/main.tf": "tf-module-cycle",
    "bad/tf/escape/main.tf": "tf-file-refused",
    "bad/tf/value_bombs/main.tf": "tf-limit",
    "bad/tf/expansion/main.tf": "tf-limit",
    "bad/tf/expansion/m1/main.tf": "tf-limit",
    "bad/tf/expansion/m2/main.tf": "tf-limit",
    "bad/tf/expansion/m3/main.tf": None,  # reached only through the fan-out, which the limit stops
    "bad/docker/Dockerfile.no_from": "parse-error",
    "bad/docker/Dockerfile.heredoc": "parse-error",
    "bad/docker/Dockerfile.arg_bomb": "dockerfile-syntax",
    "bad/plan/bigint.json": "parse-error",
    "bad/plan/truncated.json": "parse-error",
    # made by the test (git holds no links or FIFOs)
    "links/passwd.tf": "skipped",
    "links/outside_dir": "skipped",
    "links/loop": "skipped",
    "links/self.tf": "unreadable",
    "links/dangling.yaml": "unreadable",
    "links/pipe.tf": "not-a-file",
}
# Each limit says which one it is, where it was hit.
BAD_MESSAGES = {
    "bad/tf/range/main.tf": f"exceeded {MAX_STEPS} steps",
    "bad/tf/value_bombs/main.tf": (f"longer than {MAX_STRING} characters", f"more than {MAX_VALUE} elements",
                                   f"larger than {MAX_NUMBER_BITS} bits", f"exceeded {MAX_STEPS} steps"),
    "bad/tf/expansion/main.tf": f"past {MAX_EXPANSION} blocks",
    "bad/tf/escape/main.tf": ("file('/etc/passwd')", "templatefile('../../../../../../../../etc/passwd')",
                              "templatefile('link.tpl')", "filemd5('/etc/shadow')", "file('/dev/zero')",
                              "fileset('/')"),
    "bad/huge/too_large.tf": f"over the limit of {MAX_FILE_BYTES} bytes",
}


def _make_tree(base) -> str:
    """A copy of tests/hostile with what git cannot hold."""
    root = os.path.join(str(base), "repo")
    shutil.copytree(HOSTILE, root, symlinks=True)
    links = os.path.join(root, "links")
    os.mkdir(links)
    os.symlink("/etc/passwd", os.path.join(links, "passwd.tf"))
    os.symlink("/etc", os.path.join(links, "outside_dir"))
    os.symlink(".", os.path.join(links, "loop"))
    os.symlink("self.tf", os.path.join(links, "self.tf"))
    os.symlink("nowhere", os.path.join(links, "dangling.yaml"))
    os.mkfifo(os.path.join(links, "pipe.tf"))
    os.symlink("/etc/passwd", os.path.join(root, "bad", "tf", "escape", "link.tpl"))
    with open(os.path.join(root, "bad", "huge", "too_large.tf"), "wb") as fh:
        fh.truncate(6 * 1024 * 1024)  # sparse: over the limit without writing 6 MB
    return root


# The measured command runs under a small Python that waits for it with os.wait4: a child forked
# straight from the test process would carry the test process's memory high-water mark into its
# own ru_maxrss (Linux keeps it across exec), however little the child itself used.
_WAIT4 = r"""
import os, signal, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
signal.signal(signal.SIGALRM, lambda *_: child.kill())  # a hang is killed, not left behind
signal.alarm(int(sys.argv[1]))
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.write(f"\nmaxrss-kb={usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(command: list[str], cwd: str, timeout: float = 300) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, seconds, peak RSS in MB) of ``command`` run in ``cwd``."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-I", "-c", _WAIT4, str(int(timeout)), *command], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout + 60)
    seconds = time.perf_counter() - start
    assert seconds < timeout, f"{' '.join(command)} ran for more than {timeout} s"
    err, _, tail = proc.stderr.rpartition("\nmaxrss-kb=")
    return proc.returncode, proc.stdout, err, seconds, int(tail) / 1024


def run_iaclint(args: list[str], cwd: str, timeout: float = 300) -> tuple[int, str, str, float, float]:
    """``iaclint ARGS`` in ``cwd``, measured (see run_measured).

    ``python -I``: the scanned tree is the working directory, and must not be on sys.path.
    """
    return run_measured([sys.executable, "-I", "-m", "iaclint", *args], cwd, timeout)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs symbolic links and FIFOs")
    return _make_tree(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def scanned(tree):
    code, out, err, seconds, rss = run_iaclint(["scan", ".", "-f", "json", "--no-cache", "-j", "1"], tree)
    return {"code": code, "report": json.loads(out), "stdout": out, "stderr": err, "seconds": seconds,
            "rss": rss}


def _findings(report: dict) -> set[tuple]:
    return {(f["path"], f["line"], f["id"]) for f in report["findings"]}


def test_hostile_tree_exits_2_fast_and_small(scanned):
    assert scanned["code"] == 2, scanned["stderr"]
    assert scanned["seconds"] < MAX_SECONDS, f"the hostile tree took {scanned['seconds']:.1f} s"
    assert scanned["rss"] < MAX_RSS_MB, f"the hostile tree took {scanned['rss']:.0f} MB"


def test_every_valid_finding_is_reported(scanned, tree):
    expected = fixture_expectations(os.path.join(tree, "valid")).expect
    assert len(expected) >= 7
    got = _findings(scanned["report"])
    missing = {(f"valid/{p}", line, rule) for p, line, rule in expected} - got
    assert not missing


def test_bad_files_hide_nothing_from_the_valid_ones(scanned, tree):
    """The valid files' findings are exactly those of a scan of the valid files alone."""
    code, out, err, _, _ = run_iaclint(["scan", "valid", "-f", "json", "--no-cache"], tree)
    assert code == 1, err
    alone = _findings(json.loads(out))
    together = {f for f in _findings(scanned["report"]) if f[0].startswith("valid/")}
    assert together == alone


def test_a_bomb_loses_only_its_own_value(scanned, tree):
    """Beside each Terraform bomb (and each inert module) stands an open security group with an
    ``# expect:`` line: a limit reached in one expression or block costs no other finding."""
    expected = set()
    for folder in ("bad/tf", "inert"):
        expected |= {(f"{folder}/{p}", line, rule)
                     for p, line, rule in fixture_expectations(os.path.join(tree, folder)).expect}
    assert len(expected) >= 7
    assert expected <= _findings(scanned["report"])


def test_every_bad_file_is_named_with_its_reason(scanned, tree):
    diagnostics = scanned["report"]["diagnostics"]
    by_path: dict[str, list[dict]] = {}
    for d in diagnostics:
        by_path.setdefault(d["path"], []).append(d)
    on_disk = {os.path.relpath(os.path.join(dirpath, name), tree).replace(os.sep, "/")
               for dirpath, _dirs, files in os.walk(os.path.join(tree, "bad")) for name in files
               if not name.endswith(".tpl")}
    assert on_disk == {p for p in BAD if p.startswith("bad/")}, "every file under bad/ needs an entry in BAD"
    for path, code in BAD.items():
        if code is None:
            continue
        codes = {d.get("code") for d in by_path.get(path, [])}
        assert code in codes, f"{path}: expected {code}, got {by_path.get(path)}"
    for path, wanted in BAD_MESSAGES.items():
        messages = " | ".join(d["message"] for d in by_path[path])
        for text in (wanted,) if isinstance(wanted, str) else wanted:
            assert text in messages, f"{path}: {text!r} not in {messages}"


def test_diagnostics_are_located_and_none_is_an_internal_error(scanned):
    for d in scanned["report"]["diagnostics"]:
        assert d.get("code") != "internal-error", d
        if d["level"] == "error":
            assert d["line"] >= 1 and d["column"] >= 1, d


def test_inert_files_report_no_error(scanned):
    errors = [d for d in scanned["report"]["diagnostics"]
              if d["path"].startswith("inert/") and d["level"] == "error"]
    assert not errors


def test_nothing_outside_the_tree_is_read_and_nothing_runs(scanned, tree):
    with open("/etc/passwd", encoding="utf-8", errors="replace") as fh:
        first = fh.readline().strip()
    assert first and first not in scanned["stdout"]
    for item in scanned["report"]["findings"] + scanned["report"]["diagnostics"]:
        assert not item["path"].startswith(("/", "..")), item
    planted = [os.path.join(d, f) for d, _, files in os.walk(tree) for f in files if f.startswith("PWNED")]
    assert not planted, planted


# -- modules: depth and cycles -----------------------------------------------------------------

def _module_chain(root, names: list[str], last_calls: str | None) -> None:
    for i, name in enumerate(names):
        folder = root / name
        folder.mkdir()
        target = names[i + 1] if i + 1 < len(names) else last_calls
        call = f'module "next" {{\n  source = "../{target}"\n}}\n\n' if target else ""
        (folder / "main.tf").write_text(call + f'resource "aws_s3_bucket" "b" {{\n  bucket = "{name}"\n}}\n')


def test_modules_nested_too_deep_or_in_a_cycle_are_reported_and_the_rest_is_checked(tmp_path):
    from iaclint.engine import ScanOptions, scan
    _module_chain(tmp_path, [f"d{i:02d}" for i in range(20)], None)  # d00 -> d01 -> ... -> d19
    _module_chain(tmp_path, ["ping", "pong"], "ping")                  # ping -> pong -> ping
    with contextlib.chdir(tmp_path):
        result = scan(["."], None, ScanOptions(select=["IAC-ENC-060"]))
    cycles = {(d.path, d.message.split(" (")[0]) for d in result.diagnostics if d.code == "tf-module-cycle"}
    assert ("d15/main.tf", "module.next is nested more than 16 deep") in cycles
    assert any(p in ("ping/main.tf", "pong/main.tf") and m == "module.next calls itself" for p, m in cycles)
    assert not [d for d in result.diagnostics if d.code == "internal-error"]
    buckets = {f.location.path for f in result.findings}
    assert {f"d{i:02d}/main.tf" for i in range(16)} | {"ping/main.tf", "pong/main.tf"} <= buckets


# -- the evaluator's size bound -------------------------------------------------------------

def test_value_size_counts_shared_parts_every_time_and_stops_early():
    from iaclint.terraform.evaluate import value_size
    value = [1, 2]
    for _ in range(60):  # 2**61 elements written out, 122 list objects in memory
        value = [value, value]
    start = time.perf_counter()
    assert value_size(value, 1_000_000) == 1_000_001
    assert time.perf_counter() - start < 1.0
    assert value_size([[1, 2], {"k": "x" * 32}], 100) == 1 + 3 + 1 + 1 + 3
    looped: list = []
    looped.append(looped)
    assert value_size(looped, 100) == 101
    deep: list = []
    for _ in range(100_000):  # deeper than Python's recursion limit
        deep = [deep]
    assert value_size(deep, 10**6) == 100_001


@pytest.mark.parametrize("expression", [
    'indent(1000000000, "a\\nb")',
    'formatlist("%1000000s", range(1000))',
    'format("%0999999999d", 1)',
    'format("%.999999999f", 1)',
    'join(format("%1000000s", "x"), range(1000))',
    'replace(format("%1000000s", "x"), " ", format("%100s", "y"))',
    'replace(format("%100000s", "x"), "/ /", format("%1000s", "y"))',
    'jsonencode([for i in range(1000) : format("%10000s", "x")])',
    '"%{for i in range(1000)}${format("%10000s", "x")}%{endfor}"',
    "length([for a in range(1000) : [for b in range(1000) : a]])",
])
def test_amplifying_expressions_end_unknown_quickly(expression):
    from iaclint.model import Span, Unknown
    from iaclint.parsers.hcl import parse_expression
    from iaclint.terraform.evaluate import Env, Evaluator
    notes = []
    ev = Evaluator(lambda span: expression, report=lambda *note: notes.append(note))
    start = time.perf_counter()
    value = ev.evaluate(parse_expression(expression, Span.point(1)), Env({}))
    assert time.perf_counter() - start < 5
    assert isinstance(value, Unknown), type(value)
    assert not [n for n in notes if n[3] == "internal-error"]


def test_warnings_of_one_kind_are_capped_per_document():
    from iaclint.parsers import kubernetes
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata:\n" + "  k: v\n" * 10_000
    resources, diagnostics = kubernetes.parse(text, "dup.yaml")
    assert len(resources) == 1
    duplicate = [d for d in diagnostics if d.code == "duplicate-key"]
    assert len(duplicate) == kubernetes.MAX_WARNINGS + 1
    assert "not reported" in duplicate[-1].message


def test_dockerfile_arg_defaults_that_double_stop_at_the_length_limit():
    from iaclint.model import Unknown
    from iaclint.parsers import dockerfile
    text = "ARG A0=x\n" + "".join(f"ARG A{i}=$A{i - 1}$A{i - 1}\n" for i in range(1, 64)) + "FROM ubuntu:$A63\n"
    start = time.perf_counter()
    (stage,), diagnostics = dockerfile.parse(text, "Dockerfile")
    assert time.perf_counter() - start < 1.0
    assert isinstance(stage.attributes["image"], Unknown)
    assert any("characters once variables are substituted" in d.message for d in diagnostics)


# -- deterministic output -------------------------------------------------------------------

# A hostile but quick part of the tree (the fan-out and the bombs spend seconds by design).
DETERMINISM_PATHS = ["valid", "bad/encoding", "bad/deep", "bad/yaml", "bad/docker", "bad/plan",
                     "bad/tf/escape", "bad/tf/recursive_locals", "bad/tf/self_module", "inert", "links"]


def _outputs(tree: str, out_dir: str, name: str, *extra: str) -> tuple[bytes, bytes]:
    from iaclint import cli
    json_path, sarif_path = os.path.join(out_dir, f"{name}.json"), os.path.join(out_dir, f"{name}.sarif")
    with contextlib.chdir(tree):
        cli.main(["scan", *DETERMINISM_PATHS, "-f", "json", "-o", json_path,
                  "--also-output", f"sarif={sarif_path}", *extra])
    with open(json_path, "rb") as a, open(sarif_path, "rb") as b:
        return a.read(), b.read()


def test_output_is_byte_identical_across_runs_jobs_and_cache(tree, tmp_path, monkeypatch):
    import iaclint.parse
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(iaclint.parse, "PARALLEL_MIN_BYTES", 0)  # small trees parse in parallel too
    first = _outputs(tree, str(tmp_path), "first", "--no-cache", "-j", "1")
    runs = {
        "again": _outputs(tree, str(tmp_path), "again", "--no-cache", "-j", "1"),
        "two jobs": _outputs(tree, str(tmp_path), "jobs2", "--no-cache", "-j", "2"),
        "cold cache": _outputs(tree, str(tmp_path), "cold", "-j", "2"),
        "warm cache": _outputs(tree, str(tmp_path), "warm", "-j", "1"),
    }
    assert os.listdir(tmp_path / "cache"), "the cached runs did not use the cache"
    report = json.loads(first[0])
    assert report["findings"] and report["diagnostics"]
    for name, outputs in runs.items():
        assert outputs[0] == first[0], f"JSON differs: {name}"
        assert outputs[1] == first[1], f"SARIF differs: {name}"


def test_machine_outputs_hold_no_wall_clock_data(tree, tmp_path):
    json_bytes, sarif_bytes = _outputs(tree, str(tmp_path), "clock", "--no-cache")
    for text in (json_bytes.decode(), sarif_bytes.decode()):
        for word in ("duration", "startTimeUtc", "endTimeUtc", "elapsed", "timestamp"):
            assert word not in text


# -- atomic output --------------------------------------------------------------------------

def test_a_crash_while_writing_leaves_the_old_output_untouched(tmp_path, monkeypatch):
    from iaclint import cli, output
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n}\n', encoding="utf-8")
    target = tmp_path / "report.json"
    target.write_text("previous report\n", encoding="utf-8")

    def half_then_crash(fmt, result, fh, **kw):
        fh.write('{"version": 1, "findings": [')
        raise RuntimeError("renderer crashed")
    monkeypatch.setattr(output, "render", half_then_crash)
    with contextlib.chdir(tmp_path), pytest.raises(RuntimeError):
        cli.main(["scan", ".", "-f", "json", "-o", str(target), "--no-cache"])
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.tf", "report.json"]  # no temporary left


# -- the file-size limit ----------------------------------------------------------------------

def test_max_file_size_is_a_command_line_option(tmp_path, capsys):
    from iaclint import cli
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "' + "x" * 3000 + '"\n}\n')
    with contextlib.chdir(tmp_path):
        assert cli.main(["scan", ".", "-f", "json", "--no-cache", "--max-file-size", "2K"]) == 2
        report = json.loads(capsys.readouterr().out)
        assert [(d["path"], d["code"]) for d in report["diagnostics"]] == [("main.tf", "file-too-large")]
        assert "--max-file-size" in report["diagnostics"][0]["message"]
        assert cli.main(["scan", ".", "-f", "json", "--no-cache", "--max-file-size", "4K"]) == 1
        capsys.readouterr()
        with pytest.raises(SystemExit):
            cli.main(["scan", ".", "--max-file-size", "lots"])
        assert "not a size" in capsys.readouterr().err


def test_a_repository_config_cannot_raise_the_file_size_limit(tmp_path, capsys):
    from iaclint import cli
    (tmp_path / ".iaclint.toml").write_text('max-file-size = "1G"\n')
    (tmp_path / "main.tf").write_text("")
    with contextlib.chdir(tmp_path):
        assert cli.main(["scan", ".", "--no-cache"]) == 2
    assert "max-file-size" in capsys.readouterr().err


# -- nothing from the scanned repository runs -------------------------------------------------

_PLANT = 'open(__file__ + ".PWNED", "w").write("imported")\n'


def _planted_repo(root) -> None:
    """A repository whose every Python-looking file would leave a mark if it were imported."""
    for rel in ("yaml.py", "jsonschema.py", "hcl2/__init__.py", "lark/__init__.py", "sitecustomize.py",
                "usercustomize.py", "conftest.py", "setup.py", "iaclint_policies.py", "policies/__init__.py",
                "policies/evil.py", "iaclint/__init__.py", "iaclint/policies/__init__.py", ".iaclint/policy.py"):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_PLANT)
    with open(os.path.join(root, ".iaclint.toml"), "w", encoding="utf-8") as fh:
        fh.write('select = ["network"]\n')
    with open(os.path.join(root, "main.tf"), "w", encoding="utf-8") as fh:
        fh.write('resource "null_resource" "x" {\n  provisioner "local-exec" {\n    command = "touch PWNED-exec"\n'
                 '  }\n}\n\ndata "external" "x" {\n  program = ["sh", "-c", "touch PWNED-external"]\n}\n')


@pytest.mark.parametrize("key", ["plugins", "policy-packs", "policy_paths", "load", "entry-points", "python"])
def test_a_repository_config_cannot_name_code_to_load(tmp_path, key):
    from iaclint import config
    (tmp_path / ".iaclint.toml").write_text(f'{key} = ["evil"]\n')
    with pytest.raises(config.ConfigError, match=f"unknown key '{key}'"):
        config.load(str(tmp_path / ".iaclint.toml"))
    (tmp_path / "pyproject.toml").write_text(f'[tool.iaclint]\n{key} = ["evil"]\n')
    with pytest.raises(config.ConfigError, match=f"unknown key '{key}'"):
        config.load(str(tmp_path / "pyproject.toml"))


def test_nothing_from_the_scanned_repository_is_imported_or_run(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _planted_repo(str(repo))
    script = shutil.which("iaclint", path=os.path.dirname(sys.executable))
    commands = [[sys.executable, "-I", "-m", "iaclint"]] + ([[script]] if script else [])
    for command in commands:
        for args in (["scan", "."], ["scan", "main.tf"], ["rules"], ["isolation", "."]):
            proc = subprocess.run(command + args, cwd=repo, capture_output=True, text=True, timeout=300)
            assert proc.returncode in (0, 1), (command, args, proc.stderr)
    planted = [os.path.join(d, f) for d, _, files in os.walk(repo) for f in files if "PWNED" in f]
    assert not planted, planted


def test_policies_come_only_from_iaclint_and_installed_packs(tmp_path):
    """Scanning a repository that holds policy-shaped Python adds no policy."""
    from importlib.metadata import entry_points
    from iaclint import registry
    from iaclint.engine import scan
    repo = tmp_path / "repo"
    repo.mkdir()
    _planted_repo(str(repo))
    before = {p.id for p in registry.all_policies()}
    with contextlib.chdir(repo):
        scan(["."])
    after = registry.all_policies()
    assert {p.id for p in after} == before
    packs = tuple(ep.value.split(":")[0] for ep in entry_points(group="iaclint.policies"))
    assert all(p.module.startswith(("iaclint.policies", "policies.") + packs) for p in after)
    assert not [f for d, _, files in os.walk(repo) for f in files if "PWNED" in f]


def test_scans_in_one_process_keep_nothing_per_scan(tmp_path):
    """A long-lived process (an editor plugin, a server) scanning again and again: what policies
    keep per project goes with the project (the secrets policies' Origins once held its project,
    the key of a module-level weak dictionary it was the value of: ~57 KB kept for good per scan;
    such values now live on the project, ``Project.remembered``)."""
    import gc
    import weakref
    from iaclint.engine import ScanOptions, scan
    from iaclint.policies.secrets import _tf
    (tmp_path / "main.tf").write_text('variable "db_password" {\n  default = "Sup3r-s3cret-Passw0rd!"\n}\n'
                                      'resource "aws_db_instance" "db" {\n  password = var.db_password\n}\n',
                                      encoding="utf-8")
    projects = []
    real = _tf.Origins.of.__func__

    def of(cls, project):
        projects.append(weakref.ref(project))
        return real(cls, project)
    _tf.Origins.of = classmethod(of)
    try:
        with contextlib.chdir(tmp_path):
            for _ in range(3):
                result = scan(["."], None, ScanOptions())
                assert {f.policy_id for f in result.findings} >= {"IAC-SEC-011"}
    finally:
        _tf.Origins.of = classmethod(real)
    del result
    gc.collect()
    assert projects and all(p() is None for p in projects)


# -- failures found here, fixed elsewhere --------------------------------------------------------

def test_changed_since_reads_an_inflation_bomb_in_bounded_memory(tmp_path):
    import zlib
    if shutil.which("git") is None:
        pytest.skip("needs git to make the repository")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n}\n')
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run(git + args, cwd=repo, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()
    loose = repo / ".git" / "objects" / head[:2] / head[2:]
    os.chmod(loose, 0o644)
    bomb = zlib.compressobj(9)
    size = 100 * 1024 * 1024
    loose.write_bytes(bomb.compress(f"commit {size}\0".encode())
                      + b"".join(bomb.compress(b"\0" * (1 << 20)) for _ in range(size >> 20)) + bomb.flush())
    code, _out, err, _seconds, rss = run_iaclint(["scan", ".", "--changed-since", "HEAD", "--no-cache"], str(repo))
    assert code == 2 and "HEAD" in err
    assert rss < 100, f"{rss:.0f} MB"


def test_the_action_runs_no_python_that_imports_from_the_workspace():
    """-c and -m put the current directory (the scanned checkout) first on sys.path: a pull
    request adding shlex.py or json.py at its root would run in the job. -I isolates."""
    import re
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as fh:
        action = fh.read()
    calls = re.findall(r'"\$(?:IACLINT_PYTHON|PYTHON|venv/bin/python)"((?:\s+-\w+)*)\s+-[cm]\b', action)
    assert calls, "no python -c/-m in action.yml: drop this test"
    assert all("-I" in flags.split() or "-P" in flags.split() for flags in calls), calls


def test_a_report_written_to_a_fifo_or_through_a_symlink_replaces_neither(tmp_path):
    # -o names where the report goes. A regular file is replaced atomically; a FIFO (as
    # /dev/null or /dev/stdout would be) is written in place: renaming over it replaced it, and
    # run as root, `-o /dev/null` turned the device into a file. A symbolic link stays a link.
    import stat
    import threading

    from iaclint import cli
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n}\n', encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    with contextlib.chdir(tmp_path):
        assert cli.main(["scan", "main.tf", "-f", "json", "-o", str(fifo), "--no-cache"]) == 1
    reader.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["findings"]

    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "report.sarif"
    real.write_text("old", encoding="utf-8")
    os.chmod(real, 0o644)
    link = tmp_path / "latest.sarif"
    link.symlink_to(real)
    with contextlib.chdir(tmp_path):
        assert cli.main(["scan", "main.tf", "-f", "sarif", "-o", str(link), "--no-cache"]) == 1
    assert os.path.islink(link) and json.loads(real.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o644  # the file's permissions are kept
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["report.sarif"]


def test_a_new_report_gets_the_permissions_open_would_give(tmp_path):
    import stat

    from iaclint.files import write_atomically
    old = os.umask(0o022)
    try:
        write_atomically(str(tmp_path / "new.json"), lambda fh: fh.write("{}\n"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o644  # not mkstemp's 0600
    assert (tmp_path / "new.json").read_text() == "{}\n"


def test_a_report_cannot_be_written_over_a_directory(tmp_path, capsys):
    from iaclint import cli
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n}\n', encoding="utf-8")
    (tmp_path / "out").mkdir()
    with contextlib.chdir(tmp_path):
        for argv in (["scan", "main.tf", "-o", "out"], ["scan", "main.tf", "--write-baseline", "out"],
                     ["scan", "main.tf", "--also-output", "sarif=out"], ["isolation", ".", "-o", "out"],
                     ["scan", "main.tf", "-o", "missing/report.json"]):
            assert cli.main(argv + ["--no-cache"] if argv[0] == "scan" else argv) == 2, argv
            err = capsys.readouterr().err
            assert "cannot write" in err and ("it is a directory" in err or "no such directory" in err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.tf", "out"] and not os.listdir(tmp_path / "out")
