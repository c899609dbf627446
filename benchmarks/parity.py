"""Checkov parity: which of Checkov's failures iaclint reproduces, and the other way round.

    python benchmarks/parity.py --checkov PATH FOLDER [FOLDER ...] [--markdown FILE] [--json FILE]

For every folder, Checkov (an executable installed separately, never a dependency) and iaclint
scan it; only the Checkov ids that some iaclint policy lists in its ``equivalents`` count
(``iaclint rules --format json``). Then, per Checkov id:

- **mapped**: Checkov failures of that id (one per id and resource, see *Identity* below);
- **reproduced**: those on a resource where iaclint reported a policy that lists the id;
- **missed**: the rest;
- **iaclint only**: findings of a policy that lists the id, on a resource where Checkov reported
  none of that policy's ids. A finding is counted under each listed id that Checkov *passed* on
  that resource (so a policy listing several ids may count once per id), or under every listed
  id when Checkov did not check the resource with any of them (``unchecked``: a file Checkov
  could not read, a resource type none of the ids covers). Totals count each finding once. Only
  the ids for the finding's format count (``CKV_K8S_*`` for Kubernetes, ``CKV_DOCKER_*`` for
  Dockerfiles, the others for Terraform); a finding in a format none of them checks is listed
  apart (``other format``), not as a disagreement.

Identity: a finding and a Checkov failure concern the same thing when they are in the same file
(relative to the folder) and

- Terraform: have the same ``type.name`` (or ``data.type.name``). Both sides are normalised by
  dropping the module call path (``module.a["k"].module.b.``) and every instance key
  (``[0]``, ``["key"]``): Checkov names a module's resource by its own ``type.name`` in the
  module's file and gives instances its own way, iaclint names it ``module.x.aws_y.z[0]``, also
  in the module's file. All instances and all calls of one resource block are therefore one
  resource here.
- Kubernetes: have the same kind, namespace and name (Checkov: ``Kind.namespace.name``,
  iaclint: ``Kind/namespace/name`` or ``Kind/name``; a missing namespace is ``default``).
- Dockerfiles: are in the same build stage. A Checkov result spans lines (an instruction, or the
  whole file for checks such as "no USER"), so it covers every stage its line range overlaps;
  an iaclint finding is in the stage that holds its line. Stages are read with iaclint's own
  Dockerfile parser.

Checkov runs with ``--skip-download --compact -o json --framework terraform kubernetes
dockerfile`` but without ``--quiet``: its passed checks tell "Checkov checked this resource and
passed it" apart from "Checkov never checked it". ``--reuse-checkov DIR`` reads ``DIR/NAME.json``
(a saved report of the folder NAME, with its timing from ``NAME.seconds.json`` when there is
one) instead of running Checkov, and ``--save-checkov DIR`` keeps the reports it ran and their
timings there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

CHECKOV_ARGS = ["--skip-download", "--compact", "-o", "json",
                "--framework", "terraform", "kubernetes", "dockerfile"]
# Checkov's check_type -> the kind of identity used here
CHECKOV_KINDS = {"terraform": "terraform", "terraform_plan": "terraform", "terraform_json": "terraform",
                 "kubernetes": "kubernetes", "dockerfile": "dockerfile"}

StagesOf = Callable[[str], "list[int] | None"]


# -- identities --------------------------------------------------------------------------------
def split_address(address: str) -> list[str]:
    """A Terraform address's dot-separated parts, instance keys removed.

    ``module.a["x.y"].aws_s3_bucket.b[0]`` -> ``["module", "a", "aws_s3_bucket", "b"]``: dots and
    brackets inside a quoted key do not split.
    """
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = False
    i = 0
    while i < len(address):
        ch = address[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"' and depth:
            quoted = True
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        elif depth:
            pass
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p for p in parts if p]


def terraform_identity(address: str) -> str:
    """``type.name`` (or ``data.type.name``) of a resource address, module path and keys dropped.

    A provider block is ``provider.NAME.ALIAS`` (``provider.aws.default`` without an alias):
    iaclint names it ``provider.aws`` or ``provider.aws.ALIAS``."""
    parts = split_address(address)
    while len(parts) >= 2 and parts[0] == "module":
        parts = parts[2:]
    if parts[:1] == ["provider"] and len(parts) == 2:
        parts.append("default")
    return ".".join(parts)


def kubernetes_identity_checkov(resource: str) -> tuple[str, str, str]:
    """(kind, namespace, name) of Checkov's ``Kind.namespace.name`` (a name may hold dots)."""
    kind, _, rest = resource.partition(".")
    namespace, _, name = rest.partition(".")
    return kind, namespace or "default", name


