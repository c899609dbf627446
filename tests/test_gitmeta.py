"""--changed-since: the read-only git reader, checked against real repositories made with git.

The tests run the ``git`` binary to build repositories; iaclint itself never does (one test
proves it with a hostile ``core.fsmonitor`` and a patched subprocess).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib

import pytest

from iaclint import cli, gitmeta
from iaclint.gitmeta import ChangedSince, GitError, Repository, blob_id

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git binary to build repositories")

SSH_DOCKERFILE = "FROM alpine:3.20\nUSER app\nEXPOSE 22\n"


@pytest.fixture
def git_env(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    for key in list(os.environ):
        if key.startswith("GIT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "t")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "t@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "t")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "t@example.invalid")
    return home


def git(cwd, *args) -> str:
    out = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "gc.auto=0", *args], cwd=cwd,
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, f"git {' '.join(args)} failed: {out.stderr}"
    return out.stdout.strip()


def pack(repo, ref_delta=False):
    """Pack every object and ref, as `git gc` does.

    `git gc` / `git repack` are not used: on the shared test machine their internal
    repack -> pack-objects pipe now and then received unrelated output under load ("fatal: bad
    revision ..."); feeding pack-objects ourselves is the same packing without that pipe.
    Without --delta-base-offset, pack-objects writes REF_DELTA entries instead of OFS_DELTA.
    """
    objects = git(repo, "rev-list", "--objects", "--all", "--reflog", "--indexed-objects")
    args = ["git", "pack-objects", "-q", "--no-reuse-delta", "--window=50", "--depth=50"]
    if not ref_delta:
        args.append("--delta-base-offset")
    out = subprocess.run(args + [".git/objects/pack/pack"], cwd=repo, input=objects + "\n",
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    git(repo, "prune-packed")
    git(repo, "pack-refs", "--all", "--prune")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def commit_all(repo, message):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path, git_env):
    """main: c1 -> c2 -> c3 -> merge(c3, side); tags; files in subdirectories."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "a.tf", "resource \"x\" \"a\" {}\n")
    write(repo / "sub" / "b.tf", "resource \"x\" \"b\" {}\n")
    write(repo / "sub" / "deep" / "c.yaml", "kind: Pod\n")
    commit_all(repo, "c1")
    git(repo, "tag", "light")
    for i in range(2, 4):
        # Enough shared text that git gc stores deltas.
        write(repo / "sub" / "b.tf", "".join(f"# line {n}\n" for n in range(200)) + f"# v{i}\n")
        commit_all(repo, f"c{i}")
    git(repo, "tag", "-a", "v1", "-m", "annotated", "HEAD~1")
    git(repo, "tag", "-a", "v1-outer", "-m", "tag of a tag", "v1")
    git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    write(repo / "side.tf", "resource \"x\" \"side\" {}\n")
    commit_all(repo, "side")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "side")
    return repo


REVISIONS = ["HEAD", "main", "side", "light", "v1", "v1-outer", "HEAD~1", "HEAD~", "HEAD^", "HEAD^2",
             "HEAD^1~1", "main~2", "HEAD^{commit}", "v1^{}", "v1~1", "HEAD^0", "refs/heads/side",
             "heads/main", "tags/v1", "@", "@~2"]


def _rev_parse(repo, rev):
    return git(repo, "rev-parse", "--verify", "-q", rev + "^{commit}")


def _check_revisions(repo):
    with Repository.discover(str(repo)) as r:
        for rev in REVISIONS:
            assert r.resolve(rev) == _rev_parse(repo, rev), rev
        full = _rev_parse(repo, "HEAD~1")
        assert r.resolve(full) == full
        assert r.resolve(full[:7]) == full
        assert r.resolve(full[:7].upper()) == full


def test_revisions_from_loose_objects(history):
    assert not list((history / ".git" / "objects" / "pack").glob("*.pack"))
    _check_revisions(history)


