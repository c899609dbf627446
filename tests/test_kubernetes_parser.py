"""The Kubernetes manifest parser: resources, spans, workloads, and hostile YAML."""

from __future__ import annotations

import math
import textwrap
import tracemalloc

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.model import KIND_GROUPS, ParseError, Resource, Span
from iaclint.parsers import kubernetes
from iaclint.parsers.kubernetes import MAX_DEPTH, is_helm_template, parse


def y(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def one(text: str, path: str = "k8s/app.yaml") -> Resource:
    resources, diagnostics = parse(y(text), path)
    assert diagnostics == []
    assert len(resources) == 1
    return resources[0]


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


@pytest.fixture(params=["libyaml", "python"])
def any_loader(request, monkeypatch):
    """Run a test with libyaml's parser and with PyYAML's pure-Python one (the fallback)."""
    if request.param == "python":
        monkeypatch.setattr(kubernetes, "LOADER", yaml.SafeLoader)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    return request.param


STREAM = y("""
    # Application manifests
    # (a comment before the first document)
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: web
    spec:
      replicas: 3
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: app
            image: registry.example.com/api:1.2
            securityContext:
              privileged: true
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: web
    ---
    # a document with no object in it
    ---
    apiVersion: v1
    kind: ConfigMap
    data:
      enabled: "yes"
      flag: yes
      mode: 0644
    """)


# -- streams, documents, addresses ----------------------------------------------------------
def test_multi_document_stream(any_loader):
    resources, diagnostics = parse(STREAM, "k8s/app.yaml")
    assert diagnostics == []
    assert [r.address for r in resources] == ["Deployment/web/api", "Namespace/web", "ConfigMap/3"]
    assert [r.type for r in resources] == ["Deployment", "Namespace", "ConfigMap"]
    assert [r.name for r in resources] == ["api", "web", ""]
    assert [r.meta["document"] for r in resources] == [0, 1, 3]
    assert all(r.source == "kubernetes" and r.file == "k8s/app.yaml" for r in resources)
    deployment, namespace, config = resources
    # header: from the root mapping's start to the end of its first key's line
    assert deployment.header == Span(3, 1, 3, 20)
    assert namespace.header == Span(20, 1, 20, 15)
    assert config.header == Span(27, 1, 27, 15)
    assert deployment.attributes["spec"]["replicas"] == 3
    assert deployment.get("spec.template.metadata.labels") == {"app": "api"}
    # YAML 1.1 as PyYAML's SafeLoader reads it
    assert config.attributes["data"] == {"enabled": "yes", "flag": True, "mode": 420}


def test_nested_key_span_is_exact(any_loader):
    deployment = parse(STREAM, "a.yaml")[0][0]
    path = ("spec", "template", "spec", "containers", 0, "securityContext", "privileged")
    # "          privileged: true" on line 18: key at column 11, value ends before column 27
    assert deployment.spans[path] == Span(18, 11, 18, 27)
    assert deployment.span_of(path) == Span(18, 11, 18, 27)
    container = deployment.containers()[0]
    assert container.path == ("spec", "template", "spec", "containers", 0)
    assert container.span("securityContext.privileged") == Span(18, 11, 18, 27)
    finding = container.finding("privileged", at="securityContext.privileged")
    assert finding.location.span == Span(18, 11, 18, 27)
    assert finding.location.path == "a.yaml" and finding.address == "Deployment/web/api"
    # a block mapping ends where its last entry ends, not at the next document's marker
    assert deployment.spans[("spec",)] == Span(8, 1, 18, 27)
    # a sequence item spans its node; a key whose value is missing falls back to its parent
    assert deployment.spans[("spec", "template", "spec", "containers", 0)] == Span(15, 9, 18, 27)
    assert deployment.span_of(path + ("nope", "deeper")) == Span(18, 11, 18, 27)
    assert deployment.span_of(("nope",)) == deployment.header


def test_every_key_and_item_has_a_span():
    res = one("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p, labels: {a: b}}
        spec:
          containers:
          - name: c
            args: [--x, "--y"]
            ports:
            - containerPort: 80
    """)
    expected = {
        ("apiVersion",), ("kind",), ("metadata",), ("metadata", "name"), ("metadata", "labels"),
        ("metadata", "labels", "a"), ("spec",), ("spec", "containers"),
        ("spec", "containers", 0), ("spec", "containers", 0, "name"),
        ("spec", "containers", 0, "args"), ("spec", "containers", 0, "args", 0),
        ("spec", "containers", 0, "args", 1), ("spec", "containers", 0, "ports"),
        ("spec", "containers", 0, "ports", 0), ("spec", "containers", 0, "ports", 0, "containerPort"),
    }
    assert set(res.spans) == expected
    # flow collections end at their closing bracket; flow items are spanned one by one
    assert res.spans[("metadata",)] == Span(3, 1, 3, 36)
    assert res.spans[("metadata", "labels", "a")] == Span(3, 30, 3, 34)
    assert res.spans[("spec", "containers", 0, "args")] == Span(7, 5, 7, 23)
    assert res.spans[("spec", "containers", 0, "args", 1)] == Span(7, 17, 7, 22)
    for span in res.spans.values():
        assert (span.line, span.column) < (span.end_line, span.end_column)


def test_spans_are_real_span_objects():
    res = one("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    span = res.spans[("kind",)]
    assert type(span) is Span and span == Span(2, 1, 2, 16)
    assert hash(span) == hash(Span(2, 1, 2, 16))
    with pytest.raises(AttributeError):
        span.line = 3  # still frozen


def test_crlf_and_bom(any_loader):
    text = "\ufeffapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: x  # c\r\n"
    res = parse(text, "a.yaml")[0][0]
    assert res.address == "Namespace/x"
    assert res.header == Span(1, 1, 1, 15)
    assert res.spans[("metadata", "name")] == Span(4, 3, 4, 10)


def test_address_shapes():
    resources, _ = parse(y("""
        apiVersion: v1
        kind: Service
        metadata: {name: svc}
        ---
        apiVersion: v1
        kind: Service
        metadata: {namespace: ns}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: 42}
    """), "a.yaml")
    assert [(r.address, r.name) for r in resources] == [
        ("Service/svc", "svc"), ("Service/1", ""), ("Service/2", "")]


# -- List kinds ---------------------------------------------------------------------------
def test_list_kind_gives_one_resource_per_item(any_loader):
    resources, diagnostics = parse(y("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: first}
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Pod
          metadata:
            name: p
            namespace: ns
          spec:
            containers:
            - {name: c, image: nginx}
        - apiVersion: apps/v1
          kind: Deployment
          spec:
            template:
              spec:
                containers: []
        - just: a mapping without kind
        - not a mapping
    """), "list.yaml")
    assert diagnostics == []
    assert [r.address for r in resources] == ["Namespace/first", "Pod/ns/p", "Deployment/1.1"]
    pod, deployment = resources[1:]
    assert pod.meta == {"document": 1, "item": 0, "pod_spec_path": ("spec",)}
    assert deployment.meta == {"document": 1, "item": 1,
                               "pod_spec_path": ("spec", "template", "spec")}
    # paths are re-based on the item; nothing of the List itself leaks in
    assert pod.spans[("metadata", "name")] == Span(11, 5, 11, 12)
    assert ("items",) not in pod.spans and ("kind",) in pod.spans
    assert all(p and p[0] != "items" for p in pod.spans)
    assert pod.header == Span(8, 3, 8, 17)
    assert deployment.header == Span(16, 3, 16, 22)
    assert [c.get("image") for c in pod.containers()] == ["nginx"]
    assert pod.containers()[0].span("image") == Span(15, 17, 15, 29)


