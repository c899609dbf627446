"""The parse cache and parallel parsing give exactly what a serial, uncached parse gives."""

import os
import pickle

import pytest

from iaclint.cache import ParseCache
from iaclint.engine import ScanOptions, scan
from iaclint.output import render
from iaclint.parse import parse_all

from .conftest import EXAMPLES, FIXTURES


def _sarif(result) -> str:
    import io
    buf = io.StringIO()
    render("sarif", result, buf)
    return buf.getvalue()


def _scan(paths, **options):
    r = scan(paths, options=ScanOptions(**options))
    r.duration = 0.0
    return r


def test_cached_and_parallel_scans_match_a_serial_uncached_scan(tmp_path):
    import shutil
    paths = [str(tmp_path / "fixtures"), str(tmp_path / "examples")]  # a private copy: a stable tree
    shutil.copytree(FIXTURES, paths[0], symlinks=True)
    shutil.copytree(EXAMPLES, paths[1], symlinks=True)
    serial = _sarif(_scan(paths))
    cache = ParseCache(str(tmp_path / "cache"))
    cold = _sarif(_scan(paths, cache=cache, jobs=2))
    assert cache.writes > 0 and cache.hits == 0
    warm_cache = ParseCache(str(tmp_path / "cache"))
    warm = _sarif(_scan(paths, cache=warm_cache, jobs=1))
    assert warm_cache.hits == 1 and warm_cache.misses == 0  # the whole result, kept by the cold scan
    parse_cache = ParseCache(str(tmp_path / "cache"))
    reparsed = _sarif(_scan(paths, cache=parse_cache, jobs=1, exclude=["nothing-matches-this"]))
    assert parse_cache.misses == 1 and parse_cache.hits == cache.writes - 1  # new options: every parse reused
    assert serial == cold == warm == reparsed


def test_parallel_parse_equals_serial_parse(monkeypatch):
    import iaclint.parse as parse_mod
    files = {}
    for dirpath, _dirs, names in os.walk(FIXTURES):
        for name in names:
            if name.endswith(".tf") or name.endswith((".yaml", ".yml")) or name == "Dockerfile":
                path = os.path.relpath(os.path.join(dirpath, name), FIXTURES)
                kind = "terraform" if name.endswith(".tf") else ("dockerfile" if name == "Dockerfile" else "kubernetes")
                with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                    files[path] = (kind, fh.read())
    monkeypatch.setattr(parse_mod, "PARALLEL_MIN_BYTES", 0)
    serial = parse_all(files, jobs=1)
    parallel = parse_all(files, jobs=2)
    assert _canon(serial) == _canon(parallel)
    assert len(serial) == len(files) > 50


def _canon(obj, seen=None):
    """A structural value of anything the parsers return (their classes define no __eq__)."""
    seen = set() if seen is None else seen
    if isinstance(obj, (str, int, float, bool, type(None))):
        return obj
    if id(obj) in seen:
        return ("<cycle>", type(obj).__name__)
    seen = seen | {id(obj)}
    return _canon_inner(obj, seen)


def _canon_inner(obj, seen):
    _c = lambda v: _canon(v, seen)  # noqa: E731
    if isinstance(obj, dict):
        return {repr(_c(k)): _c(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_c(v) for v in obj]
        return (type(obj).__name__, sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items)
    fields = {}
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(obj, name):
                fields[name] = _c(getattr(obj, name))
    fields.update({k: _c(v) for k, v in getattr(obj, "__dict__", {}).items()})
    return (type(obj).__name__, fields)


def test_cache_entries_are_keyed_by_content_and_a_damaged_entry_is_a_miss(tmp_path):
    cache = ParseCache(str(tmp_path))
    k1 = cache.key("terraform", "a.tf", "x = 1\n")
    assert k1 != cache.key("terraform", "a.tf", "x = 2\n") and k1 != cache.key("terraform", "b.tf", "x = 1\n")
    cache.put(k1, ("value", []))
    assert cache.get(k1) == ("value", [])
    with open(cache._path(k1), "wb") as fh:
        fh.write(b"\x80garbage")
    assert cache.get(k1) is ParseCache.MISSING


def test_cache_stays_under_its_bound(tmp_path):
    cache = ParseCache(str(tmp_path), max_bytes=20_000)
    for i in range(50):
        cache.put(cache.key("terraform", f"{i}.tf", "x"), "y" * 1000)
    cache.prune()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tmp_path) for f in fs)
    assert total <= 20_000
    assert cache.get(cache.key("terraform", "49.tf", "x")) == "y" * 1000  # the newest stays


