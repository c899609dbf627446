"""Catch quadratic passes: scan shapes that grow along one axis at N and 4N, and compare the times.

    python benchmarks/growth.py [--n 250] [--runs 3] [--only NAME ...]

Each shape is one thing a real repository can have many of in one place, where a policy or the
evaluator could compare everything with everything: per-app NetworkPolicies in one namespace
(also with a label every selector repeats, and written as expressions), untrusted and sensitive
workloads of one cluster, a counted resource whose instances each reference one instance of
another, secret-looking variables beside computed passwords, Redis caches and their firewall
rules, root modules with an unresolved S3 encryption configuration each. Each is generated at
N and 4N and scanned cold (``iaclint scan --no-cache --jobs 1``, the console script beside this
interpreter, best of ``--runs``). The time of an empty scan is taken off both, and the ratio of
what is left is printed: about 4 when the scan grows linearly, 16 when it grows with the square.
A ratio above 6 is reported as superlinear and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import _run, command  # noqa: E402

LIMIT = 6.0


def _deployment(i: int, labels: dict, namespace: str = "apps", spec: str = "") -> str:
    lab = "".join(f"\n        {k}: {v}" for k, v in labels.items())
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app{i}
  namespace: {namespace}
spec:
  selector:
    matchLabels:
      app: app{i}
  template:
    metadata:
      labels:{lab}
    spec:{spec}
      containers:
        - name: c
          image: registry.example.com/app{i}:1.0
"""


def _network_policy(i: int, selector: str) -> str:
    return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np{i}
  namespace: apps
spec:
  podSelector:{selector}
  policyTypes: [Ingress]
"""


def _manifests(docs: list[str]) -> dict[str, str]:
    return {"all.yaml": "".join(docs)}


def netpol_per_app(n: int) -> dict[str, str]:
    docs = [_deployment(i, {"app": f"app{i}"}) for i in range(n)]
    return _manifests(docs + [_network_policy(i, f"\n    matchLabels: {{app: app{i}}}") for i in range(n)])


def netpol_shared_label(n: int) -> dict[str, str]:
    release = "app.kubernetes.io/instance"
    docs = [_deployment(i, {release: "shop", "app": f"app{i}"}) for i in range(n)]
    return _manifests(docs + [_network_policy(i, f"\n    matchLabels: {{{release}: shop, app: other{i}}}")
                              for i in range(n)])


def netpol_expressions(n: int) -> dict[str, str]:
    docs = [_deployment(i, {"app": f"app{i}"}) for i in range(n)]
    return _manifests(docs + [_network_policy(
        i, f"\n    matchExpressions:\n      - {{key: app, operator: In, values: [app{i}]}}") for i in range(n)])


def untrusted_and_sensitive(n: int) -> dict[str, str]:
    docs = [_deployment(i, {"app": f"u{i}", "iaclint.io/trust": "untrusted"}) for i in range(n)]
    return _manifests(docs + [_deployment(n + i, {"app": f"s{i}", "iaclint.io/trust": "sensitive"})
                              for i in range(n)])


def untrusted_on_own_nodes(n: int) -> dict[str, str]:
    apart = """
      nodeSelector: {pool: untrusted}
      tolerations: [{key: dedicated, operator: Equal, value: untrusted, effect: NoSchedule}]"""
    docs = [_deployment(i, {"app": f"u{i}", "iaclint.io/trust": "untrusted"}, spec=apart) for i in range(n)]
    return _manifests(docs + [_deployment(n + i, {"app": f"s{i}", "iaclint.io/trust": "sensitive"})
                              for i in range(n)])


def counted_references(n: int) -> dict[str, str]:
    return {"main.tf": f'''
resource "aws_db_parameter_group" "pg" {{
  count  = {n}
  name   = "pg-${{count.index}}"
  family = "postgres14"
}}

resource "aws_db_instance" "db" {{
  count                = {n}
  engine               = "postgres"
  engine_version       = "14.1"
  instance_class       = "db.t3.micro"
  parameter_group_name = aws_db_parameter_group.pg[count.index].name
}}
'''}


def secrets_and_computed_passwords(n: int) -> dict[str, str]:
    return {"main.tf": "".join(f'''
variable "db{i}_password" {{
  default = "Xv{i:05d}q!Rz8#pLw2TkN"
}}

locals {{
  pw{i} = "Lc{i:05d}m!Hq3#zVb7YuE"
}}

resource "postgresql_role" "r{i}" {{
  name     = "r{i}"
  login    = true
  password = local.pw{i}
}}
''' for i in range(n))}


def redis_rules(n: int, literal: bool = False) -> dict[str, str]:
    return {"main.tf": "".join(f'''
resource "azurerm_redis_cache" "c{i}" {{
  name                = "cache{i}"
  location            = "westeurope"
  resource_group_name = "rg"
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
}}

resource "azurerm_redis_firewall_rule" "r{i}" {{
  name                = "r{i}"
  redis_cache_name    = {f'"cache{i}"' if literal else f"azurerm_redis_cache.c{i}.name"}
  resource_group_name = "rg"
  start_ip            = "10.0.0.1"
  end_ip              = "10.0.0.2"
}}
''' for i in range(n))}


def redis_rules_by_name(n: int) -> dict[str, str]:
    return redis_rules(n, literal=True)


def s3_roots(n: int) -> dict[str, str]:
    return {f"r{i}/main.tf": f'''
variable "bucket" {{}}

resource "aws_s3_bucket" "b" {{
  bucket = "bucket-{i}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "e" {{
  bucket = var.bucket
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "AES256"
    }}
  }}
}}
''' for i in range(n)}


SHAPES = {f.__name__: f for f in (
    netpol_per_app, netpol_shared_label, netpol_expressions, untrusted_and_sensitive, untrusted_on_own_nodes,
    counted_references, secrets_and_computed_passwords, redis_rules, redis_rules_by_name, s3_roots)}


def write(folder: str, files: dict[str, str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for name, text in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def best(folder: str, runs: int) -> float:
    """The shortest wall time of ``runs`` cold scans of ``folder`` (s)."""
    scan = command() + ["scan", "--no-cache", "--jobs", "1", "-f", "json", folder]
    return min(_run(scan, None)[0] for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=250, help="the smaller size (default 250); the larger is 4x")
    parser.add_argument("--runs", type=int, default=3, help="scans per size, the fastest kept (default 3)")
    parser.add_argument("--only", nargs="*", choices=sorted(SHAPES), help="shapes to run (default: all)")
    args = parser.parse_args()
    failed = []
    with tempfile.TemporaryDirectory(prefix="iaclint-growth-") as tmp:
        os.makedirs(os.path.join(tmp, "empty"))
        base = best(os.path.join(tmp, "empty"), args.runs)
        print(f"empty scan: {base:.2f} s; sizes {args.n} and {4 * args.n}\n")
        print("| shape | N s | 4N s | growth |")
        print("|---|---|---|---|")
        for name in args.only or SHAPES:
            times = []
            for n in (args.n, 4 * args.n):
                folder = os.path.join(tmp, f"{name}-{n}")
                write(folder, SHAPES[name](n))
                times.append(best(folder, args.runs))
                shutil.rmtree(folder)
            growth = max(times[1] - base, 0.0) / max(times[0] - base, 1e-3)
            mark = " superlinear" if growth > LIMIT else ""
            if mark:
                failed.append(name)
            print(f"| {name} | {times[0]:.2f} | {times[1]:.2f} | {growth:.1f}{mark} |", flush=True)
    if failed:
        print(f"\ngrowing faster than linearly: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