def test_typed_list_and_list_lookalikes():
    resources, _ = parse(y("""
        apiVersion: apps/v1
        kind: DeploymentList
        items:
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: d}
        ---
        apiVersion: example.com/v1
        kind: AllowList
        metadata: {name: not-a-list}
        spec: {cidrs: [10.0.0.0/8]}
        ---
        apiVersion: v1
        kind: List
    """), "a.yaml")
    assert [r.address for r in resources] == ["Deployment/d", "AllowList/not-a-list"]


# -- workloads ------------------------------------------------------------------------------
POD_SPEC = """
      serviceAccountName: sa
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: main
        image: nginx
        securityContext:
          runAsUser: 0
      ephemeralContainers:
      - name: debug
        image: alpine
"""


def _workload(kind: str) -> str:
    pod = textwrap.indent(textwrap.dedent(POD_SPEC).strip("\n"), "  ")
    metadata = "metadata:\n  labels: {tier: x}\n"
    if kind == "Pod":
        return f"apiVersion: v1\nkind: Pod\n{metadata}spec:\n{pod}\n"
    template = f"template:\n{textwrap.indent(metadata, '  ')}  spec:\n{textwrap.indent(pod, '  ')}\n"
    if kind == "PodTemplate":
        return f"apiVersion: v1\nkind: PodTemplate\nmetadata: {{name: t}}\n{template}"
    if kind == "CronJob":
        body = "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n" + textwrap.indent(
            template, "      ")
        return f"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\n{body}"
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n"
            + textwrap.indent(template, "  "))


