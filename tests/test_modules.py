"""Local modules, references between resources, try/can, and inputs from the command line."""

import json
import os

import pytest

from iaclint.engine import ScanOptions, scan
from iaclint.model import Unknown
from iaclint.project import Project


def write(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def resources(root, **options):
    """All Terraform resources of a scan of ``root`` (policies off: nothing selected matters)."""
    from iaclint import engine
    captured = []
    original = engine._Runner.run

    def run(self, policies, res):
        captured.extend(res)
        return original(self, policies, res)

    engine._Runner.run = run
    wanted, engine._wanted_types = engine._wanted_types, lambda policies: None  # every type, not only checked ones
    try:
        cwd = os.getcwd()
        os.chdir(root)
        try:
            result = scan(["."], options=ScanOptions(**options))
        finally:
            os.chdir(cwd)
    finally:
        engine._Runner.run = original
        engine._wanted_types = wanted
    return {r.address: r for r in captured if r.source == "terraform"}, result


MODULE = {
    "modules/vol/main.tf": '''
variable "encrypted" {
  type    = bool
  default = true
}
variable "size" {}
resource "aws_ebs_volume" "this" {
  availability_zone = "a"
  size              = var.size
  encrypted         = var.encrypted
}
output "size" { value = aws_ebs_volume.this.size }
output "id" { value = aws_ebs_volume.this.id }
''',
}


def test_local_module_is_evaluated_once_per_call_with_its_arguments(tmp_path):
    write(tmp_path, {**MODULE, "live/main.tf": '''
module "a" {
  source    = "../modules/vol"
  size      = 1
  encrypted = "false"
}
module "b" {
  source = "../modules/vol"
  size   = 2
}
module "many" {
  source   = "../modules/vol"
  for_each = { x = 3, y = 4 }
  size     = each.value
}
resource "aws_ebs_volume" "sum" {
  availability_zone = "a"
  size              = module.a.size + module.b.size + module.many["y"].size
  encrypted         = module.b.id
}
'''})
    res, result = resources(tmp_path)
    assert res["module.a.aws_ebs_volume.this"].attributes["encrypted"] is False  # "false" -> bool by type
    assert res["module.b.aws_ebs_volume.this"].attributes["encrypted"] is True
    assert res['module.many["x"].aws_ebs_volume.this'].attributes["size"] == 3
    assert res["module.a.aws_ebs_volume.this"].file == "modules/vol/main.tf"
    assert res["module.a.aws_ebs_volume.this"].meta["call_path"] == "module.a"
    assert res["aws_ebs_volume.sum"].attributes["size"] == 7
    assert isinstance(res["aws_ebs_volume.sum"].attributes["encrypted"], Unknown)  # an id: known after apply
    # the module directory is not also evaluated as a root of its own
    assert "aws_ebs_volume.this" not in res
    # a variable declaration is reported once, not once per call
    assert sum(1 for a in res if a.endswith("var.encrypted")) == 1
    assert not result.errors


def test_top_level_module_called_by_its_examples_is_not_a_root(tmp_path):
    # a module repository: its examples call the top directory as "../.."; like any other called
    # directory it is evaluated with each call's arguments, not also once more with its defaults
    write(tmp_path, {
        "main.tf": 'variable "size" {}\nresource "aws_ebs_volume" "this" {\n  size = var.size\n}\n',
        "examples/small/main.tf": 'module "m" {\n  source = "../.."\n  size   = 1\n}\n',
    })
    res, result = resources(tmp_path)
    assert res["module.m.aws_ebs_volume.this"].attributes["size"] == 1
    assert "aws_ebs_volume.this" not in res
    assert not result.errors


def test_finding_in_a_module_names_the_call_path(tmp_path):
    write(tmp_path, {**MODULE, "live/main.tf": '''
module "reports" {
  source    = "../modules/vol"
  size      = 1
  encrypted = false
}
'''})
    _, result = resources(tmp_path)
    [finding] = [f for f in result.findings if f.policy_id == "IAC-ENC-001"]
    assert finding.location.path == "modules/vol/main.tf"
    assert "module.reports" in finding.message


def test_module_outside_the_tree_or_remote_is_unknown(tmp_path):
    write(tmp_path, {"main.tf": '''
module "remote" {
  source = "terraform-aws-modules/vpc/aws"
}
module "outside" {
  source = "../../elsewhere"
}
resource "aws_ebs_volume" "v" {
  availability_zone = module.remote.azs
  size              = module.outside.size
}
'''})
    res, result = resources(tmp_path)
    v = res["aws_ebs_volume.v"].attributes
    assert "not downloaded" in v["availability_zone"].reason
    assert "outside the scanned tree" in v["size"].reason
    assert not result.errors


def test_downloaded_remote_module_is_used_from_modules_json(tmp_path):
    write(tmp_path, {
        "main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  cidr = "10.0.0.0/16"\n}\n',
        ".terraform/modules/vpc/main.tf": 'variable "cidr" {}\noutput "cidr" { value = var.cidr }\n'
                                          'resource "aws_vpc" "this" { cidr_block = var.cidr }\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws", "Dir": ".terraform/modules/vpc"}]}),
    })
    res, _ = resources(tmp_path)
    assert res["module.vpc.aws_vpc.this"].attributes["cidr_block"] == "10.0.0.0/16"


def test_module_that_calls_itself_is_a_located_error_not_a_hang(tmp_path):
    write(tmp_path, {"a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
                     "b/main.tf": 'module "a" {\n  source = "../a"\n}\nresource "aws_ebs_volume" "v" {\n  size = 1\n}\n'})
    res, result = resources(tmp_path)
    assert any(d.code == "tf-module-cycle" for d in result.diagnostics)
    assert any(a.endswith("aws_ebs_volume.v") for a in res)


def test_try_and_can_tell_errors_from_unknown_values(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "cfg" {
  default = { a = 1 }
}
variable "unset" {}
resource "x" "y" {
  first   = try(var.cfg.missing, var.cfg.a, 9)
  nothing = try(var.cfg.missing, "fallback")
  waits   = try(var.unset.a, "fallback")
  ok      = can(var.cfg.a)
  bad     = can(var.cfg.nope)
  unknown = can(var.unset.x)
}
'''})
    res, _ = resources(tmp_path)
    a = res["x.y"].attributes
    assert a["first"] == 1 and a["nothing"] == "fallback"
    assert isinstance(a["waits"], Unknown) and isinstance(a["unknown"], Unknown)
    assert a["ok"] is True and a["bad"] is False


REFS = '''
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket" "other" {
  bucket = "other"
}
locals {
  target = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {
  bucket = local.target
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
resource "aws_security_group" "web" {
  name = "web"
}
resource "aws_instance" "app" {
  count                  = 2
  vpc_security_group_ids = [aws_security_group.web.id]
  subnet_id              = "subnet-1"
}
'''


def test_references_resolve_both_ways_through_locals(tmp_path):
    write(tmp_path, {"main.tf": REFS})
    res, _ = resources(tmp_path)
    project = Project(res.values())
    sse = res["aws_s3_bucket_server_side_encryption_configuration.sse"]
    assert [r.address for r in project.references(sse, "aws_s3_bucket", via="bucket")] == ["aws_s3_bucket.logs"]
    assert project.referrers(res["aws_s3_bucket.logs"], sse.type, via="bucket") == [sse]
    assert project.referrers(res["aws_s3_bucket.other"], sse.type) == []
    assert project.referrers(res["aws_s3_bucket.logs"], sse.type, via="rule") == []
    users = project.referrers(res["aws_security_group.web"], "aws_instance", via="vpc_security_group_ids")
    assert sorted(r.address for r in users) == ["aws_instance.app[0]", "aws_instance.app[1]"]


def test_var_file_and_var_override_in_terraform_order(tmp_path):
    write(tmp_path, {
        "main.tf": 'variable "a" { default = "default" }\nvariable "b" { default = "default" }\n'
                   'variable "c" {\n  type = bool\n  default = true\n}\nvariable "d" { default = [] }\n'
                   'resource "x" "y" {\n  a = var.a\n  b = var.b\n  c = var.c\n  d = var.d\n}\n',
        "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\n',
    })
    extra = tmp_path / "prod.tfvars"
    extra.write_text('a = "var-file"\nb = "var-file"\n')
    res, _ = resources(tmp_path, variables=[("file", str(extra)), ("var", "b=cli"), ("var", "c=false"),
                                            ("var", 'd=["x", "y"]')])
    a = res["x.y"].attributes
    assert (a["a"], a["b"], a["c"], a["d"]) == ("var-file", "cli", False, ["x", "y"])
    # the command line's order decides between --var and --var-file, as for terraform
    res, _ = resources(tmp_path, variables=[("var", "b=cli"), ("file", str(extra))])
    assert res["x.y"].attributes["b"] == "var-file"


def test_bad_var_file_is_a_located_error(tmp_path):
    write(tmp_path, {"mod/main.tf": 'variable "a" {}\n'})
    bad = tmp_path / "bad.tfvars"  # outside the scanned folder
    bad.write_text('a = "unterminated\n')
    _, result = resources(tmp_path / "mod", variables=[("file", str(bad))])
    [error] = [d for d in result.diagnostics if d.level == "error"]
    assert error.path == str(bad) and error.span.line == 1 and error.code == "parse-error"


def _plan(resources, changes=None, config=None):
    return json.dumps({
        "format_version": "1.2", "terraform_version": "1.6.6",
        "planned_values": {"root_module": {"resources": resources[:1], "child_modules": [
            {"address": "module.m", "resources": resources[1:]}]}},
        "resource_changes": changes or [],
        "configuration": config or {},
    }, indent=2)


def test_plan_json_alone_locates_findings_at_the_address_line(tmp_path):
    vol = {"address": "aws_ebs_volume.v", "mode": "managed", "type": "aws_ebs_volume", "name": "v",
           "values": {"size": 1, "encrypted": False}}
    inner = {"address": "module.m.aws_ebs_volume.w", "mode": "managed", "type": "aws_ebs_volume", "name": "w",
             "values": {"size": 1}}
    changes = [{"address": "module.m.aws_ebs_volume.w", "change": {"after_unknown": {"encrypted": True}}}]
    text = _plan([vol, inner], changes)
    write(tmp_path, {"out/plan.json": text})
    res, result = resources(tmp_path)
    assert res["aws_ebs_volume.v"].attributes["encrypted"] is False
    assert isinstance(res["module.m.aws_ebs_volume.w"].attributes["encrypted"], Unknown)
    assert res["module.m.aws_ebs_volume.w"].meta["call_path"] == "module.m"
    [finding] = [f for f in result.findings if f.policy_id == "IAC-ENC-001"]
    expected_line = text.splitlines().index('          "address": "aws_ebs_volume.v",') + 1
    assert (finding.location.path, finding.location.span.line) == ("out/plan.json", expected_line)


def test_a_value_that_is_one_instances_attribute_refers_to_that_instance_alone(tmp_path):
    # element(b[*].id, 1) reads every bucket's id on the way, but its value is b[1]'s: the SSE
    # configuration encrypts b[1] only, and b[2] still has none
    sse = ('resource "aws_s3_bucket_server_side_encryption_configuration" "%s" {\n  bucket = %s\n'
           '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n'
           '    }\n  }\n}\n')
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  count  = 3\n  bucket = "b-${count.index}"\n}\n'
                     + sse % ("first", "aws_s3_bucket.b[0].id")
                     + sse % ("second", "element(aws_s3_bucket.b[*].id, 1)")
                     + sse % ("all", "join(\",\", aws_s3_bucket.b[*].id)")})
    res, _ = resources(tmp_path)
    project = Project(res.values())

    def targets(name):
        sse = res[f"aws_s3_bucket_server_side_encryption_configuration.{name}"]
        return sorted(r.address for r in project.references(sse, "aws_s3_bucket", via="bucket"))

    assert targets("first") == ["aws_s3_bucket.b[0]"]
    assert targets("second") == ["aws_s3_bucket.b[1]"]
    assert targets("all") == ["aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]", "aws_s3_bucket.b[2]"]  # not one value


def test_plan_references_come_from_its_configuration(tmp_path):
    bucket = {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
              "values": {"bucket": "b"}}
    sse = {"address": "module.m.aws_s3_bucket_server_side_encryption_configuration.s", "mode": "managed",
           "type": "aws_s3_bucket_server_side_encryption_configuration", "name": "s", "values": {"rule": []}}
    config = {"root_module": {
        "resources": [{"address": "aws_s3_bucket.b", "expressions": {"bucket": {"constant_value": "b"}}}],
        "module_calls": {"m": {"module": {"resources": [
            {"address": "aws_s3_bucket_server_side_encryption_configuration.s",
             "expressions": {"bucket": {"references": ["var.bucket"]},
                             "rule": [{"apply_server_side_encryption_by_default": [
                                 {"kms_master_key_id": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]}}]}]}}]}}}}}
    write(tmp_path, {"plan.json": _plan([bucket, sse], config=config)})
    res, _ = resources(tmp_path)
    s = res["module.m.aws_s3_bucket_server_side_encryption_configuration.s"]
    assert s.meta["refs"] == {("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id"):
                              frozenset({"module.m.aws_kms_key.k"})}


def test_broken_plan_is_a_located_error_and_other_files_still_scan(tmp_path):
    write(tmp_path, {"plan.json": '{"format_version": "1.2", "terraform_version": "1.6.6", "planned_values": [}',
                     "main.tf": 'resource "aws_ebs_volume" "v" {\n  size = 1\n}\n'})
    res, result = resources(tmp_path)
    [error] = [d for d in result.diagnostics if d.level == "error"]
    assert error.path == "plan.json" and error.span.line == 1 and error.span.column > 1
    assert "aws_ebs_volume.v" in res


def test_object_variables_take_their_optional_defaults_as_terraform_does(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "enc" {
  type = object({
    provider_key_arn = optional(string)
    resources        = optional(list(string), ["secrets"])
    enabled          = optional(bool, true)
  })
  default = { enabled = "false" }
}
variable "groups" {
  type    = map(object({ size = optional(number, 2), name = string }))
  default = { a = { name = "x" } }
}
variable "later" {}
resource "x" "y" {
  resources = var.enc.resources
  key       = var.enc.provider_key_arn
  enabled   = var.enc.enabled
  size      = var.groups["a"].size
  known     = { a = var.later } != null
}
'''})
    res, _ = resources(tmp_path)
    a = res["x.y"].attributes
    assert a["resources"] == ["secrets"] and a["key"] is None and a["enabled"] is False
    assert a["size"] == 2
    assert a["known"] is True  # an object with unknown parts is still known not to be null


def test_jsonencode_of_partly_unknown_values_keeps_its_structure(tmp_path):
    import pickle
    from iaclint.model import Encoded, UnknownValue, decoded
    write(tmp_path, {"main.tf": '''
resource "aws_ecr_repository" "r" {
  name = "agent"
}
resource "x" "y" {
  doc  = jsonencode([{ image = aws_ecr_repository.r.repository_url, privileged = true }])
  text = jsonencode({ a = 1 })
}
'''})
    res, _ = resources(tmp_path)
    doc = res["x.y"].attributes["doc"]
    assert isinstance(doc, Encoded)  # the text is unknown ...
    with pytest.raises(UnknownValue):
        doc.startswith("[")
    value = decoded(doc)  # ... its structure is not
    assert value[0]["privileged"] is True and isinstance(value[0]["image"], Unknown)
    assert decoded(res["x.y"].attributes["text"]) == {"a": 1}
    assert isinstance(pickle.loads(pickle.dumps(doc)), Encoded)  # survives the parse cache


def test_a_reference_evaluates_only_what_it_reads_of_a_type_no_policy_checks(tmp_path):
    """A resource of a type no selected policy reads is not built: reading ``.result`` (set by
    the provider) evaluates none of its arguments, reading ``.length`` evaluates that one."""
    from iaclint.engine import ScanOptions, _build, _collect
    from iaclint.config import Config
    write(tmp_path, {"main.tf": '''
resource "random_password" "db" {
  length  = 20
  special = length([for i in range(1000) : [for j in range(1000) : j]])
}
resource "not_referenced" "x" {
  a = 1
}
resource "aws_db_instance" "db" {
  password = random_password.db.result
  port     = random_password.db.length
}
'''})
    read = _collect([str(tmp_path)], Config(), ScanOptions())
    loaded = _build(read, ScanOptions(), wanted={"aws_db_instance"})
    by = {r.address: r for r in loaded.resources}
    assert set(by) == {"aws_db_instance.db"}
    db = by["aws_db_instance.db"]
    assert isinstance(db.attributes["password"], Unknown) and db.attributes["port"] == 20
    assert db.meta["refs"] == {("password",): frozenset({"random_password.db"}),
                               ("port",): frozenset({"random_password.db"})}
    assert not [d for d in loaded.diagnostics if d.code == "tf-limit"]  # `special` never evaluated
    # with every type built, the same values, and the index answers about the password resource
    everything = _build(_collect([str(tmp_path)], Config(), ScanOptions()), ScanOptions(), wanted=None)
    by = {r.address: r for r in everything.resources}
    assert {"random_password.db", "not_referenced.x", "aws_db_instance.db"} <= set(by)
    assert by["aws_db_instance.db"].attributes["port"] == 20
    assert Project(everything.resources).references(by["aws_db_instance.db"]) == [by["random_password.db"]]
    # built, `special` is still evaluated only when read: its limit is reported then
    assert not [d for d in everything.diagnostics if d.code == "tf-limit"]
    assert isinstance(by["random_password.db"].attributes["special"], Unknown)
    assert [d for d in everything.diagnostics if d.code == "tf-limit"]


def test_a_referenced_resource_read_whole_or_by_nested_block_is_built_complete(tmp_path):
    # x.y is evaluated first and reads the buckets before they are built
    write(tmp_path, {"main.tf": '''
resource "x" "y" {
  names     = [for b in aws_s3_bucket.b : b.bucket]
  whole     = jsonencode(aws_s3_bucket.b[1])
  versioned = aws_s3_bucket.b[0].versioning[0].enabled
  ids       = aws_s3_bucket.b[*].id
  loop      = x.y.names
}
resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "logs-${count.index}"
  versioning {
    enabled = count.index == 0
  }
}
'''})
    res, _ = resources(tmp_path)
    y = res["x.y"].attributes
    assert y["names"] == ["logs-0", "logs-1"]
    assert json.loads(y["whole"]) == {"count": 2, "bucket": "logs-1", "versioning": [{"enabled": False}]}
    assert y["versioned"] is True
    assert all(isinstance(i, Unknown) for i in y["ids"]) and len(y["ids"]) == 2
    assert isinstance(y["loop"], Unknown) and "refers to itself" in y["loop"].reason
    assert res["aws_s3_bucket.b[0]"].attributes["bucket"] == "logs-0"


def test_object_keys_in_parentheses_or_templates_are_evaluated(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "env" {
  default = "prod"
}
resource "x" "y" {
  bare     = { env = 1 }
  paren    = { (var.env) = 1 }
  template = { "${var.env}-db" = 1 }
}
'''})
    res, _ = resources(tmp_path)
    a = res["x.y"].attributes
    assert a["bare"] == {"env": 1} and a["paren"] == {"prod": 1} and a["template"] == {"prod-db": 1}


def test_template_strip_markers_trim_whitespace_as_terraform_does(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "xs" {
  default = ["a", "b"]
}
resource "x" "y" {
  text = <<-EOT
    %{ for x in var.xs ~}
    ${x}
    %{ endfor ~}
    done ${~ "!" }
  EOT
}
'''})
    res, _ = resources(tmp_path)
    assert res["x.y"].attributes["text"] == "a\nb\ndone!\n"