def test_revisions_from_packs_and_packed_refs(history):
    pack(history)
    assert list((history / ".git" / "objects" / "pack").glob("*.pack"))
    assert (history / ".git" / "packed-refs").is_file()
    assert not (history / ".git" / "refs" / "tags" / "v1").exists()
    loose = [p for p in (history / ".git" / "objects").iterdir() if len(p.name) == 2]
    assert not loose
    _check_revisions(history)
    assert _pack_types(history) & {gitmeta.OBJ_OFS_DELTA}


def test_ref_delta_packs(history):
    pack(history, ref_delta=True)
    assert gitmeta.OBJ_REF_DELTA in _pack_types(history)
    _check_revisions(history)
    with Repository.discover(str(history)) as r:
        # every tree and commit reachable from the tags reads back byte for byte
        for rev in ("HEAD", "v1", "HEAD^2"):
            commit = r.resolve(rev)
            kind, data = r.read(commit)
            assert (kind, data) == ("commit", subprocess.run(
                ["git", "cat-file", "commit", commit], cwd=history, capture_output=True, check=True,
                stdin=subprocess.DEVNULL).stdout)


def _pack_types(repo) -> set[int]:
    """Object types stored in the repository's packs (to prove a test reads deltas)."""
    types = set()
    with Repository.discover(str(repo)) as r:
        for pack in r.packs():
            for i in range(pack.count):
                types.add(pack.header(pack._offset(i))[0])
    return types


def test_changed_files_against_git(history):
    write(history / "a.tf", "resource \"x\" \"a\" { changed = true }\n")   # modified
    write(history / "sub" / "new.tf", "resource \"x\" \"n\" {}\n")         # untracked
    write(history / "sub" / "deep" / "new.yaml", "kind: Pod\n")           # new directory entry
    pack(history)
    for rev in ("HEAD", "HEAD~2", "light", "v1"):
        expected = set(git(history, "diff", "--name-only", rev).split())
        expected |= set(git(history, "ls-files", "--others", "--exclude-standard").split())
        changes = ChangedSince.open(str(history), rev)
        try:
            files = [p for p in git(history, "ls-files", "--cached", "--others").split()]
            got = {p for p in files if os.path.exists(history / p) and changes(str(history / p))}
        finally:
            changes.close()
        assert got == {p for p in expected if os.path.exists(history / p)}, rev


def test_blob_id_matches_git(tmp_path, git_env):
    data = b"hello\r\nworld\x00\xff"
    f = tmp_path / "f"
    f.write_bytes(data)
    assert blob_id(data) == git(tmp_path, "hash-object", str(f))


def test_symlink_and_crlf(tmp_path, git_env):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "a.tf", "x = 1\ny = 2\n")
    os.symlink("a.tf", repo / "link.tf")
    commit_all(repo, "c")
    changes = ChangedSince.open(str(repo), "HEAD")
    try:
        assert changes(str(repo / "link.tf")) is False
        assert changes(str(repo / "a.tf")) is False
        (repo / "a.tf").write_bytes(b"x = 1\r\ny = 2\r\n")
        assert changes(str(repo / "a.tf")) is False
        (repo / "a.tf").write_bytes(b"x = 1\r\ny = 3\r\n")
        assert changes(str(repo / "a.tf")) is True
    finally:
        changes.close()


def test_remote_tracking_refs(tmp_path, git_env, history):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history), str(clone))
    git(clone, "checkout", "-q", "-b", "feature")
    write(clone / "f.tf", "resource \"x\" \"f\" {}\n")
    commit_all(clone, "feature")
    with Repository.discover(str(clone / "sub")) as r:
        assert r.worktree == str(clone)
        main = _rev_parse(history, "main")
        assert r.resolve("origin/main") == main
        assert r.resolve("origin") == main          # origin/HEAD, a symbolic ref
        assert r.resolve("origin/side~1") == _rev_parse(history, "side~1")
        assert r.resolve("remotes/origin/main") == main