@pytest.mark.parametrize("kind,pod_path", sorted(kubernetes.POD_SPEC_PATHS.items()))
def test_every_workload_kind_exposes_its_pod_spec(kind, pod_path):
    assert kind in KIND_GROUPS["k8s:workload"]
    res = one(_workload(kind))
    assert res.meta["pod_spec_path"] == pod_path
    spec = res.pod_spec()
    assert spec is not None and spec.path == pod_path
    assert spec.get("serviceAccountName") == "sa"
    containers = res.containers()
    assert [c.get("name") for c in containers] == ["init", "main", "debug"]
    assert [c.path for c in containers] == [pod_path + ("initContainers", 0),
                                            pod_path + ("containers", 0),
                                            pod_path + ("ephemeralContainers", 0)]
    main = containers[1]
    assert main.get("securityContext.runAsUser") == 0
    span = main.span("securityContext.runAsUser")
    assert span != res.header and span.end_line == span.line
    line = _workload(kind).splitlines()[span.line - 1]
    assert line[span.column - 1:span.end_column - 1] == "runAsUser: 0"
    assert res.pod_metadata().get("labels") == {"tier": "x"}


def test_pod_spec_and_containers_are_read_once_and_handed_out_as_new_lists():
    res = one(_workload("Deployment"))
    assert res.pod_spec() is res.pod_spec()
    first = res.containers()
    first.clear()  # a policy's list is its own
    again = res.containers()
    assert [c.get("name") for c in again] == ["init", "main", "debug"] and again is not res.containers()
    assert again[1] is res.containers()[1]


def test_an_unknown_container_list_raises_at_every_read():
    from iaclint.model import Unknown, UnknownValue
    spec = {"template": {"spec": {"containers": Unknown("var.containers", "a variable")}}}
    res = Resource("kubernetes", "Deployment", "web", "Deployment.web", "a.yaml", Span(1, 1, 1, 2),
                   {"spec": spec}, meta={"pod_spec_path": ("spec", "template", "spec")})
    for _ in range(2):
        with pytest.raises(UnknownValue):
            res.containers()
    assert res.pod_spec().path == ("spec", "template", "spec")


def test_workload_kinds_match_the_model_group():
    assert frozenset(kubernetes.POD_SPEC_PATHS) == KIND_GROUPS["k8s:workload"]


def test_cronjob_containers_paths_and_spans():
    res = one("""
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - name: dump
                    image: postgres:16
                    command: ["pg_dump"]
    """)
    assert res.address == "CronJob/backup"
    (container,) = res.containers()
    assert container.path == ("spec", "jobTemplate", "spec", "template", "spec", "containers", 0)
    assert container.span() == Span(13, 13, 15, 33)
    assert container.span("image") == Span(14, 13, 14, 31)
    assert container.get("command") == ["pg_dump"]
    assert res.pod_spec().get("restartPolicy") == "OnFailure"


