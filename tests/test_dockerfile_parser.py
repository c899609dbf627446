"""Tests for iaclint.parsers.dockerfile: BuildKit's reading of a Dockerfile, exact spans."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.model import ParseError, Resource, Span, Unknown, UnknownValue
from iaclint.parsers.dockerfile import parse, parse_image_ref

PATH = "Dockerfile"


def stages(text: str) -> tuple[list[Resource], list]:
    return parse(text, PATH)


def only_stage(text: str) -> tuple[Resource, list]:
    resources, diagnostics = parse(text, PATH)
    assert len(resources) == 1, resources
    return resources[0], diagnostics


def ins(stage: Resource, index: int) -> dict:
    return stage.attributes["instructions"][index]


def cmds(stage: Resource) -> list[str]:
    return [i["cmd"] for i in stage.attributes["instructions"]]


# -- empty input and directives ----------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "\n\n\n", "# just a comment\n   # indented one\n",
                                  "\ufeff", "# syntax=docker/dockerfile:1\n", "\r\n\t \r\n"])
def test_empty_or_comment_only_file_has_no_stage_and_no_diagnostic(text):
    assert parse(text, PATH) == ([], [])


def test_directives_with_backtick_escape():
    text = (
        "# Escape = `\n"                 # case-insensitive key, blanks around '='
        "#SYNTAX=docker/dockerfile:1.7\n"
        "#   check=skip=all\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN dir `\n"
        "    C:\\ `\n"
        "    && echo done\n"
        "WORKDIR C:\\\n"                 # a backslash no longer continues the line
        "ENV P=\"a`\"b\" Q=c` d\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    assert stage.meta["directives"] == {"escape": "`", "syntax": "docker/dockerfile:1.7",
                                        "check": "skip=all"}
    assert stage.meta["escape"] == "`"
    assert cmds(stage) == ["FROM", "RUN", "WORKDIR", "ENV"]
    # the escape and the blanks after it go; the indentation of the next line stays
    assert ins(stage, 1)["args"] == "dir     C:\\     && echo done"
    assert stage.spans[("instructions", 1)] == Span(5, 1, 7, 17)
    assert ins(stage, 2)["args"] == "C:\\"
    assert ins(stage, 2)["line"] == 8
    assert ins(stage, 3)["pairs"] == [["P", 'a"b'], ["Q", "c d"]]


def test_directive_after_other_comment_or_blank_line_is_only_a_comment():
    for prefix in ("# a license header\n", "\n"):
        text = prefix + "# escape=`\nFROM alpine\nRUN echo a `\nls\n"
        stage, diagnostics = only_stage(text)
        assert stage.meta["directives"] == {}
        assert stage.meta["escape"] == "\\"
        # the backtick is plain text: the RUN ends on its line and "ls" is its own instruction
        assert ins(stage, 1)["args"] == "echo a `"
        assert ins(stage, 2)["cmd"] == "LS"
        assert [(d.level, d.code, d.message) for d in diagnostics] == [
            ("warning", "dockerfile-syntax", "unknown instruction: ls")]


def test_invalid_and_duplicate_directives_warn_and_keep_backslash():
    text = "# escape=x\n# escape=`\nFROM alpine\nRUN a \\\n  b\n"
    stage, diagnostics = only_stage(text)
    assert stage.meta["escape"] == "\\"
    assert ins(stage, 1)["args"] == "a   b"
    assert [d.span.line for d in diagnostics] == [1, 2]
    assert "invalid escape token" in diagnostics[0].message
    assert "only one escape parser directive" in diagnostics[1].message


# -- continuation, comments, CRLF, BOM --------------------------------------------------------
def test_continuation_drops_comments_and_blank_lines_inside_an_instruction():
    text = (
        "FROM alpine\n"
        "RUN apk add \\   \n"            # blanks after the escape are allowed
        "    # a comment inside the command\n"
        "\n"
        "  \t\n"
        "    curl \\\n"
        "# another one\n"
        "    git\n"
        "CMD [\"sh\"]\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    assert cmds(stage) == ["FROM", "RUN", "CMD"]
    assert ins(stage, 1)["args"] == "apk add     curl     git"
    assert stage.spans[("instructions", 1)] == Span(2, 1, 8, 8)
    assert ins(stage, 2)["line"] == 9


def test_escaped_escape_at_end_of_line_does_not_continue():
    stage, _ = only_stage("FROM alpine\nRUN echo a\\\\\nUSER nobody\n")
    assert cmds(stage) == ["FROM", "RUN", "USER"]
    assert ins(stage, 1)["args"] == "echo a\\\\"
    assert ins(stage, 2)["user"] == "nobody"


def test_trailing_escape_swallows_the_next_instruction_like_docker():
    stage, _ = only_stage("FROM alpine\nRUN make \\\n\nRUN install\n")
    assert cmds(stage) == ["FROM", "RUN"]
    assert ins(stage, 1)["args"] == "make RUN install"
    assert stage.spans[("instructions", 1)] == Span(2, 1, 4, 12)


def test_continuation_at_end_of_file_ends_the_instruction():
    stage, _ = only_stage("FROM alpine\nRUN echo \\")
    assert ins(stage, 1)["args"] == "echo"
    assert stage.spans[("instructions", 1)] == Span(2, 1, 2, 11)


def test_crlf_line_ends_and_bom():
    text = "\ufeffFROM alpine:3.19\r\nRUN a \\\r\n  b\r\nENV K=v\r\n"
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    assert stage.header == Span(1, 1, 1, 17)            # the BOM takes no column
    assert stage.attributes["image"] == "alpine:3.19"
    assert ins(stage, 1)["args"] == "a   b"
    assert stage.spans[("instructions", 1)] == Span(2, 1, 3, 4)
    assert ins(stage, 2)["pairs"] == [["K", "v"]]
    assert stage.spans[("instructions", 2, "pairs", 0)] == Span(4, 5, 4, 8)


def test_keyword_is_case_insensitive_and_may_be_indented():
    stage, diagnostics = only_stage("from alpine as Build\n   run echo hi\nCopy . /src\n")
    assert diagnostics == []
    assert cmds(stage) == ["FROM", "RUN", "COPY"]
    assert stage.attributes["name"] == "build"          # docker lower-cases stage names
    assert stage.spans[("instructions", 1)] == Span(2, 4, 2, 15)


# -- heredocs ----------------------------------------------------------------------------------
def test_single_heredoc_body_belongs_to_the_instruction():
    text = "FROM debian\nRUN <<EOF\nset -e\nFROM evil\napt-get update\nEOF\nUSER app\n"
    stage, diagnostics = only_stage(text)     # "FROM evil" is body text, not a new stage
    assert diagnostics == []
    assert cmds(stage) == ["FROM", "RUN", "USER"]
    run = ins(stage, 1)
    assert run["args"] == "<<EOF"
    assert run["heredocs"] == [{"name": "EOF", "body": "set -e\nFROM evil\napt-get update\n",
                                "strip_tabs": False, "quoted": False}]
    assert stage.spans[("instructions", 1)] == Span(2, 1, 6, 4)
    assert stage.spans[("instructions", 1, "heredocs", 0)] == Span(3, 1, 6, 4)
    assert ins(stage, 2)["line"] == 7


def test_several_heredocs_on_one_line_with_dash_and_quotes():
    text = (
        "FROM debian\n"
        "RUN <<-\"SCRIPT\" bash && cat <<'DATA' > /etc/x.conf\n"
        "\t\techo $HOME\n"
        "\tif true; then\n"
        "\t\tSCRIPT\n"                # <<- strips leading tabs from the terminator too
        "\tkey = $value\n"
        "DATA\n"
        "CMD [\"x\"]\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    run = ins(stage, 1)
    assert run["heredocs"] == [
        {"name": "SCRIPT", "body": "echo $HOME\nif true; then\n", "strip_tabs": True,
         "quoted": True},
        {"name": "DATA", "body": "\tkey = $value\n", "strip_tabs": False, "quoted": True},
    ]
    assert stage.spans[("instructions", 1)] == Span(2, 1, 7, 5)
    assert cmds(stage) == ["FROM", "RUN", "CMD"]


def test_copy_heredoc_and_heredoc_after_continuation():
    text = (
        "FROM alpine\n"
        "COPY --chmod=755 <<EOF /usr/local/bin/run\n"
        "#!/bin/sh\n"
        "exec app\n"
        "EOF\n"
        "RUN --mount=type=cache,target=/c \\\n"
        "    python3 <<PY\n"
        "print(1)\n"
        "PY\n"
    )
    stage, _ = only_stage(text)
    copy, run = ins(stage, 1), ins(stage, 2)
    assert copy["flags"] == {"chmod": "755"}
    assert copy["args"] == "<<EOF /usr/local/bin/run"
    assert copy["heredocs"][0]["body"] == "#!/bin/sh\nexec app\n"
    assert run["args"] == "python3 <<PY"
    assert run["heredocs"][0]["body"] == "print(1)\n"
    assert stage.spans[("instructions", 2)] == Span(6, 1, 9, 3)


def test_heredoc_only_where_docker_reads_one():
    text = (
        "FROM alpine\n"
        "RUN [\"sh\", \"-c\", \"cat <<EOF\"]\n"    # exec form: no heredoc
        "RUN echo \"<<EOF\" 'x<<y'\n"            # quoted: no heredoc
        "CMD cat <<EOF\n"                        # CMD cannot have one
        "USER app\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    assert cmds(stage) == ["FROM", "RUN", "RUN", "CMD", "USER"]
    assert all(i["heredocs"] == [] for i in stage.attributes["instructions"])


def test_onbuild_heredoc():
    stage, _ = only_stage("FROM alpine\nONBUILD RUN <<EOF\necho hi\nEOF\n")
    onbuild = ins(stage, 1)
    assert onbuild["trigger"]["cmd"] == "RUN"
    assert onbuild["heredocs"] == onbuild["trigger"]["heredocs"] == [
        {"name": "EOF", "body": "echo hi\n", "strip_tabs": False, "quoted": False}]
    assert stage.spans[("instructions", 1)] == Span(2, 1, 4, 4)


def test_unterminated_heredoc_is_a_parse_error_at_the_marker():
    text = "FROM alpine\nRUN echo start && cat <<END > /x\nline one\nEND \n"  # "END " != "END"
    with pytest.raises(ParseError) as info:
        parse(text, PATH)
    assert (info.value.line, info.value.column) == (2, 23)
    assert "unterminated heredoc" in info.value.message


# -- exec (JSON) form ---------------------------------------------------------------------------
def test_exec_form_versus_shell_form():
    text = (
        "FROM alpine\n"
        "CMD [\"python\", \"-m\", \"app\"]\n"
        "ENTRYPOINT [not, json]\n"
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
        "RUN --network=none [\"make\", \"all\"]\n"
        "COPY [\"a file\", \"/dest/\"]\n"
        "ADD src.tar /opt\n"
        "VOLUME /data /logs\n"
        "HEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"http://localhost\"]\n"
        "HEALTHCHECK CMD curl -f http://localhost || exit 1\n"
        "HEALTHCHECK NONE\n"
        "WORKDIR [\"/x\"]\n"
        "CMD []\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    got = [(i["cmd"], i["json"], i["argv"]) for i in stage.attributes["instructions"]]
    assert got == [
        ("FROM", False, None),
        ("CMD", True, ["python", "-m", "app"]),
        ("ENTRYPOINT", False, None),
        ("SHELL", True, ["/bin/bash", "-o", "pipefail", "-c"]),
        ("RUN", True, ["make", "all"]),
        ("COPY", True, ["a file", "/dest/"]),
        ("ADD", False, None),
        ("VOLUME", False, None),
        ("HEALTHCHECK", True, ["curl", "-f", "http://localhost"]),
        ("HEALTHCHECK", False, None),
        ("HEALTHCHECK", False, None),
        ("WORKDIR", False, None),
        ("CMD", True, []),
    ]
    assert ins(stage, 2)["args"] == "[not, json]"
    assert ins(stage, 4)["flags"] == {"network": "none"}
    assert ins(stage, 8)["check"] == "CMD" and ins(stage, 8)["flags"] == {"interval": "30s"}
    assert ins(stage, 9)["command"] == "curl -f http://localhost || exit 1"
    assert (ins(stage, 10)["check"], ins(stage, 10)["command"]) == ("NONE", None)


def test_json_array_of_non_strings_is_shell_form_with_a_warning():
    stage, diagnostics = only_stage("FROM alpine\nCMD [\"sleep\", 10]\n")
    assert (ins(stage, 1)["json"], ins(stage, 1)["argv"]) == (False, None)
    assert len(diagnostics) == 1
    assert diagnostics[0].level == "warning" and diagnostics[0].span == Span(2, 5, 2, 18)


def test_text_after_the_json_array_is_ignored_like_docker():
    # docker decodes the first JSON value and ignores the rest of the line
    stage, _ = only_stage("FROM alpine\nENTRYPOINT [\"/bin/app\"] --verbose\n")
    assert (ins(stage, 1)["json"], ins(stage, 1)["argv"]) == (True, ["/bin/app"])
    assert ins(stage, 1)["args"] == "[\"/bin/app\"] --verbose"


def test_unbalanced_json_is_shell_form():
    stage, diagnostics = only_stage("FROM alpine\nRUN [\"echo\", \"hi\"\n")
    assert diagnostics == []
    assert (ins(stage, 1)["json"], ins(stage, 1)["args"]) == (False, "[\"echo\", \"hi\"")


# -- flags -------------------------------------------------------------------------------------
def test_flags_repeated_mount_bare_and_quoted():
    text = (
        "FROM alpine\n"
        "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm,dst=/n "
        "--network=host --security=insecure pip install -r req.txt\n"
        "COPY --link --chown=\"app user\":staff --chmod=0644 --exclude=*.md --exclude=.git "
        "src/ /app/\n"
        "RUN --mount=type=bind,target=/x -- --not-a-flag\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    run = ins(stage, 1)
    assert run["flags"] == {"mount": ["type=cache,target=/root/.cache",
                                      "type=secret,id=npm,dst=/n"],
                            "network": "host", "security": "insecure"}
    assert run["args"] == "pip install -r req.txt"
    copy = ins(stage, 2)
    assert copy["flags"] == {"link": True, "chown": "app user:staff", "chmod": "0644",
                             "exclude": ["*.md", ".git"]}
    assert copy["args"] == "src/ /app/"
    assert ins(stage, 3)["flags"] == {"mount": ["type=bind,target=/x"]}
    assert ins(stage, 3)["args"] == "--not-a-flag"
    # each flag has the span of its own word
    assert stage.spans[("instructions", 1, "flags", "mount", 1)] == Span(2, 44, 2, 77)
    assert stage.spans[("instructions", 1, "flags", "network")] == Span(2, 78, 2, 92)


def test_mount_is_a_list_even_once_and_duplicate_single_flag_warns():
    stage, diagnostics = only_stage(
        "FROM a\nCOPY --from=x --from=y /a /b\nRUN --mount=type=tmpfs,target=/t ls\n")
    assert ins(stage, 1)["flags"] == {"from": "y"}
    assert ins(stage, 2)["flags"] == {"mount": ["type=tmpfs,target=/t"]}
    assert len(diagnostics) == 1 and "duplicate flag --from" in diagnostics[0].message
    assert diagnostics[0].span == Span(2, 15, 2, 23)


# -- stages ------------------------------------------------------------------------------------
MULTI = (
    "# syntax=docker/dockerfile:1\n"
    "ARG GO=1.22\n"
    "FROM --platform=$BUILDPLATFORM golang:${GO}-alpine AS Builder\n"
    "WORKDIR /src\n"
    "RUN go build -o /out/app .\n"
    "\n"
    "FROM builder AS test\n"
    "RUN go test ./...\n"
    "\n"
    "FROM gcr.io/distroless/static@sha256:" + "a" * 64 + "\n"
    "COPY --from=builder /out/app /app\n"
    "COPY --from=0 /etc/passwd /etc/passwd\n"
    "USER 65532:65532\n"
    "ENTRYPOINT [\"/app\"]\n"
)


def test_multi_stage_names_addresses_and_links():
    resources, diagnostics = stages(MULTI)
    assert diagnostics == []
    assert [r.address for r in resources] == ["stage.builder", "stage.test", "stage[2]"]
    assert [r.name for r in resources] == ["builder", "test", "2"]
    assert all(r.source == "dockerfile" and r.type == "dockerfile:stage" and r.file == PATH
               for r in resources)
    builder, test, final = (r.attributes for r in resources)
    assert [a["index"] for a in (builder, test, final)] == [0, 1, 2]
    assert [a["final"] for a in (builder, test, final)] == [False, False, True]
    assert builder["image"] == "golang:1.22-alpine"
    assert builder["image_raw"] == "golang:${GO}-alpine"
    assert builder["image_ref"] == {"registry": "docker.io", "repository": "library/golang",
                                    "tag": "1.22-alpine", "digest": None}
    assert builder["platform"] == "$BUILDPLATFORM"
    assert builder["global_args"] == {"GO": "1.22"}
    assert builder["name"] == "builder" and builder["from_stage"] is None
    assert (test["image"], test["from_stage"], test["image_ref"]) == ("builder", "builder", None)
    assert final["name"] is None and final["platform"] is None
    assert final["image_ref"] == {"registry": "gcr.io", "repository": "distroless/static",
                                  "tag": None, "digest": "sha256:" + "a" * 64}
    assert [i["flags"] for i in final["instructions"][1:3]] == [{"from": "builder"},
                                                                 {"from": "0"}]
    assert (final["instructions"][3]["user"], final["instructions"][3]["group"]) == ("65532",
                                                                                      "65532")
    # FROM is instruction 0 of its stage; the header is the FROM instruction's span
    assert [i["cmd"] for i in test["instructions"]] == ["FROM", "RUN"]
    assert resources[0].header == Span(3, 1, 3, 62)
    assert resources[0].spans[("instructions", 0)] == resources[0].header
    assert resources[0].spans[("image",)] == Span(3, 32, 3, 51)
    assert resources[0].spans[("platform",)] == Span(3, 6, 3, 31)
    assert resources[0].spans[("global_args", "GO")] == Span(2, 5, 2, 12)
    assert resources[2].header.line == 10
    assert resources[0].meta["directives"] == {"syntax": "docker/dockerfile:1"}


def test_from_stage_only_refers_to_earlier_stages():
    resources, _ = stages("FROM later AS first\nFROM alpine AS later\n")
    assert resources[0].attributes["from_stage"] is None
    assert resources[0].attributes["image_ref"]["repository"] == "library/later"


def test_from_warnings_for_bad_arguments_and_names():
    resources, diagnostics = stages("FROM a b\nFROM c AS 1st\nFROM d AS x\nFROM e AS X\n")
    messages = [d.message for d in diagnostics]
    assert len(messages) == 3
    assert "one or three arguments" in messages[0]
    assert "invalid stage name '1st'" in messages[1]
    assert "duplicate stage name 'x'" in messages[2]
    assert resources[0].attributes["image"] == "a"


def test_scratch_and_image_references():
    resources, _ = stages("FROM scratch\nCOPY app /\n")
    assert resources[0].attributes["image_ref"] == {"registry": None, "repository": "scratch",
                                                    "tag": None, "digest": None}
    assert parse_image_ref("python:3.12-slim") == {
        "registry": "docker.io", "repository": "library/python", "tag": "3.12-slim",
        "digest": None}
    assert parse_image_ref("index.docker.io/bitnami/redis:7") == {
        "registry": "docker.io", "repository": "bitnami/redis", "tag": "7", "digest": None}
    assert parse_image_ref("localhost:5000/team/app")["registry"] == "localhost:5000"
    assert parse_image_ref("localhost/app")["registry"] == "localhost"
    assert parse_image_ref("user/app:v1")["repository"] == "user/app"
    assert parse_image_ref("Python:3") is None
    assert parse_image_ref("python:") is None
    assert parse_image_ref("python@sha256:abc") is None


# -- global ARG substitution -------------------------------------------------------------------
ARGS = (
    "ARG REGISTRY=ghcr.io\n"
    "ARG PY=\"3.12\"\n"
    "ARG BASE=python:${PY}-slim\n"
    "ARG NODEFAULT\n"
    "ARG EMPTY=\n"
    "FROM ${REGISTRY}/org/app:$PY\n"
    "FROM $BASE AS base\n"
    "FROM python:${NODEFAULT}\n"
    "FROM python:${NODEFAULT:-3.11}\n"
    "FROM python:${EMPTY:-3.10}-${EMPTY-x}\n"
    "FROM $TARGETPLATFORM/alpine\n"
    "ARG LATE=3\n"
    "FROM python:$LATE\n"
    "FROM python:${PY:+set}${NODEFAULT:+unset}\n"
    "FROM python:${PY%.*}\n"
    "FROM python:$NODEFAULT\n"
)


def test_global_arg_substitution_from_defaults():
    resources, diagnostics = stages(ARGS)
    assert diagnostics == []
    images = [r.attributes["image"] for r in resources]
    assert images[0] == "ghcr.io/org/app:3.12"
    assert resources[0].attributes["image_ref"] == {"registry": "ghcr.io", "repository": "org/app",
                                                    "tag": "3.12", "digest": None}
    assert images[1] == "python:3.12-slim"
    assert images[3] == "python:3.11"                      # build-arg-free: the default word
    assert images[4] == "python:3.10-"                     # ":-" vs "-" on an empty value
    assert images[7] == "python:set"
    assert resources[0].attributes["global_args"] == {
        "REGISTRY": "ghcr.io", "PY": "3.12", "BASE": "python:${PY}-slim", "NODEFAULT": None,
        "EMPTY": ""}


@pytest.mark.parametrize("index, raw", [
    (2, "python:${NODEFAULT}"),        # declared without a default
    (5, "$TARGETPLATFORM/alpine"),     # never declared (BuildKit sets it, we can't know it)
    (6, "python:$LATE"),               # an ARG after the first FROM is not global
    (8, "python:${PY%.*}"),            # an operator we do not evaluate
    (9, "python:$NODEFAULT"),          # unbraced reference to an ARG without a default
])
def test_unresolvable_image_is_unknown(index, raw):
    resources, _ = stages(ARGS)
    attributes = resources[index].attributes
    image = attributes["image"]
    assert isinstance(image, Unknown)
    assert image.expression == raw
    assert image.reason
    assert image.span == resources[index].spans[("image",)]
    assert attributes["image_raw"] == raw
    assert attributes["image_ref"] is None and attributes["from_stage"] is None
    with pytest.raises(UnknownValue):
        _ = image == "python:3"


# -- exact spans -------------------------------------------------------------------------------
def test_exact_spans_for_multi_line_instruction_and_pairs():
    text = (
        "FROM alpine\n"
        "  ENV A=1 \\\n"
        "      B=\"two words\" \\\n"
        "      C=3\n"
        "LABEL multi=\"line \\\n"
        "value\" one=1\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    spans = stage.spans
    assert spans[("instructions", 1)] == Span(2, 3, 4, 10)
    assert spans[("instructions", 1, "pairs", 0)] == Span(2, 7, 2, 10)
    assert spans[("instructions", 1, "pairs", 1)] == Span(3, 7, 3, 20)
    assert spans[("instructions", 1, "pairs", 2)] == Span(4, 7, 4, 10)
    assert ins(stage, 1)["pairs"] == [["A", "1"], ["B", "two words"], ["C", "3"]]
    # a pair written over two lines gets the span of its instruction
    assert ins(stage, 2)["pairs"] == [["multi", "line value"], ["one", "1"]]
    assert spans[("instructions", 2)] == Span(5, 1, 6, 13)
    assert spans[("instructions", 2, "pairs", 0)] == spans[("instructions", 2)]
    assert spans[("instructions", 2, "pairs", 1)] == Span(6, 8, 6, 13)
    # span_of walks up from a deeper path
    assert stage.span_of(("instructions", 1, "pairs", 1, "value")) == Span(3, 7, 3, 20)


# -- ENV, LABEL, ARG, EXPOSE, USER --------------------------------------------------------------
def test_env_pairs_both_syntaxes_and_quoting():
    text = (
        "FROM alpine\n"
        "ENV PATH=/usr/local/bin:$PATH HOME=\"/home/app user\" Q='a\\b' E= X=a\\ b\n"
        "ENV LEGACY value with  two spaces\n"
        "ENV   LEGACY2   \"quoted value\"\n"
        "LABEL \"com.example.vendor\"=\"ACME Inc\" version=\"1.0\" desc=\"say \\\"hi\\\"\"\n"
        "ARG NAME\n"
        "ARG VERSION=1.2 OTHER=\"x y\"\n"
    )
    stage, diagnostics = only_stage(text)
    assert diagnostics == []
    assert ins(stage, 1)["pairs"] == [["PATH", "/usr/local/bin:$PATH"],
                                      ["HOME", "/home/app user"], ["Q", "a\\b"], ["E", ""],
                                      ["X", "a b"]]
    assert ins(stage, 2)["pairs"] == [["LEGACY", "value with  two spaces"]]
    assert stage.spans[("instructions", 2, "pairs", 0)] == Span(3, 5, 3, 34)
    assert ins(stage, 3)["pairs"] == [["LEGACY2", "quoted value"]]
    assert ins(stage, 4)["pairs"] == [["com.example.vendor", "ACME Inc"], ["version", "1.0"],
                                      ["desc", 'say "hi"']]
    assert ins(stage, 5)["pairs"] == [["NAME", None]]
    assert ins(stage, 6)["pairs"] == [["VERSION", "1.2"], ["OTHER", "x y"]]
    assert stage.spans[("instructions", 6, "pairs", 1)] == Span(7, 17, 7, 28)


def test_env_syntax_errors_warn():
    stage, diagnostics = only_stage("FROM a\nENV ONLYKEY\nENV A=1 B\nLABEL\n")
    assert ins(stage, 1)["pairs"] == []
    assert ins(stage, 2)["pairs"] == [["A", "1"]]
    assert [d.span.line for d in diagnostics] == [2, 3, 4]
    assert all(d.level == "warning" and d.code == "dockerfile-syntax" for d in diagnostics)


def test_expose_ports_and_user():
    stage, _ = only_stage("FROM a\nEXPOSE 22   8080/tcp 53/udp $PORT\nUSER 1000\nUSER app:\n")
    assert ins(stage, 1)["ports"] == ["22", "8080/tcp", "53/udp", "$PORT"]
    assert (ins(stage, 2)["user"], ins(stage, 2)["group"]) == ("1000", None)
    assert (ins(stage, 3)["user"], ins(stage, 3)["group"]) == ("app", "")


# -- warnings and errors -------------------------------------------------------------------------
def test_unknown_instruction_is_a_warning_and_kept():
    stage, diagnostics = only_stage("FROM a\n  FOO bar baz\nMAINTAINER me@example.com\n")
    assert cmds(stage) == ["FROM", "FOO", "MAINTAINER"]
    assert ins(stage, 1)["args"] == "bar baz"
    assert len(diagnostics) == 1
    d = diagnostics[0]
    assert (d.level, d.code, d.path, d.span) == ("warning", "dockerfile-syntax", PATH,
                                                 Span(2, 3, 2, 6))


def test_instruction_before_first_from_is_a_parse_error():
    with pytest.raises(ParseError) as info:
        parse("ARG X=1\n\n  RUN echo hi\nFROM alpine\n", PATH)
    assert (info.value.line, info.value.column) == (3, 3)
    assert "RUN" in info.value.message


def test_unknown_instruction_before_from_only_warns():
    resources, diagnostics = stages("BOGUS x\nFROM alpine\n")
    assert len(resources) == 1 and len(diagnostics) == 1


@pytest.mark.parametrize("text, line", [("ARG A=1\nARG B\n", 1), ("# c\n\nNOPE x\n", 3)])
def test_no_from_at_all_is_a_parse_error(text, line):
    with pytest.raises(ParseError) as info:
        parse(text, PATH)
    assert info.value.line == line and info.value.column == 1


def test_onbuild_trigger():
    stage, diagnostics = only_stage("FROM a\nONBUILD COPY --chown=app . /src\nONBUILD\n")
    assert ins(stage, 1)["trigger"] == {"cmd": "COPY", "args": ". /src", "json": False,
                                        "argv": None, "flags": {"chown": "app"},
                                        "heredocs": []}
    assert stage.spans[("instructions", 1, "trigger", "flags", "chown")] == Span(2, 14, 2, 25)
    assert ins(stage, 2)["trigger"] is None
    assert diagnostics == []


def test_onbuild_is_read_one_level_deep():
    stage, diagnostics = only_stage("FROM a\n" + "ONBUILD " * 3000 + "RUN x\n")
    trigger = ins(stage, 1)["trigger"]
    assert (trigger["cmd"], trigger["trigger"]) == ("ONBUILD", None)
    assert [d.message for d in diagnostics] == ["ONBUILD isn't allowed as an ONBUILD trigger"]


@pytest.mark.parametrize("depth, resolved", [(3, True), (16, True), (17, False), (20_000, False)])
def test_nested_substitution_depth_is_bounded(depth, resolved):
    text = "ARG B=1\nARG A=" + "${B:+" * depth + "x" + "}" * depth + "\nFROM python:$A\n"
    start = time.perf_counter()
    image = only_stage(text)[0].attributes["image"]
    assert time.perf_counter() - start < 1.0
    if resolved:
        assert image == "python:x"
    else:
        assert isinstance(image, Unknown) and image.expression == "python:$A"


# -- robustness ----------------------------------------------------------------------------------
def _check_result(text: str) -> None:
    try:
        resources, diagnostics = parse(text, PATH)
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
        return
    n_lines = text.count("\n") + 1
    for r in resources:
        assert r.type == "dockerfile:stage"
        for key, span in r.spans.items():
            assert isinstance(span, Span), key
            assert 1 <= span.line <= span.end_line <= n_lines, (key, span)
            assert span.column >= 1 and span.end_column >= 1, (key, span)
            if span.line == span.end_line:
                assert span.end_column > span.column, (key, span)
        for i, instruction in enumerate(r.attributes["instructions"]):
            assert ("instructions", i) in r.spans
            assert instruction["cmd"] == instruction["cmd"].upper()
    for d in diagnostics:
        assert d.level == "warning"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_returns_or_raises_parse_error(text):
    _check_result(text)


DOCKERISH = st.lists(st.sampled_from([
    "FROM ", "from ", "RUN ", "COPY ", "ADD ", "ENV ", "ARG ", "LABEL ", "ONBUILD ", "CMD ",
    "HEALTHCHECK ", "USER ", "EXPOSE ", "alpine", " AS x", "x", "=", "\"", "'", "`", "\\", "$",
    "${", "}", ":-", "[", "]", ",", "<<", "<<-", "EOF", "\tEOF", "--mount=", "--from=x ", "--",
    "# escape=`", "# syntax=a", "#", " ", "\t", "\n", "\r\n", "\ufeff", "\x00", "é",
]), max_size=40).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCKERISH)
def test_dockerfile_like_text_returns_or_raises_parse_error(text):
    _check_result(text)


def test_large_and_adversarial_inputs_stay_fast():
    block = (
        "FROM python:3.12-slim AS build{n}\n"
        "ENV A=1 B=\"two words\" C='x'\n"
        "RUN --mount=type=cache,target=/root/.cache \\\n"
        "    pip install -r requirements.txt \\\n"
        "    && rm -rf /tmp/*\n"
        "COPY --from=build{n} [\"/src\", \"/dst\"]\n"
        "RUN <<EOF\necho {n}\nEOF\n"
        "# comment\n"
    )
    text = "".join(block.format(n=n) for n in range(500))   # 5,500 lines
    start = time.perf_counter()
    resources, _ = parse(text, PATH)
    assert len(resources) == 500
    adversarial = [
        "FROM " + "a-" * 50_000 + "!\n",
        "FROM a\nCMD " + "[" * 50_000 + "\n",
        "FROM a\nENV " + "\"\\" * 50_000 + "\n",
        "FROM a\nRUN " + "--x=\"" * 20_000 + "\n",
        "ARG A=" + "${A:-" * 5_000 + "\nFROM $A\n",
        "ARG B=1\nARG A=" + "${B:+" * 50_000 + "\nFROM $A\n",
        "FROM a\n" + "ONBUILD " * 20_000 + "RUN x\n",
        "FROM a\nLABEL " + "a=b " * 20_000 + "\n",
        "FROM a\n" + "RUN x \\\n" * 20_000,
    ]
    for t in adversarial:
        _check_result(t)
    assert time.perf_counter() - start < 2.0   # generous: this is a guard against blow-ups
