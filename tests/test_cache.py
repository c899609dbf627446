"""The parse cache and parallel parsing give exactly what a serial, uncached parse gives."""

import os

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
    paths = [FIXTURES, EXAMPLES]
    serial = _sarif(_scan(paths))
    cache = ParseCache(str(tmp_path / "cache"))
    cold = _sarif(_scan(paths, cache=cache, jobs=2))
    assert cache.writes > 0 and cache.hits == 0
    warm_cache = ParseCache(str(tmp_path / "cache"))
    warm = _sarif(_scan(paths, cache=warm_cache, jobs=1))
    assert warm_cache.hits == cache.writes and warm_cache.misses == 0
    assert serial == cold == warm


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