def test_pod_spec_path_only_when_present():
    resources, _ = parse(y("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: patch}
        spec: {replicas: 2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: odd}
        spec: [not, a, mapping]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec: {ports: [{port: 80}]}
    """), "a.yaml")
    assert [r.meta for r in resources] == [{"document": 0}, {"document": 1}, {"document": 2}]
    assert all(r.pod_spec() is None and r.containers() == [] for r in resources)


# -- what is not an object ------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "",
    "\n\n   \n",
    "# only a comment\n",
    "---\n",
    "--- \n...\n---\n",
    "~\n",
    "- apiVersion: v1\n  kind: Pod\n",
    "just a string\n",
    "apiVersion: v1\nmetadata: {name: no-kind}\n",
    "kind: Pod\nmetadata: {name: no-api-version}\n",
    "apiVersion: 1\nkind: Pod\n",
    "apiVersion: v1\nkind: [Pod]\n",
    "apiVersion: v1\nkind: ''\n",
])
def test_documents_without_an_object_are_skipped(text):
    assert parse(text, "a.yaml") == ([], [])


def test_github_workflow_and_values_files_are_skipped():
    workflow = y("""
        name: ci
        on:
          push:
            branches: [main]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
            - uses: actions/checkout@v4
            - run: pytest
    """)
    values = y("""
        replicaCount: 2
        image:
          repository: nginx
          tag: ""
        kind: not-an-object-without-apiVersion
        podSecurityContext: {}
    """)
    assert parse(workflow, ".github/workflows/ci.yml") == ([], [])
    assert parse(values, "chart/values.yaml") == ([], [])


# -- YAML details ---------------------------------------------------------------------------
def test_duplicate_key_warns_at_the_second_key_and_keeps_the_last(any_loader):
    resources, diagnostics = parse(y("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: first
          labels: {a: 1}
          name: second
        spec:
          containers:
          - name: c
            image: x
            name: c2
    """), "dup.yaml")
    assert resources[0].name == "second"
    assert resources[0].get("spec.containers")[0] == {"name": "c2", "image": "x"}
    assert [(d.level, d.code, d.message, d.span) for d in diagnostics] == [
        ("warning", "duplicate-key", "duplicate key 'name' (first at line 4)", Span(6, 3, 6, 7)),
        ("warning", "duplicate-key", "duplicate key 'name' (first at line 9)", Span(11, 5, 11, 9)),
    ]
    assert all(d.path == "dup.yaml" for d in diagnostics)
    assert resources[0].spans[("metadata", "name")] == Span(6, 3, 6, 15)


def test_duplicates_in_skipped_documents_are_not_reported():
    assert parse("a: 1\na: 2\n", "values.yaml") == ([], [])


def test_duplicate_inside_an_anchor_is_reported_once():
    _, diagnostics = parse(y("""
        apiVersion: v1
        kind: ConfigMap
        data:
          a: &m {x: 1, x: 2}
          b: *m
          c: *m
    """), "a.yaml")
    assert codes(diagnostics) == ["duplicate-key"]