def test_linked_worktree(tmp_path, history):
    wt = tmp_path / "wt"
    git(history, "worktree", "add", "-q", str(wt), "side")
    assert (wt / ".git").is_file()
    write(wt / "side.tf", "changed\n")
    with ChangedSince.open(str(wt), "main") as changes:
        assert changes.repo.commondir == str(history / ".git")
        assert changes(str(wt / "side.tf")) is True           # not on main at all
        assert changes(str(wt / "a.tf")) is False
    with Repository.discover(str(wt)) as r:
        assert r.resolve("HEAD") == _rev_parse(history, "side")


def test_errors_are_clear(tmp_path, git_env, history):
    with Repository.discover(str(history)) as r:
        for bad in ("nope", "main~99", "HEAD^3", "../../config", "HEAD@{1}", "a.b", "main:file",
                    "config", "HEAD~x"):
            with pytest.raises(GitError):
                r.resolve(bad)
        with pytest.raises(GitError, match="no parent"):
            r.resolve("HEAD~99")
        with pytest.raises(GitError, match="not in the repository"):
            r.read("0" * 40)
    with pytest.raises(GitError, match="not inside a git work tree"):
        Repository.discover(str(tmp_path / "home"))


def test_sha256_repository_is_refused(tmp_path, git_env):
    repo = tmp_path / "r256"
    repo.mkdir()
    try:
        git(repo, "init", "-q", "--object-format=sha256")
    except subprocess.CalledProcessError:
        pytest.skip("this git cannot make SHA-256 repositories")
    write(repo / "a.tf", "x = 1\n")
    commit_all(repo, "c")
    with pytest.raises(GitError, match="sha256|SHA-256"):
        ChangedSince.open(str(repo), "HEAD")


def test_reftable_repository_is_refused(history):
    with open(history / ".git" / "config", "a") as fh:
        fh.write("[extensions]\n\trefStorage = reftable\n")
    with pytest.raises(GitError, match="reftable"):
        Repository.discover(str(history))


def test_shallow_clone(tmp_path, git_env, history, capsys):
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history}", str(clone))
    assert cli.main(["scan", str(clone), "--changed-since", "HEAD~1"]) == 2
    assert "shallow clone" in capsys.readouterr().err
    assert cli.main(["scan", str(clone), "--changed-since", "HEAD", "-q"]) == 0
    with Repository.discover(str(clone)) as r:
        assert r.resolve("HEAD") == _rev_parse(history, "main")
        with pytest.raises(GitError, match="shallow"):
            r.resolve("HEAD~1")
        with pytest.raises(GitError, match="shallow"):
            r.read(_rev_parse(history, "main~2"))


# -- the CLI --------------------------------------------------------------------------------------

@pytest.fixture
def docker_repo(tmp_path, git_env):
    """Two Dockerfiles with the same finding in a subdirectory; one changes after the commit."""
    repo = tmp_path / "proj"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "svc" / "api" / "Dockerfile", SSH_DOCKERFILE)
    write(repo / "svc" / "web" / "Dockerfile", SSH_DOCKERFILE)
    write(repo / "top" / "Dockerfile", SSH_DOCKERFILE)
    commit_all(repo, "c1")
    pack(repo)
    write(repo / "svc" / "api" / "Dockerfile", "# touched\n" + SSH_DOCKERFILE)
    return repo


def _scan(capsys, *argv):
    code = cli.main(["scan", *argv, "--format", "json", "--select", "IAC-NET-003"])
    out, err = capsys.readouterr()
    import json
    return code, (json.loads(out) if out.strip() else None), err


def test_cli_reports_only_changed_files_in_a_subdirectory(docker_repo, capsys, monkeypatch):
    monkeypatch.chdir(docker_repo / "svc")
    code, doc, _ = _scan(capsys, ".", "--changed-since", "HEAD")
    assert code == 1
    assert [f["path"] for f in doc["findings"]] == ["api/Dockerfile"]
    assert doc["summary"]["files"] == 1
    code, doc, _ = _scan(capsys, ".")
    assert sorted(f["path"] for f in doc["findings"]) == ["api/Dockerfile", "web/Dockerfile"]
    # a new file is changed too; the unchanged one still is not reported
    write(docker_repo / "svc" / "new" / "Dockerfile", SSH_DOCKERFILE)
    monkeypatch.chdir(docker_repo)
    code, doc, _ = _scan(capsys, "svc", "--changed-since", "main")
    assert sorted(f["path"] for f in doc["findings"]) == ["svc/api/Dockerfile", "svc/new/Dockerfile"]


