"""benchmarks/parity.py: identities, matching and counting, on small hand-made reports."""

import json

import pytest

from benchmarks import parity


# -- identities --------------------------------------------------------------------------------
@pytest.mark.parametrize("address, expected", [
    ("aws_s3_bucket.logs", "aws_s3_bucket.logs"),
    ("aws_s3_bucket.logs[0]", "aws_s3_bucket.logs"),
    ('aws_s3_bucket.logs["a.b"]', "aws_s3_bucket.logs"),
    ('aws_s3_bucket.logs["x]y"]', "aws_s3_bucket.logs"),
    ('aws_s3_bucket.logs["say \\"hi\\"."]', "aws_s3_bucket.logs"),
    ("module.vpc.aws_vpc.this[0]", "aws_vpc.this"),
    ('module.a["k.1"].module.b[2].aws_subnet.private["eu-west-1a"]', "aws_subnet.private"),
    ("data.aws_iam_policy_document.assume", "data.aws_iam_policy_document.assume"),
    ("module.x.data.aws_ami.ubuntu", "data.aws_ami.ubuntu"),
    ("provider.aws", "provider.aws.default"),
    ("provider.aws.east", "provider.aws.east"),
])
def test_terraform_identity(address, expected):
    assert parity.terraform_identity(address) == expected


def test_kubernetes_identities_agree():
    assert parity.kubernetes_identity_checkov("Deployment.prod.web.v2") == ("Deployment", "prod", "web.v2")
    assert parity.kubernetes_identity_iaclint("Deployment/prod/web.v2") == ("Deployment", "prod", "web.v2")
    # no namespace written: both tools mean "default"
    assert parity.kubernetes_identity_iaclint("Job/batch") == ("Job", "default", "batch")
    assert parity.kubernetes_identity_checkov("Job.default.batch") == ("Job", "default", "batch")


def test_stages():
    starts = [3, 10, 20]            # FROM lines; line 1-2 are global ARGs
    assert parity.stage_at(starts, 1) == 0
    assert parity.stage_at(starts, 9) == 0
    assert parity.stage_at(starts, 10) == 1
    assert parity.stage_at(starts, 99) == 2
    assert parity.stages_overlapping(starts, 1, 25) == frozenset({0, 1, 2})
    assert parity.stages_overlapping(starts, 12, 12) == frozenset({1})


# -- reports -----------------------------------------------------------------------------------
def _ck(check_id, file, resource, lines, check_class="checkov.terraform.checks.resource.aws.X"):
    return {"check_id": check_id, "file_path": file, "resource": resource, "file_line_range": lines,
            "check_class": check_class}


CHECKOV = [
    {"check_type": "terraform", "results": {
        "failed_checks": [
            _ck("CKV_AWS_3", "/ebs.tf", "aws_ebs_volume.a", [1, 5]),
            _ck("CKV_AWS_3", "/ebs.tf", "aws_ebs_volume.b", [7, 9]),
            # the same resource block, two instances: one failure
            _ck("CKV_AWS_3", "/modules/disk/main.tf", "module.disk.aws_ebs_volume.this[0]", [1, 4]),
            _ck("CKV_AWS_3", "/modules/disk/main.tf", "module.disk.aws_ebs_volume.this[1]", [1, 4]),
            _ck("CKV_AWS_41", "/providers.tf", "aws.keys", [1, 4],
                "checkov.terraform.checks.provider.aws.credentials"),
            _ck("CKV_AWS_999", "/ebs.tf", "aws_ebs_volume.a", [1, 5]),      # mapped to nothing
        ],
        "passed_checks": [
            _ck("CKV_AWS_3", "/ebs.tf", "aws_ebs_volume.c", [11, 14]),
        ]}},
    {"check_type": "kubernetes", "results": {
        "failed_checks": [
            _ck("CKV_K8S_16", "/app.yaml", "Deployment.default.web", [1, 30]),
            # a graph check sees the pod template as a Pod with the workload's line range
            _ck("CKV2_K8S_6", "/app.yaml", "Pod.default.web.app-web", [1, 30]),
        ],
        "passed_checks": [
            _ck("CKV_K8S_20", "/app.yaml", "Deployment.default.web", [1, 30]),
        ]}},
    {"check_type": "dockerfile", "results": {
        "failed_checks": [
            # "no USER": the whole file, so every stage
            _ck("CKV_DOCKER_3", "/Dockerfile", "/Dockerfile.", [1, 12]),
            _ck("CKV_DOCKER_7", "/Dockerfile", "/Dockerfile.FROM", [1, 1]),
        ],
        "passed_checks": []}},
]