def test_an_argument_is_evaluated_when_first_read_and_whole_looks_see_every_one(tmp_path):
    """Arguments no policy reads cost nothing: each is evaluated when first read. Anything that
    looks at the whole mapping (iterating, copying, JSON, pickling) sees every argument, in the
    order written; spans and `written_here` of nested blocks are right before anything read them."""
    import pickle

    from iaclint.engine import _build, _collect
    from iaclint.config import Config
    from iaclint.model import Arguments
    write(tmp_path, {"main.tf": '''
locals {
  slow  = length([for i in range(1000) : [for j in range(1000) : j]])
  ports = [80, 443]
}
resource "aws_security_group" "web" {
  description = local.slow
  name        = "web"
  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port = ingress.value
      to_port   = ingress.value
    }
  }
  ingress {
    from_port = 22
  }
  tags = { Name = "web-${local.ports[0]}" }
}
'''})
    loaded = _build(_collect([str(tmp_path)], Config(), ScanOptions()), ScanOptions(), wanted={"aws_security_group"})
    (sg,) = loaded.resources
    args = sg.attributes
    assert isinstance(args, Arguments)
    assert sg.names() == ["description", "name", "ingress", "tags"]  # evaluates nothing
    assert not [d for d in loaded.diagnostics if d.code == "tf-limit"]
    assert sg.written_here("name") and not sg.written_here("tags") and not sg.written_here("description")
    # a nested block's span and whether its arguments are computed: evaluated to answer
    assert sg.span_of(("ingress", 2, "from_port")).line == 17
    first, _, last = sg.blocks("ingress")
    assert not first.written_here("from_port") and last.written_here("from_port")
    assert [b.get("from_port") for b in sg.blocks("ingress")] == [80, 443, 22]
    assert "tags" in args and args["tags"] == {"Name": "web-80"}
    assert not [d for d in loaded.diagnostics if d.code == "tf-limit"]  # description: still not read
    # a look at the whole: every argument, in the order written, the limit reported now
    assert list(args) == ["description", "name", "ingress", "tags"]
    assert isinstance(args["description"], Unknown)
    assert [d.code for d in loaded.diagnostics if d.code == "tf-limit"]
    plain = pickle.loads(pickle.dumps(args))
    assert type(plain) is dict and list(plain) == list(args) and plain["ingress"] == args["ingress"]
    assert json.loads(json.dumps({k: v for k, v in args.items() if k != "description"}))["tags"] == {"Name": "web-80"}