def test_no_cache_flag_writes_nothing(tmp_path, monkeypatch):
    from iaclint.cli import main
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    main(["scan", os.path.join(FIXTURES, "IAC-ENC-001"), "--no-cache", "-q", "-o", str(tmp_path / "o.txt")])
    assert not (tmp_path / "xdg").exists()
    main(["scan", os.path.join(FIXTURES, "IAC-ENC-001"), "-q", "-o", str(tmp_path / "o.txt")])
    assert (tmp_path / "xdg" / "iaclint").is_dir()


def test_result_cache_reuses_a_scan_only_while_nothing_it_read_changed(tmp_path, monkeypatch):
    import datetime
    import iaclint.engine as engine_mod
    tree = tmp_path / "tree"
    (tree / "mod").mkdir(parents=True)
    (tree / "mod" / "main.tf").write_text('variable "e" { default = false }\n')
    (tree / "live").mkdir()
    (tree / "live" / "main.tf").write_text(
        'module "m" {\n  source = "../mod"\n}\n'
        'resource "aws_instance" "i" {\n  ami = "ami-1"\n  user_data = file("${path.module}/init.sh")\n}\n'
        'resource "aws_ebs_volume" "v" {\n  size = 1\n  encrypted = false\n}\n')
    (tree / "live" / "init.sh").write_text("echo hello\n")
    cache_dir = str(tmp_path / "cache")
    calls = []
    real_build = engine_mod._build
    monkeypatch.setattr(engine_mod, "_build", lambda *a, **k: calls.append(1) or real_build(*a, **k))

    def run(paths, **kw):
        return _sarif(_scan(paths, cache=ParseCache(cache_dir), **kw))

    monkeypatch.chdir(tree)  # the scan root: ../mod is inside the tree, read as context
    live = "live"
    first = run([live])
    assert run([live]) == first and len(calls) == 1  # the second scan was served whole
    (tree / "live" / "init.sh").write_text("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    run([live])
    assert len(calls) == 2  # a file read by file() changed
    run([live])
    assert len(calls) == 2
    (tree / "mod" / "main.tf").write_text('variable "e" { default = true }\n')
    run([live])
    assert len(calls) == 3  # a called module outside the scanned folder changed
    run([live], today=datetime.date(2099, 1, 1))
    assert len(calls) == 4  # suppressions expire by date: another day is another result
    run([live], select=["IAC-ENC"])
    assert len(calls) == 5  # other options, other result


def test_a_kept_result_holds_its_findings_without_their_resources(tmp_path):
    cache = ParseCache(str(tmp_path / "cache"))
    result = scan([os.path.join(FIXTURES, "IAC-ENC-001")], options=ScanOptions(cache=cache))
    assert result.findings and all(f.resource is not None for f in result.findings)
    cache.put_result("0123abcd", result, str(tmp_path), [])
    kept = cache.get_result("0123abcd", str(tmp_path))
    assert kept.findings == result.findings  # the resource takes no part in equality
    assert all(f.resource is None for f in kept.findings)
    assert all(f.resource is not None for f in result.findings)  # the scan's own are untouched


def test_result_cache_notices_files_added_where_the_scan_listed_a_folder(tmp_path, monkeypatch):
    # A file added to a called module outside the scanned folder, a file a fileset() would match,
    # and `terraform init`'s modules.json appearing: the scan read none of them, so only the
    # listings it made tell the result cache that the kept result is stale.
    import iaclint.engine as engine_mod
    tree = tmp_path / "tree"
    for d in ("mod", "live/conf", "remote"):
        (tree / d).mkdir(parents=True)
    (tree / "mod" / "main.tf").write_text('variable "e" { default = false }\n')
    (tree / "remote" / "main.tf").write_text('output "cidr" { value = "0.0.0.0/0" }\n')
    sg = ('resource "aws_security_group" "%s" {\n  ingress {\n    from_port = 22\n    to_port = 22\n'
          '    protocol = "tcp"\n    cidr_blocks = [%s]\n  }\n}\n')
    (tree / "live" / "main.tf").write_text(
        'module "m" {\n  source = "../mod"\n}\n'
        'module "r" {\n  source = "example.com/org/remote/aws"\n}\n'
        + sg % ("m", "module.m.cidr") + sg % ("r", "module.r.cidr") +
        'resource "aws_instance" "i" {\n  ami = "ami-1"\n'
        '  user_data = join("", [for f in fileset(path.module, "conf/*.sh") : file("${path.module}/${f}")])\n}\n')
    cache_dir = str(tmp_path / "cache")
    calls = []
    real_build = engine_mod._build
    monkeypatch.setattr(engine_mod, "_build", lambda *a, **k: calls.append(1) or real_build(*a, **k))
    monkeypatch.chdir(tree)

    def found():
        return {(f.policy_id, f.address) for f in _scan(["live"], cache=ParseCache(cache_dir)).findings}

    first = found()
    assert found() == first and len(calls) == 1
    (tree / "mod" / "outputs.tf").write_text('output "cidr" { value = "0.0.0.0/0" }\n')
    assert ("IAC-NET-001", "aws_security_group.m") in found() - first and len(calls) == 2
    (tree / "live" / "conf" / "a.sh").write_text("export AWS_SECRET_ACCESS_KEY=Zq8mK2vL9xR4tY7uW1nB5cE3fH6jD0sA8gP2kM4q\n")
    assert ("IAC-SEC-004", "aws_instance.i") in found() - first and len(calls) == 3
    (tree / "live" / ".terraform" / "modules").mkdir(parents=True)
    (tree / "live" / ".terraform" / "modules" / "modules.json").write_text(
        '{"Modules": [{"Key": "r", "Source": "example.com/org/remote/aws", "Dir": "../remote"}]}')
    assert ("IAC-NET-001", "aws_security_group.r") in found() - first and len(calls) == 4
    found()
    assert len(calls) == 4  # nothing changed since: served whole again


def test_progress_line_appears_only_after_a_second_and_is_cleared():
    import io
    from iaclint.cli import _Progress
    stream = io.StringIO()
    now = [100.0]
    p = _Progress(stream)
    p.clock = lambda: now[0]
    p.start = 100.0
    p(1, 10)
    assert stream.getvalue() == ""  # a quick scan shows nothing
    now[0] = 101.5
    p(5, 10)
    assert stream.getvalue() == "\riaclint: parsed 5/10 files"
    p.close()
    assert stream.getvalue().endswith("\r\033[K")


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys):
    from iaclint.cli import main
    main(["scan", os.path.join(FIXTURES, "IAC-ENC-001"), "-q", "--no-cache", "-o", str(tmp_path / "o.txt")])
    assert "parsed" not in capsys.readouterr().err