def test_merge_keys_follow_pyyaml(any_loader):
    text = y("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: m}
        x-defaults:
          base: &base
            imagePullPolicy: Always
            image: base:1
          security: &sec
            securityContext: {runAsNonRoot: true}
            image: sec:1
        spec:
          template:
            spec:
              containers:
              - <<: *base
                name: one
                image: own:1
              - <<: [*sec, *base]
                name: two
              - <<: {inline: 1}
                name: three
    """)
    res = one(text)
    ordinary = yaml.safe_load(text)
    assert res.attributes == ordinary
    one_, two, three = res.containers()
    assert one_.value == {"imagePullPolicy": "Always", "image": "own:1", "name": "one"}
    assert two.value == {"securityContext": {"runAsNonRoot": True}, "image": "sec:1",
                         "imagePullPolicy": "Always", "name": "two"}
    assert three.value == {"inline": 1, "name": "three"}
    # a merged key points where it is written (the anchor); an explicit one where it is
    assert one_.span("imagePullPolicy") == Span(6, 5, 6, 28)
    assert one_.span("image") == Span(17, 9, 17, 21)
    assert two.span("image") == Span(10, 5, 10, 17)
    assert two.span("securityContext.runAsNonRoot") == Span(9, 23, 9, 41)
    assert three.span("inline") == Span(20, 14, 20, 23)
    assert not any("<<" in p for p in res.spans)


def test_merge_of_a_scalar_warns_and_is_ignored():
    resources, diagnostics = parse(y("""
        apiVersion: v1
        kind: ConfigMap
        data:
          <<: 5
          a: b
        other: ["<<", "x"]
    """), "a.yaml")
    assert resources[0].attributes["data"] == {"a": "b"}
    assert resources[0].attributes["other"] == ["<<", "x"]
    assert codes(diagnostics) == ["yaml-merge"]
    assert diagnostics[0].span.line == 4 and diagnostics[0].level == "warning"


def test_an_anchored_merge_key_never_leaks():
    text = y("""
        apiVersion: v1
        kind: ConfigMap
        base: &b {x: 1}
        data:
          &m <<: *b
          y: 2
        again:
          *m : {z: 3}
        value: *m
        items: [*m]
    """)
    res = one(text)
    assert res.attributes == yaml.safe_load(text.replace("value: *m", "value: '<<'")
                                            .replace("items: [*m]", "items: ['<<']"))
    assert res.attributes["data"] == {"x": 1, "y": 2}
    assert res.attributes["again"] == {"z": 3}
    assert res.attributes["value"] == "<<" and res.attributes["items"] == ["<<"]


def test_aliases_expand_with_the_alias_position():
    res = one("""
        apiVersion: v1
        kind: Pod
        metadata: {name: a}
        spec:
          containers:
          - &c {name: one, image: nginx}
          - *c
          volumes: &v [{name: data}]
          x: *v
    """)
    first, second = res.containers()
    assert first.value == second.value and first.value is not second.value
    assert res.spans[("spec", "containers", 1)] == Span(7, 5, 7, 7)
    assert res.spans[("spec", "x")] == Span(9, 3, 9, 8)
    # inside an expansion, keys point at the anchor's text
    assert second.span("image") == Span(6, 20, 6, 32)


SCALARS = [
    "yes", "No", "on", "OFF", "true", "False", "y", "n", "~", "null", "", "0644", "0x1F", "0b101",
    "1_000", "190:20:30", "-0", "+12", "1.5", "1e3", "1.0e+3", ".inf", "-.Inf", ".nan", "6.8523015e+5",
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=", "!!binary aGk=", "!Ref MyBucket",
    "!!str 123", "!!int '0x10'", "!!float '1'", "!!bool 'yes'", "!!null ''", "!!int nope",
    "'quoted yes'", '"0644"', "! 12", "!custom {a: 1}", "+0b_", "0o17", "1:2:3.5", "9" * 5000,
]


@pytest.mark.parametrize("scalar", SCALARS)
def test_scalars_resolve_like_safe_loader(scalar):
    text = f"apiVersion: v1\nkind: ConfigMap\ndata:\n  k: {scalar}\n  l: [{scalar}]\n"
    value = one(text).attributes["data"]
    expected = _safe_load_or_none(text)
    if expected is not None:
        assert _same(value, expected["data"])
    assert isinstance(value["k"], (str, int, float, bool, dict, type(None)))


class _TextTimestamps(yaml.SafeLoader):
    """SafeLoader with timestamps and binary kept as text, as the parser keeps them."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", lambda lo, n: lo.construct_scalar(n))
_TextTimestamps.add_constructor("tag:yaml.org,2002:binary", lambda lo, n: lo.construct_scalar(n))


def _safe_load_or_none(text: str):
    try:
        return yaml.load(text, Loader=_TextTimestamps)
    except Exception:  # PyYAML refuses (custom tags) or crashes (e.g. "+0b_")
        return None


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, z) for x, z in zip(a, b))
    return type(a) is type(b) and a == b


def test_custom_tags_binary_and_timestamps_stay_text():
    data = one("""
        apiVersion: v1
        kind: ConfigMap
        data:
          ref: !Ref MyBucket
          map: !Custom {a: 1}
          seq: !Custom [1, 2]
          bin: !!binary aGVsbG8=
          when: 2024-01-02
          cron: "*/5 * * * *"
    """).attributes["data"]
    assert data == {"ref": "MyBucket", "map": {"a": 1}, "seq": [1, 2], "bin": "aGVsbG8=",
                    "when": "2024-01-02", "cron": "*/5 * * * *"}