def test_an_argument_read_late_is_still_evaluated_in_its_own_scope(tmp_path):
    """Evaluated when a policy reads it, an argument still sees its own count.index and records
    its own references; one that reads its own resource is Unknown, as during the build."""
    from iaclint.model import Arguments
    write(tmp_path, {"main.tf": '''
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "b-${count.index}-${aws_s3_bucket.logs.bucket}"
  loop   = aws_s3_bucket.b[0].bucket
}
'''})
    res, _ = resources(tmp_path)
    b1 = res["aws_s3_bucket.b[1]"]
    assert isinstance(b1.attributes, Arguments)
    assert b1.get("bucket") == "b-1-logs"
    assert b1.meta["refs"] == {("bucket",): frozenset({"aws_s3_bucket.logs"})}
    assert isinstance(b1.get("loop"), Unknown) and "refers to itself" in b1.get("loop").reason
    project = Project(res.values())
    assert project.referrers(res["aws_s3_bucket.logs"], "aws_s3_bucket", via="bucket") == \
        [res["aws_s3_bucket.b[0]"], b1]


def test_a_module_input_is_evaluated_when_the_module_reads_it(tmp_path):
    """A called module's inputs are evaluated when its code reads them (an unread one never is);
    a read one keeps the references it makes, and `nullable = false` still keeps the default."""
    write(tmp_path, {
        "main.tf": '''
resource "aws_kms_key" "k" {
  description = "k"
}
module "bucket" {
  source  = "./bucket"
  key     = aws_kms_key.k.arn
  unused  = length([for i in range(1000) : [for j in range(1000) : j]])
  name    = null
}
''',
        "bucket/main.tf": '''
variable "key" {}
variable "unused" {}
variable "name" {
  default  = "logs"
  nullable = false
}
resource "aws_s3_bucket" "b" {
  bucket = var.name
  kms    = var.key
}
'''})
    res, result = resources(tmp_path)
    b = res["module.bucket.aws_s3_bucket.b"]
    assert b.get("bucket") == "logs"
    assert isinstance(b.get("kms"), Unknown)
    assert b.meta["refs"][("kms",)] == frozenset({"aws_kms_key.k"})
    assert not [d for d in result.diagnostics if d.code == "tf-limit"]  # `unused`: read by nothing
    call = res["module.bucket"]
    assert isinstance(call.get("unused"), Unknown)  # a policy reading the call evaluates it