def kubernetes_identity_iaclint(address: str) -> tuple[str, str, str]:
    """(kind, namespace, name) of iaclint's ``Kind/namespace/name`` or ``Kind/name``."""
    parts = address.split("/", 2)
    if len(parts) == 3:
        return parts[0], parts[1] or "default", parts[2]
    if len(parts) == 2:
        return parts[0], "default", parts[1]
    return address, "default", ""


def stage_at(starts: list[int], line: int) -> int:
    """Index of the build stage holding ``line``, given the sorted first lines of the stages
    (lines before the first FROM, such as global ARGs, belong to stage 0)."""
    index = 0
    for i, start in enumerate(starts):
        if start <= line:
            index = i
        else:
            break
    return index


def stages_overlapping(starts: list[int], first: int, last: int) -> frozenset[int]:
    """Indexes of the stages that the lines ``first..last`` touch."""
    return frozenset(range(stage_at(starts, first), stage_at(starts, max(first, last)) + 1))


def relpath(path: str) -> str:
    """A report path as a POSIX path relative to the scanned folder (Checkov's start with '/')."""
    return path.replace("\\", "/").lstrip("/")


# -- records -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One Checkov result or iaclint finding, reduced to what matching needs.

    ``ident`` is the Terraform ``type.name``, the Kubernetes (kind, namespace, name), or for a
    Dockerfile the frozenset of stage indexes (one stage for an iaclint finding)."""
    check: str          # Checkov id or iaclint policy id
    result: str         # "failed" | "passed" | "finding"
    kind: str           # terraform | kubernetes | dockerfile
    file: str
    ident: object
    line: int = 0
    resource: str = ""  # the resource as the tool named it (for people)
    last: int = 0       # last line (Checkov's results only)

    def key(self) -> tuple:
        return (self.kind, self.file, self.ident)


def same_resource(a: Record, b: Record) -> bool:
    if a.kind != b.kind or a.file != b.file:
        return False
    if a.kind == "dockerfile":
        return bool(a.ident & b.ident)
    return a.ident == b.ident


def checkov_reports(doc) -> list[dict]:
    """Checkov's JSON is one report per framework: a list, one dict, or a bare summary."""
    if isinstance(doc, list):
        return [r for r in doc if isinstance(r, dict)]
    if isinstance(doc, dict):
        return [doc]
    raise ValueError("Checkov's output is neither a JSON object nor a list")


def checkov_records(doc, stages_of: StagesOf, wanted: set[str] | None = None) -> list[Record]:
    """Failed and passed checks of a Checkov JSON report (only ``wanted`` ids, when given)."""
    out: list[Record] = []
    objects: dict[tuple, tuple] = {}  # (file, first line, last line) -> a Kubernetes object's identity
    for report in checkov_reports(doc):
        kind = CHECKOV_KINDS.get(report.get("check_type", ""))
        results = report.get("results")
        if kind is None or not isinstance(results, dict):
            continue
        for result, key in (("failed", "failed_checks"), ("passed", "passed_checks")):
            for check in results.get(key) or ():
                cid = check.get("check_id", "")
                rec = _checkov_record(check, cid, result, kind, stages_of)
                if rec is None:
                    continue
                if kind == "kubernetes" and rec.ident[0] != "Pod":
                    objects[(rec.file, rec.line, rec.last)] = rec.ident
                if wanted is None or cid in wanted:
                    out.append(rec)
    return [_parent_object(r, objects) for r in out]


def _parent_object(rec: Record, objects: dict[tuple, tuple]) -> Record:
    """Checkov's graph checks see a workload's pod template as a Pod of its own, named
    ``Pod.<namespace>.<workload>.<label>-<value>`` (or after the template's own name), with the
    workload's exact line range: such a Pod is the workload."""
    if rec.kind != "kubernetes" or rec.ident[0] != "Pod":
        return rec
    parent = objects.get((rec.file, rec.line, rec.last))
    if parent is None:
        return rec
    return replace(rec, ident=parent)


def _checkov_record(check: dict, cid: str, result: str, kind: str, stages_of: StagesOf) -> Record | None:
    file = relpath(check.get("file_path", ""))
    resource = check.get("resource", "")
    lines = check.get("file_line_range") or [0, 0]
    first, last = (int(lines[0]), int(lines[-1])) if lines else (0, 0)
    if kind == "terraform":
        # a provider check names the block ``aws.ALIAS`` or ``aws.default``
        provider = ".checks.provider." in check.get("check_class", "")
        ident: object = terraform_identity(("provider." if provider else "") + resource)
    elif kind == "kubernetes":
        ident = kubernetes_identity_checkov(resource)
    else:
        starts = stages_of(file)
        if starts is None:
            return None
        ident = stages_overlapping(starts, first, last)
    return Record(cid, result, kind, file, ident, first, resource, last)


