"""HCL parsing, positions and the foundation's evaluation (defaults, tfvars, locals, count, dynamic)."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from iaclint.model import ParseError, Unknown, UnknownValue
from iaclint.parsers.hcl import parse
from iaclint.parsers.terraform import parse_items
from iaclint.terraform.module import Module, TfFile


def module(files: dict[str, str], tfvars: dict[str, str] | None = None, wanted: set[str] | None = None) -> Module:
    tf = [TfFile(p, t, parse_items(t, p)) for p, t in files.items()]
    tv = [TfFile(p, t, parse_items(t, p)) for p, t in (tfvars or {}).items()]
    return Module(".", tf, tv, wanted=wanted)


def by_address(m: Module) -> dict:
    return {r.address: r for r in m.resources()}


def test_literal_values_are_plain_python():
    r = by_address(module({"main.tf": '''
resource "aws_x" "a" {
  s = "text"
  n = 42
  f = 1.5
  neg = -3
  b = true
  z = null
  l = ["a", 1]
  m = { key = "v", "quoted key" = 2 }
  esc = "tab\\there \\"q\\" $${not_interp}"
}
'''}))["aws_x.a"]
    assert r.attributes == {"s": "text", "n": 42, "f": 1.5, "neg": -3, "b": True, "z": None,
                            "l": ["a", 1], "m": {"key": "v", "quoted key": 2},
                            "esc": 'tab\there "q" ${not_interp}'}


def test_nested_blocks_are_always_lists_with_spans():
    text = '''resource "aws_security_group" "sg" {
  ingress {
    from_port = 22
  }
  ingress {
    from_port = 443
  }
  egress {
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
    r = by_address(module({"main.tf": text}))["aws_security_group.sg"]
    assert r.attributes["ingress"] == [{"from_port": 22}, {"from_port": 443}]
    assert r.attributes["egress"] == [{"cidr_blocks": ["0.0.0.0/0"]}]
    span = r.span(("ingress", 1, "from_port"))
    assert (span.line, span.column, span.end_line, span.end_column) == (6, 5, 6, 20)
    header = r.span(("ingress", 1))
    assert (header.line, header.column) == (5, 3)
    assert (r.header.line, r.header.column, r.header.end_line) == (1, 1, 1)
    assert r.header.end_column == len('resource "aws_security_group" "sg" {') + 1
    # a missing attribute falls back to its nearest enclosing block
    assert r.span(("egress", 0, "nope")).line == 8


def test_variable_default_in_another_file_and_tfvars_override():
    m = module({"variables.tf": 'variable "enc" {\n  default = true\n}\nvariable "open" {\n  default = "10.0.0.0/8"\n}\n',
                "main.tf": 'resource "aws_ebs_volume" "v" {\n  encrypted = var.enc\n  cidr = var.open\n}\n'},
               {"terraform.tfvars": 'enc = false\n', "b.auto.tfvars": 'open = "0.0.0.0/0"\n',
                "a.auto.tfvars": 'open = "1.1.1.1/32"\n'})
    r = by_address(m)["aws_ebs_volume.v"]
    assert r.get("encrypted") is False  # terraform.tfvars beats the default
    assert r.get("cidr") == "0.0.0.0/0"  # auto.tfvars in lexical order: b after a


def test_variable_without_value_is_unknown_and_touching_it_raises():
    r = by_address(module({"main.tf": 'variable "x" {}\nresource "aws_y" "a" {\n  v = var.x\n  w = "p-${var.x}"\n}\n'}))["aws_y.a"]
    v = r.get("v")
    assert isinstance(v, Unknown)
    assert v.expression == "var.x"
    with pytest.raises(UnknownValue):
        bool(v == "anything")
    with pytest.raises(UnknownValue):
        if v:
            pass
    assert isinstance(r.get("w"), Unknown) and r.get("w").expression == '"p-${var.x}"'


def test_locals_conditionals_templates_and_for():
    r = by_address(module({"main.tf": '''
variable "env" { default = "prod" }
locals {
  is_prod = var.env == "prod"
  cidr    = local.is_prod ? "10.0.0.0/8" : "0.0.0.0/0"
  ports   = [for p in [22, 80] : p + 1 if p > 30]
  tags    = { for k in ["a", "b"] : k => upper(k) }
  text    = "%{ if local.is_prod }strict%{ else }lax%{ endif }-${length(local.ports)}"
  list    = "%{ for x in ["a", "b"] }${x};%{ endfor }"
}
resource "aws_z" "a" {
  cidr  = local.cidr
  ports = local.ports
  tags  = local.tags
  text  = local.text
  list  = local.list
  nums  = [1 + 2 * 3, 7 / 2, 7 % 3, !true, 2 >= 2 && "a" != "b"]
}
'''}))["aws_z.a"]
    assert r.get("cidr") == "10.0.0.0/8"
    assert r.get("ports") == [81]
    assert r.get("tags") == {"a": "A", "b": "B"}
    assert r.get("text") == "strict-1"
    assert r.get("list") == "a;b;"
    assert r.get("nums") == [7, 3.5, 1, False, True]


def test_local_cycle_is_an_error_not_a_hang():
    m = module({"main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_q" "q" {\n  v = local.a\n}\n'})
    r = by_address(m)["aws_q.q"]
    assert isinstance(r.get("v"), Unknown)
    assert any(d.code == "tf-local-cycle" and d.level == "error" for d in m.diagnostics)


def test_references_to_resources_and_data_are_unknown():
    r = by_address(module({"main.tf": 'resource "aws_a" "a" {\n  b = aws_s3_bucket.logs.id\n  d = data.aws_caller_identity.me.account_id\n}\n'}))["aws_a.a"]
    assert r.get("b").expression == "aws_s3_bucket.logs.id"
    assert r.get("d").expression == "data.aws_caller_identity.me.account_id"


def test_count_and_for_each_instances():
    res = by_address(module({"main.tf": '''
variable "create" { default = false }
resource "aws_a" "off" {
  count = var.create ? 1 : 0
}
resource "aws_a" "two" {
  count = 2
  name  = "n-${count.index}"
}
resource "aws_a" "each" {
  for_each = { web = 80, db = 5432 }
  port     = each.value
  name     = each.key
}
resource "aws_a" "unknown" {
  count = length(var.list)
  name  = "n-${count.index}"
}
'''}))
    assert not any(a.startswith("aws_a.off") for a in res)
    assert res["aws_a.two[1]"].get("name") == "n-1"
    assert res['aws_a.each["db"]'].get("port") == 5432
    assert res['aws_a.each["web"]'].get("name") == "web"
    assert isinstance(res["aws_a.unknown"].get("name"), Unknown)


def test_dynamic_blocks_expand_when_for_each_is_known():
    r = by_address(module({"main.tf": '''
locals { rules = [{ port = 3389, cidr = "0.0.0.0/0" }, { port = 22, cidr = "10.0.0.0/8" }] }
resource "aws_security_group" "sg" {
  ingress {
    from_port = 443
  }
  dynamic "ingress" {
    for_each = local.rules
    iterator = rule
    content {
      from_port   = rule.value.port
      cidr_blocks = [rule.value.cidr]
    }
  }
  dynamic "egress" {
    for_each = var.unknown_rules
    content {
      from_port = egress.value
    }
  }
}
'''}))["aws_security_group.sg"]
    assert r.get("ingress") == [{"from_port": 443}, {"from_port": 3389, "cidr_blocks": ["0.0.0.0/0"]},
                                {"from_port": 22, "cidr_blocks": ["10.0.0.0/8"]}]
    assert r.span(("ingress", 1, "from_port")).line == 11  # the content's attribute line
    with pytest.raises(UnknownValue):
        r.blocks("egress")


def test_a_dynamic_block_keys_a_list_by_index_and_a_set_by_element():
    r = by_address(module({"main.tf": '''
variable "names" {
  type    = set(string)
  default = ["b", "a", "b"]
}
resource "aws_x" "d" {
  dynamic "from_list" {
    for_each = ["b", "a", "b"]
    content {
      key   = from_list.key
      value = from_list.value
    }
  }
  dynamic "from_set" {
    for_each = toset(["b", "a", "b"])
    content {
      key = from_set.key
    }
  }
  dynamic "from_set_variable" {
    for_each = var.names
    content {
      key = from_set_variable.key
    }
  }
}
'''}))["aws_x.d"]
    assert r.get("from_list") == [{"key": 0, "value": "b"}, {"key": 1, "value": "a"}, {"key": 2, "value": "b"}]
    assert r.get("from_set") == [{"key": "a"}, {"key": "b"}]
    assert r.get("from_set_variable") == [{"key": "a"}, {"key": "b"}]


@pytest.mark.parametrize("static_first", [True, False])
def test_blocks_next_to_a_dynamic_block_of_unknown_count_are_unknown_in_either_order(static_first):
    static = "  ingress {\n    from_port = 443\n  }\n"
    dynamic = "  dynamic \"ingress\" {\n    for_each = var.rules\n    content {\n      from_port = ingress.value\n    }\n  }\n"
    body = static + dynamic if static_first else dynamic + static
    r = by_address(module({"main.tf": f'resource "aws_security_group" "sg" {{\n{body}}}\n'}))["aws_security_group.sg"]
    with pytest.raises(UnknownValue):  # how many blocks there are is not known: never a guess
        r.blocks("ingress")


def test_heredoc_trim_and_interpolation():
    r = by_address(module({"main.tf": 'locals { who = "world" }\nresource "aws_i" "i" {\n  user_data = <<-EOT\n    #!/bin/sh\n      echo ${local.who}\n  EOT\n  plain = <<EOF\nx $${y}\nEOF\n}\n'}))["aws_i.i"]
    assert r.get("user_data") == "#!/bin/sh\n  echo world\n"
    assert r.get("plain") == "x ${y}\n"


def test_provider_module_variable_and_data_addresses():
    res = by_address(module({"main.tf": '''
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
module "vpc" {
  source = "./vpc"
}
data "aws_ami" "ubuntu" {
  most_recent = true
}
variable "db_password" {
  default = "hunter2"
}
'''}))
    assert res["provider.aws.west"].type == "provider.aws"
    assert res["module.vpc"].get("source") == "./vpc"
    assert res["data.aws_ami.ubuntu"].type == "data.aws_ami"
    assert res["var.db_password"].get("default") == "hunter2"


def test_tf_json_is_read_with_positions():
    text = '''{
  "variable": {"enc": {"default": false}},
  "resource": {
    "aws_ebs_volume": {
      "v": {
        "encrypted": "${var.enc}",
        "size": 10
      }
    }
  }
}
'''
    r = by_address(module({"main.tf.json": text}))["aws_ebs_volume.v"]
    assert r.get("encrypted") is False
    assert r.get("size") == 10
    assert r.span(("encrypted",)).line == 6


def test_tf_json_numbers_types_and_comments_follow_terraforms_json_syntax():
    text = '''{
  "//": "numbers by JSON's grammar, a type written as a string, a // key is a comment",
  "variable": {
    "ports": {"type": "list(number)", "default": ["22", "3389"]},
    "flags": {"type": "set(string)", "default": ["b", "a", "b"]}
  },
  "resource": {"aws_x": {"j": {
    "//": "not an argument",
    "exp": 1e3, "neg": -2.5E-1, "int": 10, "text": "1e3", "yes": "yes", "no": false,
    "ports": "${var.ports}", "flags": "${var.flags}"
  }}}
}
'''
    r = by_address(module({"main.tf.json": text}))["aws_x.j"]
    assert r.attributes == {"exp": 1000.0, "neg": -0.25, "int": 10, "text": "1e3", "yes": "yes",
                            "no": False, "ports": [22, 3389], "flags": ["a", "b"]}


def test_syntax_error_has_line_and_column():
    with pytest.raises(ParseError) as info:
        parse('resource "a" "b" {\n  x = \n}\n')
    assert info.value.line == 3 or info.value.line == 2
    assert info.value.column >= 1
    with pytest.raises(ParseError) as info:
        parse('resource "a" "b" {\n  ok = 1\n  bad = [1, 2\n}\n')
    assert info.value.line >= 3


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('resource"{}[]=,.$%~#/\\*ab1 \n<-:?!()')), max_size=80))
def test_any_text_parses_or_fails_with_a_position(text):
    try:
        items = parse_items(text, "fuzz.tf")
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    Module(".", [TfFile("fuzz.tf", text, items)], []).resources()


def test_written_here_tells_literals_from_computed_values():
    r = by_address(module({"main.tf": '''
variable "pw" { default = "x" }
resource "aws_db_instance" "d" {
  password = var.pw
  username = "admin"
  tags     = { a = "b" }
  block {
    inner = "${var.pw}-suffix"
    plain = ["a", 1]
  }
}
'''}))["aws_db_instance.d"]
    assert not r.written_here("password")
    assert r.written_here("username") and r.written_here("tags")
    block = r.blocks("block")[0]
    assert not block.written_here("inner") and block.written_here("plain")


@pytest.mark.parametrize("text, line, column, words", [
    ('resource "a" "b" {\n  x = "abc\n}\n', 2, 8, "unterminated string"),
    ('resource "a" "b" {\n  x = 1\n', 3, 1, "missing '}'"),
    ('locals {\n  a = 1 +\n}\n', 3, 1, "expected an expression"),
    ('resource "a" "b" {\n  x = [1, 2\n  y = 3\n}\n', 3, 3, "expected ',' or ']'"),
])
def test_syntax_errors_say_what_is_wrong(text, line, column, words):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.message


def test_tf_json_is_strict_json():
    with pytest.raises(ParseError) as info:
        parse_items('{"resource": {"a": {"b": {"x": 1,}}}}', "main.tf.json")
    assert (info.value.line, info.value.column) == (1, 34)


def test_crlf_files_keep_columns():
    text = 'resource "aws_x" "a" {\r\n  name = "n"\r\n}\r\n'
    r = by_address(module({"main.tf": text}))["aws_x.a"]
    s = r.span(("name",))
    assert (s.line, s.column, s.end_line, s.end_column) == (2, 3, 2, 13)
    assert r.get("name") == "n"


def test_heredoc_attribute_span_ends_after_its_marker():
    text = 'resource "aws_i" "i" {\n  user_data = <<-EOT\n    echo hi\n  EOT\n  x = 1\n}\n'
    s = by_address(module({"main.tf": text}))["aws_i.i"].span(("user_data",))
    assert (s.line, s.column, s.end_line, s.end_column) == (2, 3, 4, 6)


def test_conversions_terraform_makes_between_strings_numbers_and_bools():
    m = module({"main.tf": '''
variable "public" {
  type = bool
}
variable "count_text" {}
variable "cidrs" {
  type    = set(string)
  default = ["10.9.0.0/16", "0.0.0.0/0", "10.9.0.0/16"]
}
variable "keep" {
  type     = bool
  default  = true
  nullable = false
}
resource "aws_x" "conv" {
  public   = var.public
  negated  = !"0"
  enabled  = [for r in [{ n = 1, on = "false" }, { n = 2, on = "true" }] : r.n if r.on]
  template = "%{ if "1" }on%{ else }off%{ endif }"
  cidrs    = var.cidrs
  keep     = var.keep
  modulo   = [-7 % 3, 7 % -3, 7 % 3, -7.5 % 2]
}
resource "aws_x" "counted" {
  count = var.count_text
}
'''}, {"terraform.tfvars": 'public = "1"\ncount_text = "2"\nkeep = null\n'})
    by = by_address(m)
    conv = by["aws_x.conv"].attributes
    assert conv["public"] is True and conv["negated"] is True  # "1" and "0" are bools to Terraform
    assert conv["enabled"] == [2]                  # a "false" condition filters the element out
    assert conv["template"] == "on"
    assert conv["cidrs"] == ["0.0.0.0/0", "10.9.0.0/16"]  # a set: each value once, strings sorted
    assert conv["keep"] is True                    # null for `nullable = false` keeps the default
    assert conv["modulo"] == [-1, 1, 1, -1.5]      # the remainder's sign is the dividend's
    assert {"aws_x.counted[0]", "aws_x.counted[1]"} <= set(by)  # count = "2" is two instances


def test_an_attribute_only_splat_takes_attributes_and_a_bracket_applies_to_its_list():
    # HCL: `.*` takes only `.name` and `.N`; `[*]` takes brackets too (a list per element)
    attrs = by_address(module({"main.tf": '''
locals {
  rules = [{ ports = [22, 23], name = "a" }, { ports = [80, 443], name = "b" }]
}
resource "aws_x" "s" {
  legacy       = local.rules.*.ports[0]
  legacy_deep  = local.rules.*.ports[1][0]
  legacy_dot   = local.rules.*.ports.0
  full         = local.rules[*].ports[0]
  after_legacy = local.rules.*.name[1]
}
'''}))["aws_x.s"].attributes
    assert attrs["legacy"] == [22, 23]        # (local.rules.*.ports)[0]
    assert attrs["legacy_deep"] == 80
    assert attrs["legacy_dot"] == [22, 80]    # .0 inside a legacy splat is per element
    assert attrs["full"] == [22, 80]
    assert attrs["after_legacy"] == "b"


def test_override_files_merge_in_lexical_order_and_keep_their_places():
    from iaclint.model import FileSpan
    m = module({
        "main.tf": 'variable "size" { default = 10 }\n'
                   'resource "aws_x" "a" {\n  size = var.size\n  tags = { team = "a" }\n  inner {\n    n = 1\n  }\n}\n',
        "b_override.tf": 'resource "aws_x" "a" {\n  tags = { team = "b" }\n  inner {\n    n = 2\n  }\n}\n',
        "override.tf": 'variable "size" { default = 30 }\n'
                       'resource "aws_x" "a" {\n  tags = { team = "c" }\n  note = data.x.y.id\n}\n',
    })
    r = by_address(m)["aws_x.a"]
    assert [x.address for x in m.resources()].count("aws_x.a") == 1
    assert r.file == "main.tf"
    assert r.attributes["size"] == 30 and r.attributes["tags"] == {"team": "c"}  # override.tf last
    assert r.attributes["inner"] == [{"n": 2}]  # b_override.tf's nested block replaced main.tf's
    tags = r.span(("tags",))
    assert isinstance(tags, FileSpan) and (tags.path, tags.line) == ("override.tf", 3)
    assert r.span(("size",)) == r.spans[("size",)] and not isinstance(r.span(("size",)), FileSpan)
    assert r.attributes["note"].expression == "data.x.y.id"  # read from the file that wrote it
    assert r.node("inner").finding("x").location.path == "b_override.tf"


def test_instances_read_before_and_after_their_block_is_built_are_the_ones_named():
    """A count or for_each block's instances, as references see them, are made once and shared
    (see Module._value). Read one argument at a time, x.y meets the blocks first unbuilt (only x
    is wanted), then built by a look at the whole (length): every reference still gets the
    instance it names, a data source is not the resource of the same name, and what a reference
    is given is its own (an argument and a nested block of one name add to the same list)."""
    m = module({"main.tf": '''
resource "aws_b" "n" {
  count = 3
  name  = "n${count.index}"
}
data "aws_b" "n" {
  count = 3
  name  = "data-${count.index}"
}
resource "aws_b" "m" {
  for_each = { a = "x", b = "y" }
  name     = "${each.key}-${each.value}"
}
resource "x" "y" {
  one        = aws_b.n[1].name
  key        = aws_b.m["b"].name
  data_one   = data.aws_b.n[2].name
  names      = aws_b.n[*].name
  pairs      = [for k, v in aws_b.m : "${k}=${v.name}"]
  count_n    = length(aws_b.n)
  count_m    = length(aws_b.m)
  one_late   = aws_b.n[1].name
  key_late   = aws_b.m["a"].name
  data_late  = data.aws_b.n[0].name
  names_late = aws_b.n[*].name
  whole      = jsonencode(aws_b.n[2])
  whole_m    = jsonencode(aws_b.m)
  held       = aws_b.n
  held {
    extra = true
  }
  count_held = length(aws_b.n)
}
'''}, wanted={"x"})
    (y,) = m.resources()
    built = [("resource", "aws_b", "n"), ("resource", "aws_b", "m"), ("data", "aws_b", "n")]
    seen = {}
    for name in y.names():  # in the order written
        seen[name] = (y.get(name), tuple(key in m._cache for key in built))
    assert seen["one"] == ("n1", (False, False, False))
    assert seen["key"] == ("b-y", (False, False, False))
    assert seen["data_one"] == ("data-2", (False, False, False))
    assert seen["names"] == (["n0", "n1", "n2"], (False, False, False))
    assert seen["pairs"] == (["a=a-x", "b=b-y"], (False, False, False))
    assert seen["count_n"] == (3, (True, False, False))
    assert seen["count_m"] == (2, (True, True, False))
    assert seen["one_late"] == ("n1", (True, True, False))
    assert seen["key_late"] == ("a-x", (True, True, False))
    assert seen["data_late"] == ("data-0", (True, True, False))
    assert seen["names_late"] == (["n0", "n1", "n2"], (True, True, False))
    assert json.loads(seen["whole"][0]) == {"count": 3, "name": "n2"}
    assert json.loads(seen["whole_m"][0]) == {"a": {"for_each": {"a": "x", "b": "y"}, "name": "a-x"},
                                              "b": {"for_each": {"a": "x", "b": "y"}, "name": "b-y"}}
    assert [dict(i) for i in seen["held"][0]] == [{"count": 3, "name": f"n{i}"} for i in range(3)] + [{"extra": True}]
    assert seen["count_held"][0] == 3  # the list `held` was given had a block added, not aws_b.n's
    refs = {path[0]: set(found) for path, found in y.meta["refs"].items()}
    assert [refs[name] for name in ("one", "key", "data_one", "one_late", "key_late", "data_late")] == [
        {"aws_b.n[1]"}, {'aws_b.m["b"]'}, {"data.aws_b.n[2]"}, {"aws_b.n[1]"}, {'aws_b.m["a"]'}, {"data.aws_b.n[0]"}]


def test_an_instance_filled_while_its_block_reads_itself_is_not_handed_on():
    """A cycle through a local (Terraform would refuse it): local.held has aws_b.n's instances
    from before the build, and evaluating aws_b.n[0].cyc reads local.held[0] whole while cyc is
    being evaluated, so that instance is filled with what the block had so far. A later
    reference gets an instance of its own that reads the block as built, not that one."""
    m = module({"main.tf": '''
locals {
  held = aws_b.n
}
resource "aws_b" "n" {
  count = 2
  name  = "n${count.index}"
  cyc   = length(local.held[0])
}
resource "x" "y" {
  first = local.held[0].name
  cyc   = aws_b.n[0].cyc
  whole = jsonencode(aws_b.n[0])
  again = aws_b.n[0].cyc
}
'''}, wanted={"x"})
    (y,) = m.resources()
    assert [y.get("first"), y.get("cyc")] == ["n0", 3]  # length of {count, name, cyc = 2}
    assert json.loads(y.get("whole")) == {"count": 2, "name": "n0", "cyc": 3}
    assert y.get("again") == 3


def test_each_instance_reading_its_own_partner_makes_each_instance_value_once(monkeypatch):
    """aws_db_instance.db[i] reads aws_db_parameter_group.pg[i]: N references, not N*N values
    made (each reference once made every instance of pg to index one)."""
    from iaclint.terraform import module as module_py
    made = []
    for cls in (module_py._Referenced, module_py._Built):
        init = cls.__init__
        monkeypatch.setattr(cls, "__init__", lambda self, *a, _init=init: made.append(1) or _init(self, *a))
    n = 200
    m = module({"main.tf": f'''
resource "aws_db_instance" "db" {{
  count                = {n}
  parameter_group_name = aws_db_parameter_group.pg[count.index].name
  whole                = jsonencode(aws_db_parameter_group.pg[count.index])
}}
resource "aws_db_parameter_group" "pg" {{
  count = {n}
  name  = "pg-${{count.index}}"
}}
'''}, wanted={"aws_db_instance"})
    dbs = m.resources()
    assert [d.get("parameter_group_name") for d in dbs] == [f"pg-{i}" for i in range(n)]  # pg not built
    assert [json.loads(d.get("whole"))["name"] for d in dbs] == [f"pg-{i}" for i in range(n)]  # built
    assert len(made) <= 2 * n + 2