IACLINT = {"findings": [
    {"id": "IAC-ENC-001", "path": "ebs.tf", "line": 1, "address": "aws_ebs_volume.a"},
    {"id": "IAC-ENC-001", "path": "ebs.tf", "line": 11, "address": "aws_ebs_volume.c"},
    {"id": "IAC-ENC-001", "path": "modules/disk/main.tf", "line": 1,
     "address": 'module.disk["x"].aws_ebs_volume.this[0]'},
    {"id": "IAC-SEC-001", "path": "providers.tf", "line": 3, "address": "provider.aws.keys"},
    {"id": "IAC-ISO-001", "path": "app.yaml", "line": 20, "address": "Deployment/web"},
    {"id": "IAC-ISO-002", "path": "app.yaml", "line": 21, "address": "Deployment/web"},
    {"id": "IAC-NET-027", "path": "app.yaml", "line": 1, "address": "Deployment/web"},
    {"id": "IAC-ISO-005", "path": "Dockerfile", "line": 8, "address": "stage.final"},
    {"id": "IAC-ISO-008", "path": "other.yaml", "line": 4, "address": "Pod/ns/debug"},
    {"id": "IAC-NET-001", "path": "sg.tf", "line": 4, "address": "aws_security_group.x"},  # unmapped id
    # a policy for Dockerfiles and Kubernetes whose only Checkov id is a Kubernetes check
    {"id": "IAC-SUP-005", "path": "Dockerfile", "line": 2, "address": "stage[0]"},
]}

RULES = [
    {"id": "IAC-ENC-001", "equivalents": {"checkov": ["CKV_AWS_3"], "trivy": ["AVD-AWS-0026"]}},
    {"id": "IAC-SEC-001", "equivalents": {"checkov": ["CKV_AWS_41"]}},
    {"id": "IAC-ISO-001", "equivalents": {"checkov": ["CKV_K8S_16"]}},
    {"id": "IAC-ISO-002", "equivalents": {"checkov": ["CKV_K8S_20"]}},
    {"id": "IAC-ISO-005", "equivalents": {"checkov": ["CKV_DOCKER_3", "CKV_DOCKER_8"]}},
    {"id": "IAC-ISO-008", "equivalents": {"checkov": ["CKV_K8S_25", "CKV_K8S_39"]}},
    {"id": "IAC-NET-027", "equivalents": {"checkov": ["CKV2_K8S_6"]}},
    {"id": "IAC-SUP-001", "equivalents": {"checkov": ["CKV_DOCKER_7"]}},
    {"id": "IAC-NET-001", "equivalents": {}},
    {"id": "IAC-SUP-005", "equivalents": {"checkov": ["CKV_K8S_43"]}},
]

# Dockerfile: an ARG on line 1, stages from line 2 and line 7
STAGES = {"Dockerfile": [2, 7]}


def _compare():
    mapping = parity.checkov_mapping(RULES)
    stages_of = STAGES.get
    ck = parity.checkov_records(json.loads(json.dumps(CHECKOV)), stages_of, set(mapping))
    ic = parity.iaclint_records(IACLINT, stages_of, {p for ps in mapping.values() for p in ps})
    return parity.compare(ck, ic, mapping)


def test_mapping_lists_every_policy_of_an_id():
    mapping = parity.checkov_mapping(RULES + [{"id": "IAC-X-1", "equivalents": {"checkov": ["CKV_AWS_3"]}}])
    assert mapping["CKV_AWS_3"] == ["IAC-ENC-001", "IAC-X-1"]
    assert "AVD-AWS-0026" not in mapping


def test_checkov_records_are_filtered_and_normalised():
    mapping = parity.checkov_mapping(RULES)
    recs = parity.checkov_records(CHECKOV, STAGES.get, set(mapping))
    assert not any(r.check == "CKV_AWS_999" for r in recs)
    keys = {(r.check, r.result, r.file, r.ident) for r in recs}
    assert ("CKV_AWS_3", "failed", "modules/disk/main.tf", "aws_ebs_volume.this") in keys
    assert ("CKV_AWS_41", "failed", "providers.tf", "provider.aws.keys") in keys
    # the graph check's Pod is the Deployment it was made from
    assert ("CKV2_K8S_6", "failed", "app.yaml", ("Deployment", "default", "web")) in keys
    assert ("CKV_DOCKER_3", "failed", "Dockerfile", frozenset({0, 1})) in keys
    assert ("CKV_DOCKER_7", "failed", "Dockerfile", frozenset({0})) in keys