def iaclint_kind(path: str, address: str) -> str | None:
    if address.startswith("stage.") or address.startswith("stage["):
        return "dockerfile"
    lower = path.lower()
    if lower.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json", ".json")):
        return "terraform"
    if lower.endswith((".yaml", ".yml")):
        return "kubernetes"
    return None


def iaclint_records(doc: dict, stages_of: StagesOf, wanted: set[str] | None = None) -> list[Record]:
    """Findings of an iaclint JSON report (only ``wanted`` policy ids, when given)."""
    out: list[Record] = []
    for f in doc.get("findings") or ():
        pid = f.get("id", "")
        if wanted is not None and pid not in wanted:
            continue
        path, address, line = relpath(f.get("path", "")), f.get("address", ""), int(f.get("line") or 0)
        kind = iaclint_kind(path, address)
        if kind == "terraform":
            ident: object = terraform_identity(address)
        elif kind == "kubernetes":
            ident = kubernetes_identity_iaclint(address)
        elif kind == "dockerfile":
            starts = stages_of(path)
            if starts is None:
                continue
            ident = frozenset({stage_at(starts, line)})
        else:
            continue
        out.append(Record(pid, "finding", kind, path, ident, line, address))
    return out


def checkov_kind(check_id: str) -> str:
    """The format a Checkov id checks, from its name (``CKV_K8S_*``, ``CKV2_DOCKER_*``, else
    Terraform's cloud providers)."""
    if "_K8S_" in check_id:
        return "kubernetes"
    if "_DOCKER_" in check_id:
        return "dockerfile"
    return "terraform"


def checkov_mapping(rules: list[dict]) -> dict[str, list[str]]:
    """Checkov id -> the iaclint policies that list it (from ``iaclint rules --format json``)."""
    mapping: dict[str, list[str]] = {}
    for rule in rules:
        for cid in (rule.get("equivalents") or {}).get("checkov") or ():
            mapping.setdefault(cid, []).append(rule["id"])
    return mapping


# -- comparison --------------------------------------------------------------------------------
@dataclass
class Row:
    checkov_id: str
    policies: list[str]
    mapped: int = 0
    reproduced: int = 0
    iaclint_only: int = 0
    unchecked: int = 0

    @property
    def missed(self) -> int:
        return self.mapped - self.reproduced


@dataclass
class Comparison:
    rows: dict[str, Row] = field(default_factory=dict)
    missed: list[dict] = field(default_factory=list)
    iaclint_only: list[dict] = field(default_factory=list)
    # findings in a format none of the policy's Checkov ids checks (a policy for Dockerfiles and
    # Kubernetes that lists only a CKV_K8S id): nothing to compare them with
    other_format: list[dict] = field(default_factory=list)

    @property
    def mapped(self) -> int:
        return sum(r.mapped for r in self.rows.values())

    @property
    def reproduced(self) -> int:
        return sum(r.reproduced for r in self.rows.values())


def _unique(records: Iterable[Record]) -> list[Record]:
    """One record per (id, resource): several instances or lines of one resource count once."""
    seen: dict[tuple, Record] = {}
    for r in records:
        key = (r.check, r.result) + r.key()
        if key not in seen or r.line < seen[key].line:
            seen[key] = r
    return sorted(seen.values(), key=lambda r: (r.check, r.file, r.line, str(r.ident)))