def test_complex_keys_are_ignored_with_a_warning():
    resources, diagnostics = parse(y("""
        apiVersion: v1
        kind: ConfigMap
        data:
          ? [a, b]
          : 1
          plain: 2
          &k anchored: 3
          *k : 4
    """), "a.yaml")
    assert resources[0].attributes["data"] == {"plain": 2, "anchored": 4}
    assert codes(diagnostics) == ["yaml-complex-key", "duplicate-key"]


@settings(max_examples=150, deadline=None, database=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
              st.floats(allow_nan=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20))
def test_values_round_trip_like_safe_load(value):
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "data": value},
                          allow_unicode=True, sort_keys=False)
    resources, diagnostics = parse(text, "a.yaml")
    assert diagnostics == []
    assert resources[0].attributes == yaml.safe_load(text)


# -- hostile input ---------------------------------------------------------------------------
BILLION_LAUGHS = y("""
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: lol}
    data:
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
      h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
      i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: after}
    """)


def test_billion_laughs_is_refused_in_bounded_memory(any_loader):
    tracemalloc.start()
    try:
        resources, diagnostics = parse(BILLION_LAUGHS, "lol.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.address for r in resources] == ["Namespace/after"]
    assert [(d.level, d.code, d.message) for d in diagnostics] == [
        ("error", "yaml-alias-bomb", "alias expansion exceeds limit")]
    assert diagnostics[0].span == Span(1, 1, 1, 2)
    assert peak < 20_000_000


def test_alias_budget_scales_with_the_document():
    # 3 x 40,000 expanded nodes from a 40,000-node anchor: large, but only ~3x what is written
    items = ",".join(["x"] * 40_000)
    text = f"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &a [{items}]\n  b: *a\n  c: *a\n"
    resources, diagnostics = parse(text, "big.yaml")
    assert diagnostics == []
    assert len(resources[0].attributes["data"]["c"]) == 40_000
    assert resources[0].spans[("data", "c", 39_999)] == resources[0].spans[("data", "a", 39_999)]


def test_recursive_and_undefined_aliases_drop_only_their_document():
    resources, diagnostics = parse(y("""
        apiVersion: v1
        kind: ConfigMap
        data: &d {self: *d}
        ---
        apiVersion: v1
        kind: ConfigMap
        data: {x: *missing}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: ok}
    """), "a.yaml")
    assert [r.address for r in resources] == ["Namespace/ok"]
    assert [(d.code, d.message, d.span.line) for d in diagnostics] == [
        ("yaml-alias-bomb", "alias expansion exceeds limit (recursive alias 'd')", 3),
        ("yaml-syntax", "found undefined alias 'missing'", 7),
    ]


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    "[" * 1_000_000,
    "{a: " * 100_000 + "}" * 100_000,
    "- " * 100_000 + "x\n",
    "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(
        "  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "v: 1\n",
])
def test_deep_nesting_is_cut_off(any_loader, text):
    resources, diagnostics = parse(text, "deep.yaml")
    assert resources == []
    assert [(d.level, d.code) for d in diagnostics] == [("error", "yaml-too-deep")]
    assert str(MAX_DEPTH) in diagnostics[0].message


@pytest.mark.parametrize("brackets,ok", [(MAX_DEPTH - 1, True), (MAX_DEPTH, False)])
def test_nesting_limit_boundary(any_loader, brackets, ok):
    # the root mapping is one level, each bracket another
    text = "apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * brackets + "]" * brackets + "\n"
    resources, diagnostics = parse(text, "a.yaml")
    if ok:
        assert diagnostics == [] and len(resources) == 1
    else:
        assert resources == [] and codes(diagnostics) == ["yaml-too-deep"]
        assert diagnostics[0].span == Span(3, 7 + MAX_DEPTH - 1, 3, 8 + MAX_DEPTH - 1)


