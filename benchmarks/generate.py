"""Generate a synthetic corpus of a chosen size, to measure how iaclint scales.

    python benchmarks/generate.py OUT --lines 100000 [--mix terraform=6,kubernetes=3,dockerfile=1]

The files look like real ones, because the cost of a scan depends on what is in them:
Terraform modules with variables, locals, ``count``, ``for_each``, ``dynamic`` blocks, functions,
references between resources and a local module called twice; multi-document Kubernetes
manifests with Deployments, Services and NetworkPolicies; multi-stage Dockerfiles. Some of them
break policies, as real code does. Output is deterministic for a given size and mix.
"""

from __future__ import annotations

import argparse
import os
import random
import sys

MODULE = '''variable "name" {{
  type = string
}}

variable "encrypted" {{
  type    = bool
  default = true
}}

variable "size" {{
  type    = number
  default = {size}
}}

resource "aws_ebs_volume" "this" {{
  availability_zone = "eu-west-1a"
  size              = var.size
  encrypted         = var.encrypted
  tags = {{
    Name = var.name
  }}
}}

output "id" {{
  value = aws_ebs_volume.this.id
}}
'''

TF_UNIT = '''locals {{
  name_{i}  = "svc-{i}"
  ports_{i} = [{port}, 443, 8080]
  tags_{i} = merge(var.common_tags, {{
    Service = local.name_{i}
    Index   = "{i}"
  }})
}}

resource "aws_security_group" "svc_{i}" {{
  name        = local.name_{i}
  description = "service {i}"
  vpc_id      = var.vpc_id

  dynamic "ingress" {{
    for_each = local.ports_{i}
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ingress.value == 443 ? ["0.0.0.0/0"] : [var.internal_cidr]
    }}
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = local.tags_{i}
}}

resource "aws_instance" "svc_{i}" {{
  count                  = var.replicas
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = element(var.subnet_ids, count.index)
  vpc_security_group_ids = [aws_security_group.svc_{i}.id]

  metadata_options {{
    http_tokens = "{tokens}"
  }}

  root_block_device {{
    volume_size = 20
    encrypted   = {encrypted}
  }}

  tags = merge(local.tags_{i}, {{ Name = format("%s-%d", local.name_{i}, count.index) }})
}}

resource "aws_s3_bucket" "data_{i}" {{
  bucket = "${{var.prefix}}-data-{i}"
  tags   = local.tags_{i}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_{i}" {{
  bucket = aws_s3_bucket.data_{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}

resource "aws_db_instance" "db_{i}" {{
  identifier          = "db-{i}"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  storage_encrypted   = {encrypted}
  publicly_accessible = false
  username            = "app"
  password            = var.db_password
  skip_final_snapshot = true
}}

'''

TF_VARIABLES = '''variable "vpc_id" {
  type    = string
  default = "vpc-0123456789abcdef0"
}

variable "internal_cidr" {
  type    = string
  default = "10.0.0.0/8"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-a", "subnet-b", "subnet-c"]
}

variable "replicas" {
  type    = number
  default = 2
}

variable "prefix" {
  type    = string
  default = "acme"
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "common_tags" {
  type = map(string)
  default = {
    Owner = "platform"
  }
}

module "scratch" {
  source    = "../modules/volume"
  name      = "scratch"
  encrypted = false
}

module "reports" {
  source = "../modules/volume"
  name   = "reports"
}
'''

K8S_UNIT = '''---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels:
    app: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      serviceAccountName: app-{i}
      securityContext:
        runAsNonRoot: {nonroot}
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: registry.example.com/team-{ns}/app-{i}:1.{i}.0
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: app-{i}
                  key: password
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: {privileged}
            capabilities:
              drop: ["ALL"]
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  selector:
    app: app-{i}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  podSelector:
    matchLabels:
      app: app-{i}
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - podSelector: {{}}
'''

DOCKERFILE = '''# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12
FROM python:${{PYTHON_VERSION}}-slim AS build
WORKDIR /src
RUN apt-get update \\
    && apt-get install -y --no-install-recommends build-essential curl \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt
COPY . .
RUN python -m compileall -q /src

FROM python:${{PYTHON_VERSION}}-slim
ENV PYTHONUNBUFFERED=1 \\
    APP_HOME=/app
WORKDIR /app
COPY --from=build /install /usr/local
COPY --from=build /src /app
RUN useradd --create-home --uid 10{i:03d} app
{user}
EXPOSE 8080
HEALTHCHECK CMD curl -fsS http://localhost:8080/health || exit 1
CMD ["python", "-m", "service_{i}"]
'''


def generate(out: str, lines: int, mix: dict[str, int]) -> dict[str, int]:
    rng = random.Random(lines)
    total = sum(mix.values())
    written = {"terraform": 0, "kubernetes": 0, "dockerfile": 0}
    os.makedirs(out, exist_ok=True)
    if mix.get("terraform"):
        _write(os.path.join(out, "modules", "volume", "main.tf"), MODULE.format(size=20), written, "terraform")
    budget = {k: lines * v // total for k, v in mix.items()}
    i = 0
    while any(written[k] < budget.get(k, 0) for k in written):
        env = f"env{i // 40:04d}"
        if written["terraform"] < budget.get("terraform", 0):
            directory = os.path.join(out, "terraform", env)
            path = os.path.join(directory, f"svc_{i:05d}.tf")
            if not os.path.exists(os.path.join(directory, "variables.tf")):
                _write(os.path.join(directory, "variables.tf"),
                       TF_VARIABLES.replace("../modules/volume", "../../modules/volume"), written, "terraform")
            _write(path, TF_UNIT.format(i=i, port=rng.choice([22, 3389, 5432, 6379, 9200]),
                                        tokens=rng.choice(["required", "optional"]),
                                        encrypted=rng.choice(["true", "true", "false"])), written, "terraform")
        if written["kubernetes"] < budget.get("kubernetes", 0):
            path = os.path.join(out, "kubernetes", env, f"app_{i:05d}.yaml")
            _write(path, K8S_UNIT.format(i=i, ns=i % 7, nonroot=rng.choice(["true", "true", "false"]),
                                         privileged=rng.choice(["false"] * 9 + ["true"])), written, "kubernetes")
        if written["dockerfile"] < budget.get("dockerfile", 0):
            path = os.path.join(out, "docker", f"service_{i:05d}", "Dockerfile")
            _write(path, DOCKERFILE.format(i=i % 1000, user=rng.choice(["USER app", "USER app", ""])),
                   written, "dockerfile")
        i += 1
    return written


def _write(path: str, text: str, written: dict, kind: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    written[kind] += text.count("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--mix", default="terraform=6,kubernetes=3,dockerfile=1")
    args = ap.parse_args()
    mix = {k: int(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    written = generate(args.out, args.lines, mix)
    print(f"{args.out}: {sum(written.values())} lines ({', '.join(f'{k} {v}' for k, v in written.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