def compare(checkov: list[Record], iaclint: list[Record], mapping: dict[str, list[str]]) -> Comparison:
    """Both directions of the comparison, for the Checkov ids in ``mapping``."""
    policy_ids: dict[str, list[str]] = {}
    for cid, pids in mapping.items():
        for pid in pids:
            policy_ids.setdefault(pid, []).append(cid)
    failed = _unique(r for r in checkov if r.result == "failed" and r.check in mapping)
    passed = _unique(r for r in checkov if r.result == "passed" and r.check in mapping)
    findings = _unique(r for r in iaclint if r.check in policy_ids)
    out = Comparison()

    def row(cid: str) -> Row:
        if cid not in out.rows:
            out.rows[cid] = Row(cid, list(mapping[cid]))
        return out.rows[cid]

    for fail in failed:
        r = row(fail.check)
        r.mapped += 1
        pids = set(mapping[fail.check])
        if any(f.check in pids and same_resource(fail, f) for f in findings):
            r.reproduced += 1
        else:
            out.missed.append({"checkov_id": fail.check, "policies": list(mapping[fail.check]),
                               "file": fail.file, "line": fail.line, "resource": fail.resource})
    for f in findings:
        cids = [c for c in policy_ids[f.check] if checkov_kind(c) == f.kind]
        if not cids:
            out.other_format.append({"policy": f.check, "checkov_ids": list(policy_ids[f.check]),
                                     "file": f.file, "line": f.line, "resource": f.resource})
            continue
        if any(c.check in cids and same_resource(c, f) for c in failed):
            continue
        passed_ids = sorted({c.check for c in passed if c.check in cids and same_resource(c, f)})
        for cid in passed_ids or cids:
            r = row(cid)
            r.iaclint_only += 1
            if not passed_ids:
                r.unchecked += 1
        out.iaclint_only.append({"policy": f.check, "checkov_ids": passed_ids or list(cids),
                                 "checkov": "passed" if passed_ids else "unchecked",
                                 "file": f.file, "line": f.line, "resource": f.resource})
    return out


# -- running the tools -------------------------------------------------------------------------
def dockerfile_stages(folder: str) -> StagesOf:
    """path -> first lines of its build stages, read with iaclint's parser (None: unreadable)."""
    from iaclint.parsers import dockerfile

    cache: dict[str, list[int] | None] = {}

    def stages_of(path: str) -> list[int] | None:
        if path not in cache:
            try:
                with open(os.path.join(folder, path), encoding="utf-8", errors="replace") as fh:
                    resources, _ = dockerfile.parse(fh.read(), path)
            except OSError:
                cache[path] = None
            else:
                cache[path] = sorted(r.header.line for r in resources) or [1]
        return cache[path]

    return stages_of


