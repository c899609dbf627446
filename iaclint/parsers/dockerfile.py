"""Dockerfile parser (stdlib only) that reads a file the way BuildKit does.

``parse(text, path)`` returns one :class:`Resource` per build stage (``type="dockerfile:stage"``)
and a list of warning diagnostics. It raises only :class:`ParseError`, for files docker itself
refuses and that cannot be modelled: an unterminated heredoc, an instruction other than ARG
before the first FROM, or instructions without any FROM.

What BuildKit does and this module copies:

* parser directives (``# syntax=``, ``# escape=``, ``# check=``, case-insensitive) are read
  only at the top; the first empty line, other comment or instruction ends them;
* a line ending in the escape character (not itself escaped; trailing blanks allowed) continues
  on the next one; the escape character is removed and the lines are joined as they are (no
  space added, indentation of continuation lines kept); comment lines and blank lines inside a
  continued instruction are dropped; CRLF line ends and a UTF-8 BOM are accepted;
* heredocs (``<<EOF``, ``<<-EOF``, ``<<"EOF"``, several per line) for RUN, COPY, ADD and
  ``ONBUILD RUN|COPY|ADD`` in shell form; their bodies belong to the instruction;
* the exec (JSON) form is a JSON array of strings *at the start* of the arguments (like docker's
  streaming decoder, text after the closing bracket is ignored); anything else is shell form;
* ``--flag[=value]`` words at the start of the arguments of any instruction, ``--`` ends them.

Stage attributes (plain values, or :class:`Unknown` for ``image``)::

    index, name (alias, lower-cased as docker does, or None), final,
    image (after global ARG substitution, or Unknown), image_raw,
    image_ref ({registry, repository, tag, digest} or None), from_stage, platform,
    global_args ({NAME: default or None}),
    instructions: [{cmd, args, json, argv, flags, heredocs, line, ...per-command keys}]

Per-command keys: ENV/LABEL/ARG ``pairs``; USER ``user``, ``group``; EXPOSE ``ports``;
HEALTHCHECK ``check`` (``CMD``/``NONE``) and ``command``; ONBUILD ``trigger`` (the nested
instruction without ``line``, read one level deep). A heredoc is
``{name, body, strip_tabs, quoted}``.

Spans: ``("instructions", i)`` (keyword to the end of the last physical line, heredoc bodies
included; trailing blanks excluded), ``("instructions", i, "pairs", j)``,
``("instructions", i, "flags", name[, k])``, ``("instructions", i, "heredocs", k)`` (body and
terminator), ``("image",)``, ``("platform",)`` and ``("global_args", NAME)``.
``Resource.meta`` holds ``directives`` and ``escape``.

Substitution in FROM uses global ARG defaults as if no build argument were given:
``$V``/``${V}`` of an ARG without default, of an undeclared name (BuildKit's TARGETPLATFORM &
co. included), ``${V?}``, the pattern operators (``#``, ``%``, ``/``), more than 16 nested or 64
``${`` make the image an :class:`Unknown`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right

from iaclint.images import parse_image_ref as _parse_ref
from iaclint.lazyre import lazy_re
from iaclint.model import Diagnostic, ParseError, Resource, Span, Unknown

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any

__all__ = ["parse", "parse_image_ref", "INSTRUCTIONS"]

SOURCE = "dockerfile"
STAGE_TYPE = "dockerfile:stage"
CODE = "dockerfile-syntax"

INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
_MAYBE_JSON = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
_HEREDOC_CMDS = frozenset({"RUN", "COPY", "ADD"})
_LIST_FLAGS = frozenset({"mount", "exclude"})  # repeatable flags: always a list
_DIRECTIVE_KEYS = frozenset({"syntax", "escape", "check"})

# Go's RE2 \s is [\t\n\f\r ]; a directive is matched on the line without leading blanks.
_DIRECTIVE = re.compile(r"#[\t\f ]*([a-zA-Z][a-zA-Z0-9]*)[\t\f ]*=[\t\f ]*(.+?)[\t\f ]*\Z", re.S)
# docker's reWhitespace
_KEYWORD = re.compile(r"[ \t\v\f\r]*([^ \t\v\f\r]+)")
_BLANKS = re.compile(r"[ \t\v\f\r]+")
_NON_BLANK = re.compile(r"[^ \t\v\f\r]+")
# one --flag word: quotes group across blanks, backslash escapes (also inside quotes). Patterns for
# what few files hold (quoted flags, heredocs, ${...}, HEALTHCHECK) are compiled on first use.
_FLAG = re.compile(
    r"""\s*+(--(?:[^\s"'\\]++|\\.?|"(?:[^"\\]++|\\.?)*+"?|'(?:[^'\\]++|\\.?)*+'?)*+)""", re.S)
_FLAG_PART = lazy_re(r"""\\(.?)|"((?:[^"\\]|\\.?)*+)"?|'((?:[^'\\]|\\.?)*+)'?""", re.S)
_BACKSLASHED = lazy_re(r"\\(.?)", re.S)
_HEREDOC = lazy_re(r"(\d*)<<(-?)([^<]*)\Z", re.S)
_LEADING_TABS = lazy_re(r"^\t+", re.M)
_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*\Z")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = lazy_re(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:(\})|(:?[-+?]))")
_HEALTH_TYPE = lazy_re(r"(\S+)\s*", re.S)
_JSON = json.JSONDecoder()


def _escape_regexes(esc: str) -> dict[str, re.Pattern]:
    e = re.escape(esc)
    return {
        # docker's parseWords: blanks split, quotes group, escape keeps the next character
        "words": re.compile(
            rf"""(?:[^\s{e}"']++|{e}.?|"(?:[^"{e}]++|{e}.?)*+"?|'[^']*+'?)++""", re.S),
        # shell quote removal without expansion
        "unquote": re.compile(
            rf"""'([^']*+)'?|"((?:[^"{e}]++|{e}.?)*+)"?|{e}(.?)|([^'"{e}]++)""", re.S),
        "dq_escape": re.compile(rf"""{e}([\"${e}]?)""", re.S),
        # expansion tokens: single quotes, double quote, escape, dollar, literal run
        "expand": re.compile(rf"""'([^']*+)'?|(")|{e}(.?)|(\$)|([^'"{e}$]++)""", re.S),
        "dq_expand": re.compile(rf"""(")|{e}(.?)|(\$)|([^"{e}$]++)""", re.S),
        "brace": re.compile(rf"""\$\{{|\}}|{e}.""", re.S),
    }


class _ByEscape(dict):
    """The patterns of each escape character (backslash or backtick), compiled when a file first
    needs them: most Dockerfiles never use the backtick."""

    def __missing__(self, escape: str) -> dict[str, re.Pattern]:
        rx = self[escape] = _escape_regexes(escape)
        return rx


_ESCAPES = _ByEscape()


def parse(text: str, path: str) -> tuple[list[Resource], list[Diagnostic]]:
    """Parse a Dockerfile into one resource per build stage, plus warnings."""
    return _Parser(text, path).run()


# -- image references ------------------------------------------------------------------------
def parse_image_ref(image: str) -> dict | None:
    """Docker's normalisation of an image reference (``{registry, repository, tag, digest}``),
    or None when it is not a valid one; see :func:`iaclint.images.parse_image_ref`."""
    ref = _parse_ref(image)
    return ref.as_dict() if ref is not None else None


# -- internals -------------------------------------------------------------------------------
class _Logical:
    """One instruction's text after joining continuation lines, with a map back to the file."""

    __slots__ = ("text", "starts", "rows", "cols")

    def __init__(self) -> None:
        self.text = ""
        self.starts: list[int] = []  # offset in text where each physical piece starts
        self.rows: list[int] = []    # its 0-based line
        self.cols: list[int] = []    # its 0-based column

    def pos(self, offset: int) -> tuple[int, int]:
        k = bisect_right(self.starts, offset) - 1
        return self.rows[k] + 1, self.cols[k] + offset - self.starts[k] + 1

    def span(self, start: int, end: int) -> Span | None:
        """The span of text[start:end] when it lies on one physical line, else None."""
        if end <= start:
            end = start + 1
        k = bisect_right(self.starts, start) - 1
        if bisect_right(self.starts, end - 1) - 1 != k:
            return None
        line = self.rows[k] + 1
        col = self.cols[k] + start - self.starts[k] + 1
        return Span(line, col, line, col + end - start)


class _Inst:
    __slots__ = ("cmd", "data", "span", "sub", "extra")

    def __init__(self, cmd: str, data: dict, sub: dict, extra: dict):
        self.cmd = cmd
        self.data = data
        self.sub = sub      # relative path -> Span (None: not on one line)
        self.extra = extra  # FROM words, ARG raw defaults, keyword span
        self.span: Span | None = None


class _Unresolvable(Exception):
    pass


_UNSET = object()  # a global ARG declared without a default


class _Parser:
    def __init__(self, text: str, path: str):
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = text.split("\n")
        if "\r" in text:
            lines = [line.rstrip("\r") for line in lines]
        self.lines = lines
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.escape = "\\"
        self.directives: dict[str, str] = {}

    # -- diagnostics ---------------------------------------------------------------------
    def warn(self, message: str, span: Span | None) -> None:
        self.diagnostics.append(Diagnostic("warning", message, self.path, span, CODE))

    # -- reading -------------------------------------------------------------------------
    def run(self) -> tuple[list[Resource], list[Diagnostic]]:
        start = self.read_directives()
        instructions = self.read_instructions(start)
        return self.build(instructions), self.diagnostics

    def read_directives(self) -> int:
        lines = self.lines
        i = 0
        while i < len(lines):
            stripped = lines[i].lstrip()
            m = _DIRECTIVE.match(stripped)
            if m is None:
                break
            key = m.group(1).lower()
            if key not in _DIRECTIVE_KEYS:
                break
            col = len(lines[i]) - len(stripped) + 1
            span = Span(i + 1, col, i + 1, len(lines[i].rstrip()) + 1)
            value = m.group(2)
            if key in self.directives:
                self.warn(f"only one {key} parser directive can be used; this one is ignored", span)
            elif key == "escape" and value not in ("\\", "`"):
                self.warn(f"invalid escape token {value!r} does not match ` or \\", span)
                self.directives[key] = value
            else:
                self.directives[key] = value
                if key == "escape":
                    self.escape = value
            i += 1
        return i

    def read_instructions(self, i: int) -> list[_Inst]:
        lines = self.lines
        n = len(lines)
        esc = self.escape
        double = esc + esc
        found: list[_Inst] = []
        while i < n:
            raw = lines[i]
            stripped = raw.lstrip()
            if not stripped or stripped[0] == "#":
                i += 1
                continue
            logical = _Logical()
            parts: list[str] = []
            length = 0
            piece, col = stripped, len(raw) - len(stripped)
            row = i
            last = i
            i += 1
            while True:
                trimmed = piece.rstrip(" \t")
                continued = trimmed.endswith(esc) and not trimmed.endswith(double)
                if continued:
                    piece = trimmed[:-1]
                if piece:
                    logical.starts.append(length)
                    logical.rows.append(row)
                    logical.cols.append(col)
                    parts.append(piece)
                    length += len(piece)
                if not continued:
                    break
                # continuation: skip comment and blank lines, keep the indentation
                while i < n:
                    s = lines[i].lstrip()
                    if s and s[0] != "#":
                        break
                    i += 1
                if i >= n:
                    break
                piece, col, row = lines[i], 0, i
                last = i
                i += 1
            logical.text = "".join(parts)
            if not logical.starts or not logical.text.strip():
                continue
            inst = self.instruction(logical, 0)
            if inst is None:
                continue
            end_line = last
            heredoc_owner = inst.data
            if inst.cmd == "ONBUILD" and isinstance(inst.data.get("trigger"), dict):
                heredoc_owner = inst.data["trigger"]
            if (heredoc_owner["cmd"] in _HEREDOC_CMDS and not heredoc_owner["json"]
                    and "<<" in logical.text):
                i, end_line = self.read_heredocs(logical, inst, i, end_line)
                if heredoc_owner is not inst.data:
                    heredoc_owner["heredocs"] = [dict(h) for h in inst.data["heredocs"]]
            line, column = logical.pos(inst.extra["kw_off"])
            inst.span = _region(line, column, end_line + 1, len(lines[end_line].rstrip()) + 1)
            found.append(inst)
        return found

    def read_heredocs(self, logical: _Logical, inst: _Inst, i: int,
                      end_line: int) -> tuple[int, int]:
        lines = self.lines
        n = len(lines)
        rx = _ESCAPES["\\"]  # BuildKit finds heredoc words with a backslash-escaped lexer
        heredocs = inst.data["heredocs"]
        for word in rx["words"].finditer(logical.text):
            m = _HEREDOC.match(word.group())
            if m is None or not m.group(3):
                continue
            rest = m.group(3)
            name = _unquote(rest, "\\")
            quoted = name.count("'") + name.count('"') != rest.count("'") + rest.count('"')
            strip_tabs = m.group(2) == "-"
            body: list[str] = []
            first_body = i
            while True:
                if i >= n:
                    line, column = logical.pos(word.start())
                    raise ParseError(f"unterminated heredoc <<{m.group(2)}{rest}: no line "
                                     f"{name!r} before the end of the file", line, column)
                candidate = lines[i].lstrip("\t") if strip_tabs else lines[i]
                i += 1
                if candidate == name:
                    break
                body.append(lines[i - 1])
            text = "".join(line + "\n" for line in body)
            if strip_tabs:
                text = _LEADING_TABS.sub("", text)
            inst.sub[("heredocs", len(heredocs))] = _region(
                first_body + 1, 1, i, len(lines[i - 1].rstrip()) + 1)
            heredocs.append({"name": name, "body": text, "strip_tabs": strip_tabs,
                             "quoted": quoted})
            end_line = i - 1
        return i, end_line

    # -- one instruction -----------------------------------------------------------------
    def instruction(self, logical: _Logical, offset: int, nested: bool = False) -> _Inst | None:
        text = logical.text
        m = _KEYWORD.match(text, offset)
        if m is None:
            return None
        cmd = m.group(1).upper()
        kw_off = m.start(1)
        pos = m.end()
        flags: dict[str, Any] = {}
        sub: dict[tuple, Span | None] = {}
        line, column = logical.pos(kw_off)
        kw_span = logical.span(kw_off, m.end(1)) or Span.point(line, column)
        extra: dict[str, Any] = {"kw_off": kw_off, "kw_span": kw_span}
        if cmd not in INSTRUCTIONS:
            self.warn(f"unknown instruction: {m.group(1)}", kw_span)
        while True:
            fm = _FLAG.match(text, pos)
            if fm is None:
                break
            pos = fm.end()
            word = fm.group(1)
            if word == "--":
                break
            name, eq, value = _flag_text(word)[2:].partition("=")
            value = value if eq else True
            span = logical.span(fm.start(1), fm.end(1))
            if name in _LIST_FLAGS:
                values = flags.setdefault(name, [])
                sub[("flags", name, len(values))] = span
                values.append(value)
            else:
                if name in flags:
                    self.warn(f"duplicate flag --{name} on {cmd}; the last one is used",
                              span or kw_span)
                flags[name] = value
                sub[("flags", name)] = span
        tail = text[pos:]
        rest = tail.strip()
        args_off = pos + len(tail) - len(tail.lstrip())
        data: dict[str, Any] = {"cmd": cmd, "args": rest, "json": False, "argv": None,
                                "flags": flags, "heredocs": []}
        inst = _Inst(cmd, data, sub, extra)
        if cmd in _MAYBE_JSON:
            self.exec_form(inst, rest, logical, args_off)
        elif cmd == "HEALTHCHECK":
            hm = _HEALTH_TYPE.match(rest)
            data["check"] = hm.group(1).upper() if hm else None
            command = rest[hm.end():] if hm else ""
            data["command"] = command or None
            if command:
                self.exec_form(inst, command, logical, args_off + hm.end())
        elif cmd in ("ENV", "LABEL"):
            self.key_values(inst, rest, logical, args_off)
        elif cmd == "ARG":
            self.args(inst, rest, logical, args_off)
        elif cmd == "EXPOSE":
            data["ports"] = _NON_BLANK.findall(rest)
        elif cmd == "USER":
            user, sep, group = rest.partition(":")
            data["user"] = user if rest else None
            data["group"] = group if sep else None
        elif cmd == "FROM":
            words = [(w.group(), args_off + w.start(), args_off + w.end())
                     for w in _NON_BLANK.finditer(rest)]
            extra["words"] = words
            if words:
                extra["image_span"] = logical.span(words[0][1], words[0][2])
        elif cmd == "ONBUILD":
            # one level only: docker refuses ONBUILD ONBUILD, and this bounds the recursion
            trigger = self.instruction(logical, args_off, True) if rest and not nested else None
            if trigger is None:
                data["trigger"] = None
            else:
                if trigger.cmd in ("ONBUILD", "FROM", "MAINTAINER"):
                    self.warn(f"{trigger.cmd} isn't allowed as an ONBUILD trigger",
                              trigger.extra["kw_span"])
                data["trigger"] = trigger.data
                for key, span in trigger.sub.items():
                    sub[("trigger",) + key] = span
        return inst

    def exec_form(self, inst: _Inst, rest: str, logical: _Logical, offset: int) -> None:
        data = inst.data
        if not rest.startswith("["):
            return
        try:
            value, _end = _JSON.raw_decode(rest)
        except (ValueError, RecursionError):
            return
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            data["json"] = True
            data["argv"] = value
        else:
            self.warn(f"{data['cmd']}: JSON array must hold only strings; read as shell form",
                      logical.span(offset, offset + len(rest)) or inst.extra["kw_span"])

    def key_values(self, inst: _Inst, rest: str, logical: _Logical, offset: int) -> None:
        esc = self.escape
        pairs: list[list] = []
        inst.data["pairs"] = pairs
        words = list(_ESCAPES[esc]["words"].finditer(rest))
        if not words:
            if inst.cmd == "LABEL":
                self.warn("LABEL requires at least one argument", inst.extra["kw_span"])
            return
        if "=" not in words[0].group():  # legacy form: KEY value with spaces
            parts = _BLANKS.split(rest, maxsplit=1)
            if len(parts) < 2:
                self.warn(f"{inst.cmd} {rest}: must have two arguments (KEY value) or KEY=value",
                          logical.span(offset, offset + len(rest)) or inst.extra["kw_span"])
                return
            pairs.append([_unquote(parts[0], esc), _unquote(parts[1], esc)])
            inst.sub[("pairs", 0)] = logical.span(offset, offset + len(rest))
            return
        for w in words:
            word = w.group()
            key, eq, value = word.partition("=")
            if not eq:
                self.warn(f"{inst.cmd}: can't find = in {word!r}; must be of the form name=value",
                          logical.span(offset + w.start(), offset + w.end())
                          or inst.extra["kw_span"])
                continue
            inst.sub[("pairs", len(pairs))] = logical.span(offset + w.start(), offset + w.end())
            pairs.append([_unquote(key, esc), _unquote(value, esc)])

    def args(self, inst: _Inst, rest: str, logical: _Logical, offset: int) -> None:
        esc = self.escape
        pairs: list[list] = []
        raw_defaults: list[str | None] = []
        for w in _ESCAPES[esc]["words"].finditer(rest):
            name, eq, default = w.group().partition("=")
            span = logical.span(offset + w.start(), offset + w.end())
            if not name:
                self.warn("ARG names can not be blank", span or inst.extra["kw_span"])
            inst.sub[("pairs", len(pairs))] = span
            pairs.append([name, _unquote(default, esc) if eq else None])
            raw_defaults.append(default if eq else None)
        inst.data["pairs"] = pairs
        inst.extra["raw_defaults"] = raw_defaults

    # -- stages ----------------------------------------------------------------------------
    def build(self, instructions: list[_Inst]) -> list[Resource]:
        env: dict[str, Any] = {}
        global_args: dict[str, str | None] = {}
        global_spans: dict[tuple, Span] = {}
        stages: list[tuple[dict, list[_Inst]]] = []
        stage_names: set[str] = set()
        for inst in instructions:
            if inst.cmd == "FROM":
                stages.append((self.stage_head(inst, len(stages), env, stage_names), [inst]))
            elif stages:
                stages[-1][1].append(inst)
            elif inst.cmd == "ARG":
                for j, ((name, default), raw) in enumerate(
                        zip(inst.data["pairs"], inst.extra["raw_defaults"])):
                    if raw is None:
                        env.setdefault(name, _UNSET)
                        global_args.setdefault(name, None)
                    else:
                        value, reason = self.expand(raw, env)
                        env[name] = value if value is not None else _Unresolvable(reason)
                        global_args[name] = default
                    global_spans[("global_args", name)] = inst.sub.get(("pairs", j)) or inst.span
            elif inst.cmd in INSTRUCTIONS:
                raise ParseError(f"{inst.cmd} instruction before the first FROM (only ARG may "
                                 "come before FROM)", inst.span.line, inst.span.column)
            # an unknown instruction before FROM was reported and is dropped
        if not stages:
            if instructions:
                first = instructions[0].span
                raise ParseError("no FROM instruction: the file has no build stage",
                                 first.line, first.column)
            return []
        resources = []
        last = len(stages) - 1
        for index, (head, insts) in enumerate(stages):
            spans: dict[tuple, Span] = dict(global_spans)
            spans[("image",)] = head.pop("_image_span")
            listed = []
            for i, inst in enumerate(insts):
                data = inst.data
                data["line"] = inst.span.line
                listed.append(data)
                spans[("instructions", i)] = inst.span
                for key, span in inst.sub.items():
                    spans[("instructions", i) + key] = span or inst.span
            platform_span = spans.get(("instructions", 0, "flags", "platform"))
            if platform_span is not None:
                spans[("platform",)] = platform_span
            name = head["name"]
            attributes = {
                "index": index, "name": name, "final": index == last,
                "image": head["image"], "image_raw": head["image_raw"],
                "image_ref": head["image_ref"], "from_stage": head["from_stage"],
                "platform": head["platform"], "global_args": dict(global_args),
                "instructions": listed,
            }
            resources.append(Resource(
                source=SOURCE, type=STAGE_TYPE, name=name if name is not None else str(index),
                address=f"stage.{name}" if name is not None else f"stage[{index}]",
                file=self.path, header=insts[0].span, attributes=attributes, spans=spans,
                meta={"directives": dict(self.directives), "escape": self.escape},
            ))
        return resources

    def stage_head(self, inst: _Inst, index: int, env: dict, stage_names: set[str]) -> dict:
        words = inst.extra["words"]
        name = None
        if not words:
            self.warn("FROM requires an image", inst.span)
            image_raw, image_span = "", inst.span
        else:
            image_raw = words[0][0]
            image_span = inst.extra.get("image_span") or inst.span
            if len(words) >= 3 and words[1][0].lower() == "as":
                name = words[2][0].lower()
                if len(words) > 3:
                    self.warn("FROM takes an image and an optional AS name, nothing more",
                              inst.span)
                if not _STAGE_NAME.match(name):
                    self.warn(f"invalid stage name {words[2][0]!r}: it must start with a letter "
                              "and hold only letters, digits, '-', '_' and '.'", inst.span)
                if name in stage_names:
                    self.warn(f"duplicate stage name {name!r}", inst.span)
            elif len(words) != 1:
                self.warn("FROM requires either one or three arguments (image [AS name])",
                          inst.span)
        platform = inst.data["flags"].get("platform")
        head: dict[str, Any] = {
            "name": name, "image_raw": image_raw, "image_ref": None, "from_stage": None,
            "platform": platform if isinstance(platform, str) else None,
            "_image_span": image_span,
        }
        if not words:
            head["image"] = Unknown("", "FROM has no image", image_span)
        else:
            value, reason = self.expand(image_raw, env)
            if value is None:
                head["image"] = Unknown(image_raw, reason, image_span)
                if "characters once variables are substituted" in reason:  # a limit, not a build argument
                    self.warn(f"the image is unknown: {reason}", image_span)
            else:
                head["image"] = value
                if value.lower() in stage_names:
                    head["from_stage"] = value.lower()
                else:
                    head["image_ref"] = parse_image_ref(value)
        if name is not None:
            stage_names.add(name)
        return head

    # -- ARG substitution ------------------------------------------------------------------
    def expand(self, word: str, env: dict) -> tuple[str | None, str]:
        """``word`` with global ARG defaults substituted, or (None, why not)."""
        if "$" not in word and "'" not in word and '"' not in word and self.escape not in word:
            return word, ""
        if word.count("${") > 64:
            return None, "too many variable substitutions to evaluate"
        try:
            return _Expander(env, self.escape).word(word), ""
        except _Unresolvable as e:
            return None, str(e)
        except RecursionError:
            return None, "variable substitution nested too deeply"


class _Expander:
    """Shell-style word processing for FROM: quotes, escapes and ``$VAR``/``${VAR...}``."""

    MAX_DEPTH = 16  # nested ${A:-${B:-...}}; deeper is Unknown (and keeps the cost linear)
    # ARG B=$A$A, ARG C=$B$B, ...: each default doubles the last, so 60 lines would expand to
    # 2**60 characters; a longer result is Unknown.
    MAX_LENGTH = 65536

    def __init__(self, env: dict, escape: str):
        self.env = env
        self.escape = escape
        self.rx = _ESCAPES[escape]
        self.depth = 0

    def _grow(self, total: int, piece: str) -> int:
        total += len(piece)
        if total > self.MAX_LENGTH:
            raise _Unresolvable(f"longer than {self.MAX_LENGTH} characters once variables are substituted")
        return total

    def word(self, s: str) -> str:
        out: list[str] = []
        pos = 0
        n = len(s)
        total = 0
        tokens = self.rx["expand"]
        while pos < n:
            m = tokens.match(s, pos)
            pos = m.end()
            if m.group(1) is not None:          # 'literal'
                out.append(m.group(1))
            elif m.group(2) is not None:        # "..."
                text, pos = self.double_quoted(s, pos)
                out.append(text)
            elif m.group(3) is not None:        # escaped character
                out.append(m.group(3))
            elif m.group(4) is not None:        # $
                text, pos = self.dollar(s, pos)
                out.append(text)
            else:
                out.append(m.group(5))
            total = self._grow(total, out[-1])
        return "".join(out)

    def double_quoted(self, s: str, pos: int) -> tuple[str, int]:
        out: list[str] = []
        n = len(s)
        total = 0
        tokens = self.rx["dq_expand"]
        while pos < n:
            m = tokens.match(s, pos)
            pos = m.end()
            if m.group(1) is not None:
                return "".join(out), pos
            if m.group(2) is not None:
                nxt = m.group(2)
                out.append(nxt if nxt in ('"', "$", self.escape) else self.escape + nxt)
            elif m.group(3) is not None:
                text, pos = self.dollar(s, pos)
                out.append(text)
            else:
                out.append(m.group(4))
            total = self._grow(total, out[-1])
        return "".join(out), pos

    def lookup(self, name: str) -> Any:
        if name not in self.env:
            raise _Unresolvable(f"${name} is not declared by a global ARG before the first FROM "
                                "(a build argument or a BuildKit platform variable)")
        value = self.env[name]
        if isinstance(value, _Unresolvable):
            raise _Unresolvable(f"the default of ARG {name} is not static: {value}")
        return value

    def dollar(self, s: str, pos: int) -> tuple[str, int]:
        if pos < len(s) and s[pos] == "{":
            return self.braced(s, pos)
        m = _NAME.match(s, pos)
        if m is None:
            return "$", pos
        value = self.lookup(m.group())
        if value is _UNSET:
            raise _Unresolvable(f"ARG {m.group()} has no default value")
        return value, m.end()

    def braced(self, s: str, pos: int) -> tuple[str, int]:
        m = _BRACED.match(s, pos)
        if m is None:
            raise _Unresolvable(f"unsupported substitution in {s!r}")
        if self.depth >= self.MAX_DEPTH:
            raise _Unresolvable("variable substitution nested too deeply")
        name = m.group(1)
        value = self.lookup(name)
        if m.group(2):
            if value is _UNSET:
                raise _Unresolvable(f"ARG {name} has no default value")
            return value, m.end()
        op = m.group(3)
        depth = 1
        end = -1
        for b in self.rx["brace"].finditer(s, m.end()):
            token = b.group()
            if token == "}":
                depth -= 1
                if depth == 0:
                    end = b.start()
                    break
            elif token == "${":
                depth += 1
        if end < 0:
            raise _Unresolvable(f"missing '}}' in {s!r}")
        alternative = s[m.end():end]
        self.depth += 1
        try:
            return self.operator(name, value, op, alternative), end + 1
        finally:
            self.depth -= 1

    def operator(self, name: str, value: Any, op: str, alternative: str) -> str:
        is_set = value is not _UNSET
        filled = is_set and value != ""
        present = filled if op.startswith(":") else is_set
        if op[-1] == "-":
            return value if present else self.word(alternative)
        if op[-1] == "+":
            return self.word(alternative) if present else ""
        if not present:  # ? : the build fails when the variable is missing
            raise _Unresolvable(f"ARG {name} is required: {alternative or 'not set'}")
        return value


def _region(line: int, column: int, end_line: int, end_column: int) -> Span:
    if end_line == line and end_column <= column:
        end_column = column + 1
    return Span(line, column, end_line, end_column)


def _flag_text(word: str) -> str:
    if '"' not in word and "'" not in word and "\\" not in word:
        return word

    def repl(m: re.Match) -> str:
        if m.group(1) is not None:
            return m.group(1)
        inner = m.group(2) if m.group(2) is not None else m.group(3)
        return _BACKSLASHED.sub(lambda e: e.group(1), inner)

    return _FLAG_PART.sub(repl, word)


def _unquote(s: str, escape: str) -> str:
    """Quote removal as the shell does it, leaving ``$VAR`` references as written."""
    if "'" not in s and '"' not in s and escape not in s:
        return s
    rx = _ESCAPES[escape]
    dq_escape = rx["dq_escape"]
    out: list[str] = []
    for m in rx["unquote"].finditer(s):
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            inner = m.group(2)
            if escape in inner:
                last = len(inner)
                inner = dq_escape.sub(
                    lambda e: e.group(1) or (escape if e.end() < last else ""), inner)
            out.append(inner)
        elif m.group(3) is not None:
            out.append(m.group(3))
        else:
            out.append(m.group(4))
    return "".join(out)