def test_checkov_summary_without_results_and_bad_input():
    assert parity.checkov_records({"passed": 0, "failed": 0}, STAGES.get) == []
    with pytest.raises(ValueError):
        parity.checkov_records("not a report", STAGES.get)


def test_counts_per_checkov_id():
    result = _compare()
    rows = {cid: (r.mapped, r.reproduced, r.missed, r.iaclint_only, r.unchecked)
            for cid, r in result.rows.items()}
    assert rows["CKV_AWS_3"] == (3, 2, 1, 1, 0)     # b missed; c flagged by iaclint, Checkov passed
    assert rows["CKV_AWS_41"] == (1, 1, 0, 0, 0)
    assert rows["CKV_K8S_16"] == (1, 1, 0, 0, 0)
    assert rows["CKV2_K8S_6"] == (1, 1, 0, 0, 0)
    assert rows["CKV_DOCKER_3"] == (1, 1, 0, 0, 0)  # the finding is in the last stage, covered
    assert rows["CKV_DOCKER_7"] == (1, 0, 1, 0, 0)  # no base-image finding at all
    assert rows["CKV_K8S_20"] == (0, 0, 0, 1, 0)    # Checkov passed it where iaclint flags it
    # a resource Checkov never checked with either id: counted under both, once in the totals
    assert rows["CKV_K8S_25"] == (0, 0, 0, 1, 1)
    assert rows["CKV_K8S_39"] == (0, 0, 0, 1, 1)
    assert result.mapped == 8 and result.reproduced == 6
    assert len(result.iaclint_only) == 3
    assert {m["resource"] for m in result.missed} == {"aws_ebs_volume.b", "/Dockerfile.FROM"}
    assert "CKV_K8S_43" not in result.rows
    assert result.other_format == [{"policy": "IAC-SUP-005", "checkov_ids": ["CKV_K8S_43"],
                                    "file": "Dockerfile", "line": 2, "resource": "stage[0]"}]
    unchecked = [o for o in result.iaclint_only if o["checkov"] == "unchecked"]
    assert unchecked == [{"policy": "IAC-ISO-008", "checkov_ids": ["CKV_K8S_25", "CKV_K8S_39"],
                          "checkov": "unchecked", "file": "other.yaml", "line": 4,
                          "resource": "Pod/ns/debug"}]


def test_same_resource_needs_the_same_file_and_kind():
    a = parity.Record("X", "failed", "terraform", "a.tf", "aws_s3_bucket.b")
    assert parity.same_resource(a, parity.Record("P", "finding", "terraform", "a.tf", "aws_s3_bucket.b"))
    assert not parity.same_resource(a, parity.Record("P", "finding", "terraform", "b.tf", "aws_s3_bucket.b"))
    assert not parity.same_resource(a, parity.Record("P", "finding", "terraform", "a.tf", "aws_s3_bucket.c"))
    d = parity.Record("X", "failed", "dockerfile", "Dockerfile", frozenset({1}))
    other_stage = parity.Record("P", "finding", "dockerfile", "Dockerfile", frozenset({0}))
    assert not parity.same_resource(d, other_stage)


def test_markdown_has_totals_and_every_disagreement():
    result = _compare()
    folder = {"folder": "sample", "checkov_seconds": {"wall": 2.0, "cpu": 1.5},
              "iaclint_seconds": {"wall": 0.5, "cpu": 0.4}, "iaclint_errors": 0,
              "mapped": result.mapped, "reproduced": result.reproduced,
              "iaclint_only": len(result.iaclint_only),
              "rows": [vars(r) | {"missed": r.missed} for r in result.rows.values()],
              "missed": result.missed, "iaclint_only_findings": result.iaclint_only,
              "other_format_findings": result.other_format}
    text = parity.markdown([folder])
    assert "| sample | 8 | 6 | 75.0% | 2 | 3 | 2.0 (1.5) | 0.5 (0.4) |" in text
    assert "| **overall** | **8** | **6** | **75.0%** |" in text
    assert "missed: CKV_DOCKER_7 (IAC-SUP-001) `Dockerfile:1`" in text
    assert "iaclint only: IAC-ISO-002 (CKV_K8S_20, Checkov passed) `app.yaml:21`" in text
    assert "not compared: 1 findings of IAC-SUP-005" in text


def test_checkov_kind():
    assert parity.checkov_kind("CKV_K8S_43") == parity.checkov_kind("CKV2_K8S_6") == "kubernetes"
    assert parity.checkov_kind("CKV2_DOCKER_1") == parity.checkov_kind("CKV_DOCKER_3") == "dockerfile"
    assert parity.checkov_kind("CKV_AWS_8") == parity.checkov_kind("CKV2_AZURE_37") == "terraform"
