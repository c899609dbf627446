"""The code bundle serves a package's modules as their own import would, and never stale code.

Each test builds a small package in a temporary folder, writes its bundle, and imports it in a
fresh state (its modules removed from ``sys.modules``, the bundle first in ``sys.meta_path``).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time

import pytest

from iaclint import registry
from iaclint.bundle import CodeBundle, bundle_file

FILES = {
    "__init__.py": "",
    "a.py": "from .b import VALUE\nDOUBLE = VALUE * 2\n\n\ndef where():\n    return __file__\n",
    "b.py": '"""b\'s docstring."""\nVALUE = 21\n',
    "_helper.py": "NAME = 'helper'\n",
    "sub/__init__.py": "FLAG = True\n",
    "sub/c.py": "from .. import _helper\nNAME = _helper.NAME + '/c'\n",
    "notapackage/d.py": "X = 1\n",  # no __init__.py: not a module of the package
}


@pytest.fixture(autouse=True)
def bytecode_may_be_written(monkeypatch):
    """The bundle is written only where Python writes bytecode; these tests are about what it
    does when it is written, so they run as if ``PYTHONDONTWRITEBYTECODE`` were unset (CI, and
    many developers' shells, set it). The test of that rule sets the flag itself."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.fixture
def pack(tmp_path, request):
    """``(package name, folder, bundle)``: a package written under tmp_path, cleaned up after."""
    name = f"bundled_{request.node.name.replace('[', '_').replace(']', '_').replace('-', '_')}"
    folder = tmp_path / name
    for rel, text in FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    bundles: list[CodeBundle] = []

    def fresh(path=None) -> CodeBundle:
        """A new bundle in front of the import system, the package's modules forgotten."""
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]
        for old in bundles:
            if old in sys.meta_path:
                sys.meta_path.remove(old)
        importlib.invalidate_caches()
        importlib.import_module(name)
        bundle = CodeBundle(name, str(folder), path if path is not None else str(tmp_path / "b.bin"))
        bundles.append(bundle)
        sys.meta_path.insert(0, bundle)
        return bundle

    try:
        yield name, folder, fresh
    finally:
        sys.path.remove(str(tmp_path))
        for old in bundles:
            old.close()
            if old in sys.meta_path:
                sys.meta_path.remove(old)
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]


def _edit(path, text: str) -> None:
    """Rewrite a source with another size and a later modification time."""
    before = os.stat(path).st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_modules_are_served_from_the_bundle_as_their_own_import_would(pack):
    name, folder, fresh = pack
    assert fresh().write()
    bundle = fresh()
    a = importlib.import_module(f"{name}.a")
    c = importlib.import_module(f"{name}.sub.c")
    assert (a.DOUBLE, a.VALUE, c.NAME) == (42, 21, "helper/c")
    assert sys.modules[f"{name}.b"].__doc__ == "b's docstring."
    for mod in (f"{name}.a", f"{name}.b", f"{name}._helper", f"{name}.sub", f"{name}.sub.c"):
        assert sys.modules[mod].__spec__.loader is bundle, mod
    assert a.__file__ == a.where() == str(folder / "a.py")
    assert sys.modules[f"{name}.sub"].__path__ == [str(folder / "sub")]
    assert a.where.__code__.co_filename == str(folder / "a.py")  # tracebacks name the source
    assert bundle.get_source(f"{name}.b") == FILES["b.py"]
    assert bundle.is_package(f"{name}.sub") and not bundle.is_package(f"{name}.a")
    assert not bundle.stale
    assert sorted(bundle.entries) == sorted(f"{name}.{m}" for m in ("a", "b", "_helper", "sub", "sub.c"))


def test_a_module_edited_or_added_since_is_imported_from_its_source_and_the_bundle_rewritten(pack):
    name, folder, fresh = pack
    assert fresh().write()
    _edit(folder / "b.py", "VALUE = 50\n")
    (folder / "e.py").write_text("E = 'new'\n", encoding="utf-8")
    bundle = fresh()
    assert importlib.import_module(f"{name}.a").DOUBLE == 100
    assert sys.modules[f"{name}.b"].__spec__.loader is not bundle
    assert importlib.import_module(f"{name}.e").E == "new"
    assert bundle.stale
    assert bundle.refresh() and not bundle.stale
    assert not bundle.refresh()  # nothing new to write
    c = importlib.import_module(f"{name}.sub.c")  # after a refresh, from the bundle just written
    assert c.NAME == "helper/c" and c.__spec__.loader is bundle and not bundle.stale
    bundle = fresh()
    assert importlib.import_module(f"{name}.a").DOUBLE == 100
    assert importlib.import_module(f"{name}.e").E == "new"
    assert sys.modules[f"{name}.b"].__spec__.loader is bundle
    assert sys.modules[f"{name}.e"].__spec__.loader is bundle
    assert not bundle.stale


def test_a_module_added_since_makes_the_bundle_stale(pack):
    name, folder, fresh = pack
    assert fresh().write()
    (folder / "sub" / "f.py").write_text("F = 'added'\n", encoding="utf-8")
    bundle = fresh()
    assert importlib.import_module(f"{name}.a").DOUBLE == 42
    assert not bundle.stale
    assert importlib.import_module(f"{name}.sub.f").F == "added"
    assert bundle.stale