def run_json(cmd: list[str], ok: tuple[int, ...]) -> tuple[object, dict]:
    """The JSON a command prints, and its wall and CPU seconds (CPU: the process and every child
    it waited for, which stays meaningful on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = {"wall": time.perf_counter() - start,
               "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    try:
        return json.loads(proc.stdout), seconds
    except json.JSONDecodeError as e:
        raise RuntimeError(f"{' '.join(cmd)} did not print JSON ({e}): {proc.stdout[:300]!r}") from None


def compare_folder(folder: str, checkov: str | None, mapping: dict[str, list[str]],
                   reuse: str | None = None, save: str | None = None) -> dict:
    name = os.path.basename(os.path.abspath(folder))
    saved = os.path.join(reuse, name + ".json") if reuse else None
    if saved and os.path.exists(saved):
        with open(saved, encoding="utf-8") as fh:
            ck_doc = json.load(fh)
        ck_seconds = None
        if os.path.exists(saved[:-len(".json")] + ".seconds.json"):
            with open(saved[:-len(".json")] + ".seconds.json", encoding="utf-8") as fh:
                ck_seconds = json.load(fh)
    else:
        if not checkov:
            raise RuntimeError(f"no Checkov report for {name} in {reuse} and no --checkov")
        ck_doc, ck_seconds = run_json([checkov, "-d", folder] + CHECKOV_ARGS, ok=(0, 1))
        if save:
            os.makedirs(save, exist_ok=True)
            with open(os.path.join(save, name + ".json"), "w", encoding="utf-8") as fh:
                json.dump(ck_doc, fh)
            with open(os.path.join(save, name + ".seconds.json"), "w", encoding="utf-8") as fh:
                json.dump(ck_seconds, fh)
    ic_doc, ic_seconds = run_json([sys.executable, "-m", "iaclint", "scan", folder, "-f", "json",
                                   "--no-cache"], ok=(0, 1, 2))
    stages_of = dockerfile_stages(folder)
    policies = {pid for pids in mapping.values() for pid in pids}
    result = compare(checkov_records(ck_doc, stages_of, set(mapping)),
                     iaclint_records(ic_doc, stages_of, policies), mapping)
    return {
        "folder": name,
        "checkov_seconds": ck_seconds,
        "iaclint_seconds": ic_seconds,
        "iaclint_errors": ic_doc.get("summary", {}).get("errors", 0),
        "mapped": result.mapped,
        "reproduced": result.reproduced,
        "iaclint_only": len(result.iaclint_only),
        "other_format": len(result.other_format),
        "rows": [vars(r) | {"missed": r.missed} for r in sorted(result.rows.values(),
                                                                key=lambda r: r.checkov_id)],
        "missed": result.missed,
        "iaclint_only_findings": result.iaclint_only,
        "other_format_findings": result.other_format,
    }


# -- reports -----------------------------------------------------------------------------------
def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def markdown(folders: list[dict]) -> str:
    total_m = sum(f["mapped"] for f in folders)
    total_r = sum(f["reproduced"] for f in folders)
    total_o = sum(f["iaclint_only"] for f in folders)
    out = ["| folder | Checkov failures mapped | reproduced by iaclint | % | missed | iaclint only "
           "| Checkov s (CPU s) | iaclint s (CPU s) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def secs(t: dict | None) -> str:
        return f"{t['wall']:.1f} ({t['cpu']:.1f})" if t else "(saved report)"

    for f in folders:
        out.append(f"| {f['folder']} | {f['mapped']} | {f['reproduced']} | "
                   f"{percent(f['reproduced'], f['mapped'])} | {f['mapped'] - f['reproduced']} | "
                   f"{f['iaclint_only']} | {secs(f['checkov_seconds'])} | {secs(f['iaclint_seconds'])} |")
    out.append(f"| **overall** | **{total_m}** | **{total_r}** | **{percent(total_r, total_m)}** | "
               f"**{total_m - total_r}** | **{total_o}** | | |")
    by_id: dict[str, dict] = {}
    for f in folders:
        for r in f["rows"]:
            agg = by_id.setdefault(r["checkov_id"], {"policies": r["policies"], "mapped": 0,
                                                     "reproduced": 0, "iaclint_only": 0,
                                                     "unchecked": 0})
            for k in ("mapped", "reproduced", "iaclint_only", "unchecked"):
                agg[k] += r[k]
    out += ["", "| Checkov id | iaclint policy | mapped | reproduced | missed | iaclint only "
            "(of which unchecked by Checkov) |", "|---|---|---:|---:|---:|---:|"]
    for cid in sorted(by_id):
        a = by_id[cid]
        out.append(f"| {cid} | {', '.join(a['policies'])} | {a['mapped']} | {a['reproduced']} | "
                   f"{a['mapped'] - a['reproduced']} | {a['iaclint_only']} ({a['unchecked']}) |")
    for f in folders:
        if not f["missed"] and not f["iaclint_only_findings"] and not f.get("other_format_findings"):
            continue
        out += ["", f"### {f['folder']}", ""]
        for m in f["missed"]:
            out.append(f"- missed: {m['checkov_id']} ({', '.join(m['policies'])}) "
                       f"`{m['file']}:{m['line']}` {m['resource']}")
        for o in f["iaclint_only_findings"]:
            out.append(f"- iaclint only: {o['policy']} ({', '.join(o['checkov_ids'])}, Checkov "
                       f"{o['checkov']}) `{o['file']}:{o['line']}` {o['resource']}")
        others = f.get("other_format_findings") or ()
        if others:
            policies = sorted({o["policy"] for o in others})
            out.append(f"- not compared: {len(others)} findings of {', '.join(policies)} in a format "
                       "their Checkov ids do not check")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--checkov", metavar="PATH", help="the Checkov executable")
    ap.add_argument("--markdown", metavar="FILE", help="write the tables and disagreements to FILE")
    ap.add_argument("--json", metavar="FILE", help="write every count and disagreement to FILE")
    ap.add_argument("--reuse-checkov", metavar="DIR", help="read DIR/NAME.json instead of running Checkov")
    ap.add_argument("--save-checkov", metavar="DIR", help="keep Checkov's report of each folder in DIR")
    args = ap.parse_args(argv)
    if not args.checkov and not args.reuse_checkov:
        ap.error("--checkov PATH is required (or --reuse-checkov DIR)")
    folders = []
    try:
        rules, _ = run_json([sys.executable, "-m", "iaclint", "rules", "--format", "json"], ok=(0,))
        mapping = checkov_mapping(rules)
        for folder in args.folders:
            if not os.path.isdir(folder):
                raise ValueError(f"{folder}: not a directory")
            folders.append(compare_folder(folder, args.checkov, mapping, args.reuse_checkov,
                                          args.save_checkov))
            f = folders[-1]
            print(f"{f['folder']}: {f['reproduced']}/{f['mapped']} reproduced, {f['iaclint_only']} "
                  "iaclint only", file=sys.stderr)
    except (OSError, RuntimeError, ValueError) as e:
        print(f"parity.py: error: {e}", file=sys.stderr)
        return 2
    text = markdown(folders)
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"folders": folders, "mapping": mapping}, fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