def test_cli_nothing_changed_exits_0(docker_repo, capsys, monkeypatch):
    write(docker_repo / "svc" / "api" / "Dockerfile", SSH_DOCKERFILE)  # back to the committed text
    monkeypatch.chdir(docker_repo)
    code, doc, _ = _scan(capsys, ".", "--changed-since", "HEAD")
    assert code == 0 and doc["findings"] == []


def test_cli_git_errors_exit_2(docker_repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(docker_repo)
    code, doc, err = _scan(capsys, ".", "--changed-since", "no-such-branch")
    assert code == 2 and doc is None
    assert "unknown revision 'no-such-branch'" in err
    outside = tmp_path / "plain"
    write(outside / "Dockerfile", SSH_DOCKERFILE)
    code, doc, err = _scan(capsys, str(outside), "--changed-since", "HEAD")
    assert code == 2 and "not inside a git work tree" in err
    code, _, err = _scan(capsys, ".", "--changed-since", "HEAD", "--write-baseline", str(tmp_path / "b.json"))
    assert code == 2 and "cannot be combined" in err


def test_never_runs_git_even_when_the_repository_asks(docker_repo, tmp_path, capsys, monkeypatch):
    marker = tmp_path / "pwned"
    hook = tmp_path / "fsmonitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    git(docker_repo, "config", "core.fsmonitor", str(hook))
    git(docker_repo, "config", "diff.external", str(hook))
    subprocess.run(["git", "status", "--short"], cwd=docker_repo, capture_output=True, stdin=subprocess.DEVNULL)
    assert marker.exists(), "the hostile config is live: git itself runs the hook"
    marker.unlink()

    def refuse(*args, **kwargs):
        raise AssertionError(f"iaclint started a process: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.chdir(docker_repo)
    code, doc, _ = _scan(capsys, ".", "--changed-since", "HEAD")
    assert code == 1 and [f["path"] for f in doc["findings"]] == ["svc/api/Dockerfile"]
    assert not marker.exists()


def test_pack_index_version_1_is_refused(tmp_path):
    idx = tmp_path / "pack-x.idx"
    idx.write_bytes(struct.pack(">256I", *([0] * 256)) + b"\0" * 40)
    pack = tmp_path / "pack-x.pack"
    pack.write_bytes(b"PACK" + struct.pack(">II", 2, 0))
    with pytest.raises(GitError, match="version 2"):
        gitmeta._Pack(str(idx), str(pack))


def test_delta_instructions():
    base = b"0123456789abcdef"
    # source size 16, target size 10: copy 4 bytes at offset 2, insert "XY", copy 4 at 12
    delta = bytes([16, 10, 0x80 | 0x01 | 0x10, 2, 4, 2]) + b"XY" + bytes([0x80 | 0x01 | 0x10, 12, 4])
    assert gitmeta.apply_delta(base, delta) == b"2345XYcdef"
    with pytest.raises(GitError):
        gitmeta.apply_delta(base[:-1], delta)
    with pytest.raises(GitError):
        gitmeta.apply_delta(base, bytes([16, 1, 0]))


# -- hostile .git contents: bounded reads, gitdir that leads elsewhere ---------------------------

def _bomb(size: int, header: bytes = b"") -> bytes:
    z = zlib.compressobj(9)
    return z.compress(header) + b"".join(z.compress(b"\0" * (1 << 20)) for _ in range(size >> 20)) + z.flush()


def _peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_loose_object_too_large_to_be_a_commit_is_refused_unread(history):
    head = _rev_parse(history, "HEAD")
    loose = history / ".git" / "objects" / head[:2] / head[2:]
    os.chmod(loose, 0o644)
    loose.write_bytes(_bomb(64 << 20, b"commit %d\0" % (64 << 20)))
    with pytest.raises(GitError, match=r"is 67108864 bytes: more than the 16 MB"):
        ChangedSince.open(str(history), "HEAD")


def test_a_loose_object_that_inflates_past_its_header_is_refused(history):
    head = _rev_parse(history, "HEAD")
    loose = history / ".git" / "objects" / head[:2] / head[2:]
    os.chmod(loose, 0o644)
    before = _peak_mb()
    loose.write_bytes(_bomb(256 << 20, b"commit 100\0"))  # says 100 bytes, inflates to 256 MB
    with Repository.discover(str(history)) as r:
        with pytest.raises(GitError, match="inflates past the 100 bytes"):
            r.read(head)
    assert _peak_mb() - before < 50


def test_a_packed_object_inflates_only_to_the_size_its_entry_says():
    fake = gitmeta._Pack.__new__(gitmeta._Pack)
    fake.name, fake.pack = "pack-x.pack", b"\0" * 7 + _bomb(256 << 20)
    before = _peak_mb()
    with pytest.raises(GitError, match="inflates past the 1000 bytes"):
        fake.inflate(7, 1000)  # an entry that says 1000 bytes
    with pytest.raises(GitError, match="more than the 16 MB"):
        fake.inflate(7, 256 << 20)  # an entry that says 256 MB: not even started
    assert _peak_mb() - before < 50


def test_a_delta_is_built_only_to_the_size_it_declares():
    base = b"x" * 16
    many_copies = bytes([16, 32]) + bytes([0x80 | 0x10, 16]) * 100_000  # copies 1.6 MB, says 32 bytes
    with pytest.raises(GitError, match="result is"):
        gitmeta.apply_delta(base, many_copies)
    huge = bytes([16]) + bytes([0x80, 0x80, 0x80, 0x80, 0x01])  # says 256 MB
    with pytest.raises(GitError, match="more than the 16 MB"):
        gitmeta.apply_delta(base, huge)


def test_a_submodule_gitdir_out_of_its_directory_is_followed(tmp_path, git_env, history):
    sup = tmp_path / "super"
    sup.mkdir()
    git(sup, "init", "-q")
    write(sup / "top.tf", "x = 1\n")
    commit_all(sup, "c1")
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(history), "mod")
    commit_all(sup, "add mod")
    dotgit = (sup / "mod" / ".git").read_text()
    assert dotgit.startswith("gitdir: ../.git/modules/mod")  # relative, out of mod/
    write(sup / "mod" / "a.tf", "changed\n")
    with ChangedSince.open(str(sup / "mod"), "HEAD") as changes:
        assert changes(str(sup / "mod" / "a.tf")) is True
        assert changes(str(sup / "mod" / "sub" / "b.tf")) is False


def test_a_relative_gitdir_out_of_the_work_tree_to_another_repository_is_refused(tmp_path, history):
    planted = tmp_path / "scanned"
    write(planted / "main.tf", "x = 1\n")
    # a .git file (in a tarball, a copied tree) pointing at some other repository on the machine:
    # its history would decide which of these files count as changed
    (planted / ".git").write_text("gitdir: ../repo/.git\n")
    with pytest.raises(GitError, match="leads out of .* not followed"):
        ChangedSince.open(str(planted), "HEAD")
    (planted / ".git").write_text(f"gitdir: {history / '.git'}\n")  # absolute, as git worktree writes
    with ChangedSince.open(str(planted), "HEAD") as changes:
        assert changes.repo.commondir == str(history / ".git")


def test_a_relative_gitdir_inside_the_work_tree_is_followed(tmp_path, history):
    moved = tmp_path / "moved"
    shutil.copytree(history, moved)
    os.rename(moved / ".git", moved / ".gitdir")
    (moved / ".git").write_text("gitdir: .gitdir\n")
    with ChangedSince.open(str(moved), "HEAD") as changes:
        assert changes(str(moved / "a.tf")) is False