def test_every_module_a_parse_result_depends_on_is_in_the_cache_key():
    from iaclint import cache as cache_mod
    here = os.path.dirname(os.path.abspath(cache_mod.__file__))
    assert all(os.path.isfile(os.path.join(here, rel)) for rel in cache_mod.CACHED_CODE)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_file_read_along_the_way_is_digested_without_blocking_or_reading_it_all(tmp_path):
    from iaclint.cache import _digest
    os.mkfifo(tmp_path / "fifo")
    assert _digest(str(tmp_path / "fifo")) is None  # would block forever with open().read()
    big = tmp_path / "big"
    big.write_bytes(b"a" * 100)
    first = _digest(str(big), limit=10)
    big.write_bytes(b"a" * 100 + b"b")
    assert _digest(str(big), limit=10) != first  # the size is part of the digest
    assert _digest(str(tmp_path / "missing")) is None


def _hostile_pickle(module: str, name: str) -> bytes:
    """A pickle of ``module.name``: unpickling imports the module and looks the name up."""
    return b"\x80\x04c" + module.encode() + b"\n" + name.encode() + b"\n."


# Entries that unpickle to the wrong shape, or do not unpickle at all, each for the parse cache
# (the engine unpacks ``(payload, diagnostics)``) and the result cache (``(manifest, result)``).
DAMAGED_ENTRIES = [
    pickle.dumps(42), pickle.dumps(None), pickle.dumps((1, 2, 3)), pickle.dumps(("x", [])),
    pickle.dumps(([1], [])), pickle.dumps((None, ["not a diagnostic"])), pickle.dumps(([], 42)),
    pickle.dumps(([(1, 2)], None)), pickle.dumps(([("a.tf",)], None)), pickle.dumps([]),
    pickle.dumps(("a", "b")),
    pickle.dumps(([], []))[:-3],                      # truncated: EOFError / UnpicklingError
    _hostile_pickle("no_such_module_here", "x"),      # ModuleNotFoundError
    _hostile_pickle("os", "no_such_attribute"),       # AttributeError
    b"",                                              # EOFError
]


