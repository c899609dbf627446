"""Third-party policy packs load from installed entry points, and only from there."""

import os
import subprocess
import sys
import textwrap

PACK = '''
from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="ACME-NET-001", name="acme-no-telnet", severity=Severity.HIGH, family="network",
        applies_to=("dockerfile:stage",))
def no_telnet(resource, options):
    """Telnet exposed.

    ## Why
    Clear text.
    ## Fix
    Use SSH.
    ## Example
    EXPOSE 22
    """
    for i, ins in enumerate(resource.get("instructions") or []):
        if ins.get("cmd") == "EXPOSE" and "23" in (ins.get("args") or ""):
            yield resource.finding("telnet port exposed", at=("instructions", i))
'''


def _install_fake_pack(site, body: str, name: str = "acme_policies") -> None:
    """A distribution on sys.path with an iaclint.policies entry point, as pip would leave it."""
    (site / name).mkdir()
    (site / name / "__init__.py").write_text(body)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[iaclint.policies]\nacme = {name}\n")


def _run(args, site, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
           "XDG_CACHE_HOME": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "iaclint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_an_installed_pack_adds_its_policies(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    _install_fake_pack(site, PACK)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\nUSER app\nEXPOSE 23\n")
    r = _run(["scan", ".", "--select", "ACME-NET-001"], site, tmp_path)
    assert r.returncode == 1, r.stderr
    assert "ACME-NET-001" in r.stdout and "telnet port exposed" in r.stdout
    r = _run(["rules", "--format", "json"], site, tmp_path)
    assert '"ACME-NET-001"' in r.stdout


def test_a_broken_pack_is_a_clear_error_not_a_smaller_rule_set(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    _install_fake_pack(site, "raise ImportError('missing dependency acme-core')\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\n")
    r = _run(["scan", "."], site, tmp_path)
    assert r.returncode == 2
    assert "policy pack 'acme'" in r.stderr and "missing dependency acme-core" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_scanned_repository_cannot_add_a_pack(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "__init__.py").write_text("open('pwned', 'w').close()\n")
    (tmp_path / ".iaclint.toml").write_text(textwrap.dedent('''
        select = ["IAC-NET"]
    '''))
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\nEXPOSE 22\n")
    r = _run(["scan", "."], tmp_path / "nothing", tmp_path)
    assert r.returncode == 1 and not (tmp_path / "pwned").exists()


def test_installing_a_pack_changes_the_result_cache_key(tmp_path, monkeypatch):
    from iaclint import registry
    before = registry.packs_fingerprint()
    site = tmp_path / "site"
    site.mkdir()
    _install_fake_pack(site, PACK)
    monkeypatch.syspath_prepend(str(site))
    after = registry.packs_fingerprint()
    assert after != before and "acme_policies-1.0.dist-info" in after


def test_policy_modules_are_listed_as_walk_packages_lists_them(tmp_path):
    # registry._policy_modules reads directories instead of importing every subpackage the way
    # pkgutil.walk_packages does; the names and their order must be the same.
    import pkgutil

    from iaclint import policies as builtin
    from iaclint.registry import _policy_modules

    def walked(pack):
        return [i.name for i in pkgutil.walk_packages(pack.__path__, pack.__name__ + ".")
                if not i.name.rsplit(".", 1)[-1].startswith("_")]

    assert _policy_modules(builtin) == walked(builtin)
    root = tmp_path / "lister_pack"
    for rel in ("__init__.py", "b.py", "a.py", "_helper.py", "compiled.pyc", "notes.txt", "two.dots.py",
                "sub/__init__.py", "sub/x.py", "_private/__init__.py", "_private/y.py",
                "plain_dir/z.py", "sub/__pycache__/x.cpython-311.pyc", "sub/deeper/__init__.py",
                "sub/deeper/w.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        import lister_pack
        names = _policy_modules(lister_pack)
        assert names == walked(lister_pack)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("lister_pack")]:
            del sys.modules[name]
    # private modules and non-packages left out; a private package's modules kept, as before
    assert names == ["lister_pack._private.y", "lister_pack.a", "lister_pack.b", "lister_pack.compiled",
                     "lister_pack.sub", "lister_pack.sub.deeper", "lister_pack.sub.deeper.w",
                     "lister_pack.sub.x"]