def test_a_module_that_does_not_exist_does_not_make_the_bundle_stale(pack):
    name, _folder, fresh = pack
    assert fresh().write()
    bundle = fresh()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"{name}.missing")
    assert not bundle.stale


@pytest.mark.parametrize("damage", ["missing", "cut short", "garbage", "other python", "other folder"])
def test_a_bundle_that_cannot_be_used_is_ignored(pack, tmp_path, damage):
    name, folder, fresh = pack
    path = tmp_path / "b.bin"
    assert fresh().write()
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "cut short":
        path.write_bytes(data[:-10])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 200)
    elif damage == "other python":
        path.write_bytes(data.replace(sys.version.encode(), b"2.7.18".ljust(len(sys.version), b" "), 1))
    else:  # written for the package in another folder, whose sources these are not
        path.write_bytes(data.replace(str(folder).encode(), str(tmp_path / "elsewhere").encode(), 1))
    bundle = fresh()
    assert importlib.import_module(f"{name}.a").DOUBLE == 42
    assert sys.modules[f"{name}.a"].__spec__.loader is not bundle
    assert bundle.stale and bundle.entries == {}
    assert bundle.refresh()
    bundle = fresh()
    assert importlib.import_module(f"{name}.a").DOUBLE == 42
    assert sys.modules[f"{name}.a"].__spec__.loader is bundle


def test_the_bundle_is_written_only_where_python_writes_bytecode(pack, tmp_path, monkeypatch):
    name, _folder, fresh = pack
    bundle = fresh()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert not bundle.write()
    assert not (tmp_path / "b.bin").exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "blocked").write_text("a file where the bundle's folder should be", encoding="utf-8")
    assert not fresh(str(tmp_path / "blocked" / "b.bin")).write()
    with monkeypatch.context() as m:  # a folder this user may not write (root may write any)
        m.setattr(os, "access", lambda path, mode: False)
        assert not bundle.write()
    assert not (tmp_path / "b.bin").exists()
    assert bundle.write()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_each_installation_and_interpreter_has_its_own_file(tmp_path, monkeypatch):
    one, other = bundle_file(str(tmp_path), "/venv/a/iaclint/policies"), bundle_file(str(tmp_path), "/venv/b/iaclint/policies")
    assert one != other and os.path.dirname(one) == os.path.dirname(other) == str(tmp_path)
    assert bundle_file(str(tmp_path), "/venv/a/iaclint/policies") == one
    assert f"-{sys.implementation.cache_tag}-" in os.path.basename(one)
    monkeypatch.setattr(sys, "flags", type("Flags", (), {"optimize": 2})())
    assert bundle_file(str(tmp_path), "/venv/a/iaclint/policies") != one  # -OO compiles other code


def test_a_scan_keeps_the_code_in_its_cache_folder_and_not_with_no_cache(tmp_path):
    """Never beside the installed package: a file pip did not install outlives ``pip uninstall``,
    and the folder it keeps then shadows an editable install as a namespace package."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").write_text("FROM python:3.12\nRUN curl -k https://x | sh\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    import iaclint.policies as pack
    started = time.time() - 1
    for name, extra in (("cached", []), ("uncached", ["--no-cache"])):
        env["XDG_CACHE_HOME"] = str(tmp_path / name)
        done = subprocess.run([sys.executable, "-I", "-m", "iaclint", "scan", str(repo), "-f", "json", *extra],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and '"IAC-' in done.stdout, done.stderr
    found = [os.path.join(d, f) for d, _s, fs in os.walk(tmp_path / "cached") for f in fs
             if f.startswith("code-") and f.endswith(".bin")]
    assert [os.path.basename(f) for f in found] == [os.path.basename(bundle_file("", pack.__path__[0]))]
    assert not (tmp_path / "uncached").exists()
    bundle = CodeBundle(pack.__name__, pack.__path__[0], found[0])
    assert "iaclint.policies.encryption.dockerfile_tls_verification_disabled" in bundle._read()
    written = [f for d, _s, fs in os.walk(pack.__path__[0]) for f in fs
               if not f.endswith(".pyc") and os.path.getmtime(os.path.join(d, f)) >= started]
    assert not written  # nothing but bytecode is written into the installed package


def test_the_built_in_pack_is_bundled_with_the_code_python_compiles(tmp_path):
    """Every built-in policy module and helper is in the bundle, as the compiler makes it."""
    from importlib.machinery import SourceFileLoader
    import iaclint.policies as pack
    bundle = CodeBundle(pack.__name__, pack.__path__[0], str(tmp_path / "policies.bin"))
    assert bundle.write()
    bundle.entries = bundle._read()
    names = {n for n, _rel, _pkg in bundle.modules()}
    assert set(bundle.entries) == names
    assert set(registry._policy_modules(pack)) <= names
    assert {"iaclint.policies._index", "iaclint.policies.secrets._detect"} <= names
    for name in ("iaclint.policies._index", "iaclint.policies.network.open_ingress",
                 "iaclint.policies.secrets._detect"):
        source = os.path.join(bundle.directory, bundle.entries[name][0])
        assert bundle.get_code(name) == SourceFileLoader(name, source).get_code(name)