def test_a_wrong_shaped_or_unreadable_entry_is_a_miss_and_is_rewritten(tmp_path, monkeypatch):
    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "main.tf").write_text('resource "aws_ebs_volume" "v" {\n  size = 1\n}\n')
    (tree / "vars.tfvars").write_text('region = "eu-west-1"\n')
    (tree / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                                   "  containers:\n    - name: c\n      image: nginx\n"
                                   "      securityContext:\n        privileged: true\n")
    (tree / "app" / "Dockerfile").write_text("FROM alpine\n")
    monkeypatch.chdir(tree)
    expected = _sarif(_scan(["."]))
    cache_dir = str(tmp_path / "cache")
    assert _sarif(_scan(["."], cache=ParseCache(cache_dir))) == expected
    entries = [os.path.join(d, f) for d, _, fs in os.walk(cache_dir) for f in fs]
    assert len(entries) == 5  # four parses and one result
    for damaged in DAMAGED_ENTRIES:
        for entry in entries:
            with open(entry, "wb") as fh:
                fh.write(damaged)
        cache = ParseCache(cache_dir)
        assert _sarif(_scan(["."], cache=cache)) == expected, damaged
        assert cache.hits == 0 and cache.writes == 5, damaged  # every entry a miss, and written again
        warm = ParseCache(cache_dir)
        assert _sarif(_scan(["."], cache=warm)) == expected and warm.hits == 1, damaged


def test_the_code_digest_of_the_result_cache_changes_with_any_policy_file(tmp_path, monkeypatch):
    # The result cache is keyed by every module's and policy's path, size and modification time
    # (stat, not read): an edit of either kind is a new key, an untouched tree the same key.
    from iaclint import cache, policies
    extra = tmp_path / "extra_policy.py"
    extra.write_text("X = 1\n")
    monkeypatch.setattr(policies, "__path__", list(policies.__path__) + [str(tmp_path)])

    def digest() -> str:
        cache._FULL_DIGEST.clear()
        return cache.code_digest(full=True)

    try:
        first = digest()
        assert digest() == first
        extra.write_text("X = 22\n")  # another size
        second = digest()
        assert second != first
        stamp = os.stat(extra).st_mtime_ns
        os.utime(extra, ns=(stamp, stamp + 10**9))  # same size, another modification time
        third = digest()
        assert third not in (first, second)
        (tmp_path / "notes.txt").write_text("not code")
        (tmp_path / "__pycache__").mkdir()
        (tmp_path / "__pycache__" / "x.py").write_text("cached")
        assert digest() == third  # other files and __pycache__ are not code
    finally:
        cache._FULL_DIGEST.clear()