def test_deep_alias_expansion_drops_only_its_document():
    chain = "".join(f"  a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 250))
    text = ("apiVersion: v1\nkind: ConfigMap\ndata:\n  a0: &a0 [x]\n" + chain
            + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n")
    resources, diagnostics = parse(text, "a.yaml")
    assert [r.address for r in resources] == ["Namespace/ok"]
    assert codes(diagnostics) == ["yaml-too-deep"]


def test_syntax_error_keeps_earlier_documents(any_loader):
    text = y("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: one}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: two}
        ---
        apiVersion: v1
        kind: ConfigMap
        data:
          key: [unclosed, list
          next: 1
    """)
    resources, diagnostics = parse(text, "broken.yaml")
    assert [r.address for r in resources] == ["Namespace/one", "Namespace/two"]
    (diag,) = diagnostics
    assert (diag.level, diag.code, diag.path) == ("error", "yaml-syntax", "broken.yaml")
    assert diag.span == Span(13, 7, 13, 8)
    assert "while parsing a flow sequence at line 12, column 8" in diag.message


def test_syntax_error_in_second_document_reports_line_and_column(any_loader):
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: : x\n"
    resources, diagnostics = parse(text, "a.yaml")
    assert [r.address for r in resources] == ["Namespace/a"]
    assert [(d.code, d.span) for d in diagnostics] == [("yaml-syntax", Span(6, 7, 6, 8))]
    assert "mapping values are not allowed" in diagnostics[0].message


@pytest.mark.parametrize("text,line,column", [
    ("\tapiVersion: v1\n", 1, 1),
    ("apiVersion: v1\nkind: N\n---\nä: \x00\n", 4, 4),
    ("apiVersion: v1\nkind: N\nbad: \ud800\n", 3, 6),
    ("a: 'unterminated\n", 2, 1),
    ("a: b\n c: d\n", 2, 3),
])
def test_invalid_text_is_a_diagnostic(any_loader, text, line, column):
    resources, diagnostics = parse(text, "bad.yaml")
    assert resources == []
    assert [(d.level, d.code) for d in diagnostics] == [("error", "yaml-syntax")]
    assert (diagnostics[0].span.line, diagnostics[0].span.column) == (line, column)


_YAMLISH = st.lists(st.sampled_from(list(
    "ab: -[]{}&*!|>'\"#\n\t?,%@`<=~01yes\u2028\x85\ufeff\x00 \r") + [
    "---\n", "apiVersion: v1\n", "kind: Pod\n", "kind: List\n", "items:\n", "<<: ", "&a ",
    "*a", "  ", "- ", "\ud800", "!!int ", "!Ref ", "? "]), max_size=60).map("".join)


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=200), _YAMLISH))
def test_arbitrary_text_never_raises_anything_but_parse_error(any_loader, text):
    try:
        resources, diagnostics = parse(text, "fuzz.yaml")
    except ParseError:
        return
    assert all(isinstance(r, Resource) for r in resources)
    for d in diagnostics:
        assert d.level in ("error", "warning") and d.span is not None and d.span.line >= 1


def test_python_loader_matches_libyaml(monkeypatch):
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    fast = parse(STREAM, "a.yaml")[0]
    monkeypatch.setattr(kubernetes, "LOADER", yaml.SafeLoader)
    slow = parse(STREAM, "a.yaml")[0]
    assert [(r.address, r.header, r.attributes, r.spans, r.meta) for r in fast] == [
        (r.address, r.header, r.attributes, r.spans, r.meta) for r in slow]


# -- Helm ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path,text,expected", [
    ("chart/templates/deployment.yaml", "metadata:\n  name: {{ .Release.Name }}\n", True),
    ("templates/svc.yaml", "kind: {{ .Values.kind }}", True),
    ("a/b/chart/templates/sub/dir/x.yml", "x: '{{ y }}'", True),
    ("chart/templates/plain.yaml", "apiVersion: v1\nkind: Namespace\n", False),
    ("chart/values.yaml", "image: {{ not a template dir }}", False),
    ("chart/templates.yaml", "a: {{ b }}", False),
    ("chart/my-templates/x.yaml", "a: {{ b }}", False),
    ("templates", "{{ x }}", False),
    ("k8s/deploy.yaml", "apiVersion: v1\nkind: Namespace\n", False),
])
def test_is_helm_template(path, text, expected):
    assert is_helm_template(text, path) is expected
